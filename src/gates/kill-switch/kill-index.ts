// Kill switches indexed for the hot path: one Map lookup per scope. Built once per snapshot from
// the store's switches and the `ai.killswitch.<scope>.<name>` flags.
import type { CompiledFlag, FlagSet } from '../../flags/index.js'
import type { KillSwitch } from '../../state/index.js'

export interface KillIndex {
  readonly global: KillSwitch | undefined
  readonly provider: ReadonlyMap<string, KillSwitch>
  readonly model: ReadonlyMap<string, KillSwitch>
  readonly route: ReadonlyMap<string, KillSwitch>
  /** By client id, or `tenant:<name>` for every client of a tenant. */
  readonly client: ReadonlyMap<string, KillSwitch>
  /** Flags named `ai.killswitch.<scope>.<name>`, by scope then name. */
  readonly flags: {
    readonly provider: ReadonlyMap<string, CompiledFlag>
    readonly model: ReadonlyMap<string, CompiledFlag>
    readonly route: ReadonlyMap<string, CompiledFlag>
  }
  readonly size: number
}

const FLAG_PREFIX = 'ai.killswitch.'

export function buildKillIndex(switches: readonly KillSwitch[], flags: FlagSet): KillIndex {
  const byScope = { provider: new Map<string, KillSwitch>(), model: new Map<string, KillSwitch>(), route: new Map<string, KillSwitch>(), client: new Map<string, KillSwitch>() }
  let global: KillSwitch | undefined
  for (const s of switches) {
    if (s.scope === 'global') global = s
    else byScope[s.scope].set(s.target, s)
  }
  const flagMaps = { provider: new Map<string, CompiledFlag>(), model: new Map<string, CompiledFlag>(), route: new Map<string, CompiledFlag>() }
  for (const key of flags.keys) {
    if (!key.startsWith(FLAG_PREFIX)) continue
    const rest = key.slice(FLAG_PREFIX.length)
    const dot = rest.indexOf('.')
    const scope = rest.slice(0, dot)
    if (scope === 'provider' || scope === 'model' || scope === 'route') flagMaps[scope].set(rest.slice(dot + 1), flags.get(key)!)
  }
  return { global, ...byScope, flags: flagMaps, size: switches.length }
}
