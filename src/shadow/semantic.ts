// Semantic checks of `shadows:` beyond its schema (docs/shadow.md): the model and target it names
// exist, and a native shadow stays within one provider type (its request is moved to the target's
// model like a retarget, not translated). Problems read `path: problem (got value)`.
import type { ShadowsConfig } from './schema.js'

/** What the checks read of the whole config (the config satisfies it). */
export interface ShadowReferences {
  readonly providers: Readonly<Record<string, { readonly type: string }>>
  readonly models: Readonly<Record<string, unknown>>
}

export function shadowProblems(shadows: ShadowsConfig | undefined, config: ShadowReferences): string[] {
  const problems: string[] = []
  for (const [id, shadow] of Object.entries(shadows ?? {})) {
    const at = `shadows.${id}`
    const target = config.providers[shadow.target.provider]
    if (target === undefined) problems.push(`${at}.target.provider: no such provider under providers: (got ${JSON.stringify(shadow.target.provider)})`)
    if (shadow.mount === undefined) {
      if (!(shadow.model in config.models)) problems.push(`${at}.model: no such virtual model under models: (got ${JSON.stringify(shadow.model)})`)
      continue
    }
    const mount = config.providers[shadow.mount]
    if (mount === undefined) {
      problems.push(`${at}.mount: no such provider under providers: (got ${JSON.stringify(shadow.mount)})`)
      continue
    }
    if (target !== undefined && target.type !== mount.type) {
      problems.push(
        `${at}.target.provider: a native shadow needs a provider of the mount's type ${mount.type} (got ${JSON.stringify(shadow.target.provider)}, type ${target.type})`,
      )
    }
  }
  return problems
}
