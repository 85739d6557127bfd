// What the admin routes need from the running Sluice.
import type { Applied } from '../core/problems.js'
import type { Snapshot } from '../pipeline/snapshot.js'
import type { CompileResult } from '../flags/index.js'
import type { JsonObject, StateStore } from '../state/index.js'
import type { StoredExperiment } from '../steering/experiments/lifecycle.js'
import type { RolloutControl } from '../steering/rollouts/record.js'
import type { ShadowControl } from '../steering/shadow/pairing.js'

export interface ReloadOutcome {
  readonly ok: boolean
  readonly problems?: readonly string[]
}

export interface ReloadStatus extends ReloadOutcome {
  readonly at: string
}

export interface AdminContext {
  snapshot(): Snapshot
  readonly store: StateStore
  /** Re-reads overrides and switches so a change is in effect before the response goes out. */
  refreshFromStore(): Promise<Applied>
  /** The flag set a set of overrides would compile to, without installing it. */
  tryOverrides(overrides: Record<string, JsonObject>): CompileResult
  readonly experiments: {
    /** The lifecycle records the serving snapshot was built with. */
    stored(): ReadonlyMap<string, StoredExperiment>
    /** Whether the serving config accepts these records (checked before one is written). */
    tryStored(stored: ReadonlyMap<string, StoredExperiment>): Applied
  }
  readonly rollouts: RolloutControl
  readonly shadows: ShadowControl
  /** Reloads the config file (what SIGHUP does). */
  reload(): ReloadOutcome
  lastReload(): ReloadStatus | undefined
  /** Ready once listening with a valid config and not draining. */
  ready(): boolean
  readonly startedAt: number
}
