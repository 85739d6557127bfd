// Kill switches indexed for the hot path: one Map lookup per scope. Built once per snapshot from
// the store's switches and the keys of the `ai.killswitch.<scope>.<name>` flags.
import type { KillSwitch } from '../../core/store.js'
import { ProviderTypes, type ProviderType } from '../../core/wire.js'

/** A provider's canonical form of a model id (providers/model-id.ts), supplied by the composition root. */
export type CanonicalModel = (type: ProviderType, id: string) => string

/** By provider type, then the model id in that provider's canonical form: one switch matches every alias. */
export type ModelIndex<T> = ReadonlyMap<ProviderType, ReadonlyMap<string, T>>

export interface KillIndex {
  readonly global: KillSwitch | undefined
  readonly provider: ReadonlyMap<string, KillSwitch>
  readonly model: ModelIndex<KillSwitch>
  readonly route: ReadonlyMap<string, KillSwitch>
  /** By client id, or `tenant:<name>` for every client of a tenant. */
  readonly client: ReadonlyMap<string, KillSwitch>
  /** Keys of the flags named `ai.killswitch.<scope>.<name>`, by scope then name. */
  readonly flags: {
    readonly provider: ReadonlyMap<string, string>
    readonly model: ModelIndex<string>
    readonly route: ReadonlyMap<string, string>
  }
  readonly size: number
}

const FLAG_PREFIX = 'ai.killswitch.'

export function buildKillIndex(switches: readonly KillSwitch[], flagKeys: Iterable<string>, canonical: CanonicalModel): KillIndex {
  const byScope = { provider: new Map<string, KillSwitch>(), route: new Map<string, KillSwitch>(), client: new Map<string, KillSwitch>() }
  const models: Array<[string, KillSwitch]> = []
  let global: KillSwitch | undefined
  for (const s of switches) {
    if (s.scope === 'global') global = s
    else if (s.scope === 'model') models.push([s.target, s])
    else byScope[s.scope].set(s.target, s)
  }
  const flagMaps = { provider: new Map<string, string>(), route: new Map<string, string>() }
  const modelFlags: Array<[string, string]> = []
  for (const key of flagKeys) {
    if (!key.startsWith(FLAG_PREFIX)) continue
    const rest = key.slice(FLAG_PREFIX.length)
    const dot = rest.indexOf('.')
    const scope = rest.slice(0, dot)
    if (scope === 'model') modelFlags.push([rest.slice(dot + 1), key])
    else if (scope === 'provider' || scope === 'route') flagMaps[scope].set(rest.slice(dot + 1), key)
  }
  return {
    global,
    ...byScope,
    model: byModel(models, canonical),
    flags: { ...flagMaps, model: byModel(modelFlags, canonical) },
    size: switches.length,
  }
}

function byModel<T>(entries: ReadonlyArray<[string, T]>, canonical: CanonicalModel): ModelIndex<T> {
  const index = new Map<ProviderType, Map<string, T>>()
  for (const type of ProviderTypes) {
    const map = new Map<string, T>()
    for (const [model, value] of entries) map.set(canonical(type, model), value)
    index.set(type, map)
  }
  return index
}
