// Semantic checks of `shadows:` beyond its schema (docs/shadow.md): the model and target it names
// exist, and a native shadow stays within one provider type (its request is moved to the target's
// model like a retarget, not translated).
import { problemAt, type ConfigProblem } from '../../core/problems.js'
import type { ShadowsConfig } from './schema.js'

/** What the checks read of the whole config (the config satisfies it). */
export interface ShadowReferences {
  readonly shadows: ShadowsConfig
  readonly providers: Readonly<Record<string, { readonly type: string }>>
  readonly models: Readonly<Record<string, unknown>>
}

export function shadowProblems(config: ShadowReferences): ConfigProblem[] {
  const problems: ConfigProblem[] = []
  for (const [id, shadow] of Object.entries(config.shadows)) {
    const at = (key: string[], problem: string, got: unknown): void => void problems.push(problemAt(['shadows', id, ...key], problem, got))
    const target = config.providers[shadow.target.provider]
    if (target === undefined) at(['target', 'provider'], 'no such provider under providers:', shadow.target.provider)
    if (shadow.mount === undefined) {
      if (!(shadow.model in config.models)) at(['model'], 'no such virtual model under models:', shadow.model)
      continue
    }
    const mount = config.providers[shadow.mount]
    if (mount === undefined) {
      at(['mount'], 'no such provider under providers:', shadow.mount)
      continue
    }
    if (target !== undefined && target.type !== mount.type) {
      at(['target', 'provider'], `a native shadow needs a provider of the mount's type ${mount.type} (this one is ${target.type})`, shadow.target.provider)
    }
  }
  return problems
}
