// What a gate answers: pass, deny with a code, or route with a plan. A denial is
// a value, not an exception. `hold` is what the gate reserved for this request (a rate-limit lease,
// a budget reservation); the runner hands it back to the gate's `settle` once the request has ended.
import type { ErrorCode } from './errors.js'
import type { RoutePlan } from './plan.js'

export interface Refusal {
  readonly code: ErrorCode
  readonly detail?: string
  readonly retryAfterSeconds?: number
  /** Extra response headers (rate-limit state, retry hints). */
  readonly headers?: Readonly<Record<string, string>>
}

export interface Pass<H = unknown> {
  readonly kind: 'pass'
  readonly hold?: H
}

export interface Deny<H = unknown> extends Refusal {
  readonly kind: 'deny'
  readonly hold?: H
}

export interface Route<H = unknown> {
  readonly kind: 'route'
  readonly plan: RoutePlan
  readonly hold?: H
}

export type Verdict<H = unknown> = Pass<H> | Deny<H> | Route<H>

/** The common answer, allocated once. */
export const PASS: Pass<never> = Object.freeze({ kind: 'pass' })

export const deny = (refusal: Refusal): Deny<never> => ({ kind: 'deny', ...refusal })
