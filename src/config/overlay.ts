// Per-environment overlays (`--env` / SLUICE_ENV, docs/config.md): `environments.<name>` is deep-merged
// over the rest of the file. Mappings merge key by key; lists and scalars replace, because merging
// lists by position (clients, tokens) would silently mix two environments' entries.
import { problemAt, type ConfigProblem } from '../core/problems.js'

type Mapping = Record<string, unknown>

export interface Overlaid {
  value: Mapping
  problems: ConfigProblem[]
}

const isMapping = (value: unknown): value is Mapping =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

/** The document without `environments`, merged with the named overlay when `env` is given. */
export function applyOverlay(doc: Mapping, env: string | undefined): Overlaid {
  const { environments, ...base } = doc
  if (env === undefined) return { value: base, problems: [] }
  if (!isMapping(environments) || !Object.hasOwn(environments, env)) {
    const known = isMapping(environments) ? Object.keys(environments) : []
    const hint = known.length === 0 ? 'the file defines no environments' : `known: ${known.join(', ')}`
    return { value: base, problems: [problemAt(['environments'], `has no environment "${env}" (${hint})`)] }
  }
  const overlay = environments[env]
  if (!isMapping(overlay)) return { value: base, problems: [problemAt(['environments', env], 'must be a mapping', overlay)] }
  if ('environments' in overlay) {
    return { value: base, problems: [problemAt(['environments', env, 'environments'], 'overlays cannot nest environments')] }
  }
  return { value: deepMerge(base, overlay), problems: [] }
}

/** `null` in the overlay removes the key, e.g. to drop a base `endpoint` and use the real one. */
export function deepMerge(base: Mapping, overlay: Mapping): Mapping {
  const merged: Mapping = { ...base }
  for (const [key, value] of Object.entries(overlay)) {
    const current = merged[key]
    if (value === null) delete merged[key]
    else merged[key] = isMapping(current) && isMapping(value) ? deepMerge(current, value) : value
  }
  return merged
}
