// A gate is a small synchronous check over the request's facts and the frozen snapshot (STYLE:
// Pipeline). A denial is a value, not an exception; if a gate throws, run.ts applies its fail
// mode (config `gates.<name>.failMode`) and counts the error.
import type { Snapshot } from '../config/snapshot.js'
import type { ErrorCode } from '../errors.js'
import type { RequestFacts } from '../pipeline/facts.js'

export interface Denial {
  readonly code: ErrorCode
  readonly detail?: string
}

export type FailMode = 'open' | 'closed'

export interface Gate {
  /** Stable name: metric label, log field, and the key under `gates:` in config. */
  readonly name: 'killSwitches' | 'controlFlags'
  check(facts: RequestFacts, snapshot: Snapshot): Denial | undefined
}
