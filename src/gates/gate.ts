// A gate is a small check over the request's facts and the frozen snapshot (STYLE: Pipeline),
// synchronous unless it truly needs I/O (a shared Redis limiter). A denial is a value, not an
// exception; if a gate throws, run.ts applies its fail mode (config `gates.<name>.failMode`) and
// counts the error. A gate that learns from the response registers a Lease on the facts; every
// lease is settled exactly once when the request ends, forwarded, refused, failed or aborted.
import type { Snapshot } from '../config/snapshot.js'
import type { ErrorCode } from '../errors.js'
import type { Outcome, RequestFacts } from '../pipeline/facts.js'

export interface Denial {
  readonly code: ErrorCode
  readonly detail?: string
  readonly retryAfterSeconds?: number
  /** Extra response headers (rate-limit state, retry hints). */
  readonly headers?: Readonly<Record<string, string>>
}

/** What a gate reserved for one request, released or corrected once the request has ended. */
export interface Lease {
  settle(outcome: Outcome, facts: RequestFacts): void
}

export type FailMode = 'open' | 'closed'

export interface Gate {
  /** Stable name: metric label, log field, and the key under `gates:` in config. */
  readonly name: 'killSwitches' | 'controlFlags' | 'rateLimits' | 'budgets'
  check(facts: RequestFacts, snapshot: Snapshot): Denial | undefined | Promise<Denial | undefined>
}
