// What the data plane reads per request: one frozen snapshot, built by the composition root
// (runtime/snapshot.ts) from a validated config and swapped whole on reload.
import type { Pool } from 'undici'
import type { ClientConfig, Config } from '../config/schema.js'
import type { FailMode, GateCheck, GateView } from '../core/gate.js'
import type { ShadowIndex } from '../core/shadow.js'
import type { Mount, Routing } from '../core/target.js'
import type { FlagSet } from '../flags/index.js'
import type { BudgetRuntime } from '../gates/budget/gate.js'
import type { RateLimiter } from '../gates/rate-limit/types.js'
import type { CircuitRegistry } from '../resilience/circuits.js'
import type { OutcomeRecorder } from '../steering/experiments/outcomes.js'
import type { BanditDirectory } from '../steering/bandit/router.js'

/** A gate of this snapshot, in pipeline order (docs/lifecycle.md), with its effective fail mode. */
export interface SnapshotGate {
  readonly name: string
  readonly failMode: FailMode
  readonly gate: GateCheck<unknown>
}

export interface Snapshot {
  readonly config: Readonly<Config>
  readonly environment: string
  /** Longest prefix first, so `/a/b` wins over `/a`. */
  readonly mounts: readonly Mount[]
  readonly clientsByKey: ReadonlyMap<string, ClientConfig>
  readonly clientsByAccessKeyId: ReadonlyMap<string, ClientConfig>
  readonly flags: FlagSet
  /** The gates that have something to check under this config, in order (gates/registry.ts). */
  readonly gates: readonly SnapshotGate[]
  /** What every gate reads besides its own state: flag evaluation, retargeting. */
  readonly view: GateView
  /** Undefined when no rate-limit rule is configured (read by the admin API). */
  readonly rateLimiter: RateLimiter | undefined
  /** Undefined when no budget is configured (read by the admin API). */
  readonly budgets: BudgetRuntime | undefined
  /** Virtual models, alternates and the targets native requests start on. */
  readonly routing: Routing
  /** Long-lived: circuit state outlives snapshots. */
  readonly circuits: CircuitRegistry
  /** Long-lived: experiment outcomes, aggregated here and synced to the outcome store. */
  readonly outcomes: OutcomeRecorder
  /** The virtual models' bandits: feedback and reports. */
  readonly bandits: BanditDirectory
  /** The shadows requests may be mirrored on (gate 11). */
  readonly shadows: ShadowIndex
  /** Every upstream pool this snapshot uses (mounts' and targets' own). */
  readonly pools: readonly Pool[]
}

export function findMount(snapshot: Snapshot, path: string): Mount | undefined {
  for (const mount of snapshot.mounts) {
    if (path.startsWith(mount.prefix) && (path.length === mount.prefix.length || path.charCodeAt(mount.prefix.length) === 47)) {
      return mount
    }
  }
  return undefined
}
