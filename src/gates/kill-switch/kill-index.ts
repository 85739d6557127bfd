// Kill switches indexed for the hot path: one Map lookup per scope. Built once per snapshot from
// the store's switches and the keys of the `ai.killswitch.<scope>.<name>` flags.
import type { KillSwitch } from '../../core/store.js'

export interface KillIndex {
  readonly global: KillSwitch | undefined
  readonly provider: ReadonlyMap<string, KillSwitch>
  readonly model: ReadonlyMap<string, KillSwitch>
  readonly route: ReadonlyMap<string, KillSwitch>
  /** By client id, or `tenant:<name>` for every client of a tenant. */
  readonly client: ReadonlyMap<string, KillSwitch>
  /** Keys of the flags named `ai.killswitch.<scope>.<name>`, by scope then name. */
  readonly flags: {
    readonly provider: ReadonlyMap<string, string>
    readonly model: ReadonlyMap<string, string>
    readonly route: ReadonlyMap<string, string>
  }
  readonly size: number
}

const FLAG_PREFIX = 'ai.killswitch.'

export function buildKillIndex(switches: readonly KillSwitch[], flagKeys: Iterable<string>): KillIndex {
  const byScope = { provider: new Map<string, KillSwitch>(), model: new Map<string, KillSwitch>(), route: new Map<string, KillSwitch>(), client: new Map<string, KillSwitch>() }
  let global: KillSwitch | undefined
  for (const s of switches) {
    if (s.scope === 'global') global = s
    else byScope[s.scope].set(s.target, s)
  }
  const flagMaps = { provider: new Map<string, string>(), model: new Map<string, string>(), route: new Map<string, string>() }
  for (const key of flagKeys) {
    if (!key.startsWith(FLAG_PREFIX)) continue
    const rest = key.slice(FLAG_PREFIX.length)
    const dot = rest.indexOf('.')
    const scope = rest.slice(0, dot)
    if (scope === 'provider' || scope === 'model' || scope === 'route') flagMaps[scope].set(rest.slice(dot + 1), key)
  }
  return { global, ...byScope, flags: flagMaps, size: switches.length }
}
