// The rate-limit engine's contract (docs/lifecycle.md gate 5 and settle, docs/rate-limits.md). `acquire` runs before the call,
// `settle` after the response ends — streamed, failed or aborted. The local limiter answers
// synchronously; the Redis one returns a Promise, which the pipeline tells apart with
// `instanceof Promise` (as it does for auth), so the local path never awaits.

/** The request facts rules read. The pipeline's EvaluationContext satisfies it as is. */
export interface RateLimitContext {
  readonly client: string | undefined
  readonly tenant: string | undefined
  /** The `user` dimension: x-sluice-user, else the client id (docs/config.md). */
  readonly targetingKey: string
  readonly route: string
  readonly provider: string
  readonly model: string
}

export interface TokenEstimate {
  /** Input tokens estimated from the request before the call. */
  readonly inputTokens: number
  /** The request's max_tokens; undefined reserves the rule's defaultMaxOutputTokens. */
  readonly maxOutputTokens: number | undefined
}

export type LimitKind = 'requests' | 'tokens' | 'concurrent'

/** One limit of one rule after the decision: the data behind RateLimit and x-ratelimit-* headers. */
export interface LimitState {
  readonly rule: string
  readonly kind: LimitKind
  readonly limit: number
  /** Requests or tokens that would be admitted now; free slots for `concurrent`. */
  readonly remaining: number
  /** Until the limit is fully refilled; 0 for `concurrent`. */
  readonly resetMs: number
  /** The rule's window; 0 for `concurrent`. */
  readonly windowSeconds: number
}

export interface LimitDenial {
  readonly rule: string
  readonly kind: LimitKind
  /** The token reservation alone exceeds the rule's limit: no wait can admit it. */
  readonly tooLarge: boolean
}

export interface LimitDecision {
  /** False only when enforcing and over a limit. */
  readonly allowed: boolean
  /** Over a limit; in monitor mode the request still goes (x-sluice-would-block). */
  readonly wouldBlock: boolean
  /** Longest wait any denying rule needs, whole seconds (≥ 1 when over a limit, else 0). */
  readonly retryAfterSeconds: number
  /** The denying limit with the longest wait. */
  readonly deniedBy: LimitDenial | undefined
  readonly limits: readonly LimitState[]
  /** Pass to `settle` exactly once the response has ended (extra calls are ignored). */
  readonly lease: LimitLease
}

/** What `acquire` charged; opaque outside the limiter that issued it. */
export interface LimitLease {
  readonly backend: 'none' | 'local' | 'redis'
}

export interface RateLimiter {
  /**
   * Checks every matching rule and, if all admit the request, charges all of them at once (one
   * request, the token reservation, one concurrency slot); a denied request charges nothing.
   * Monitor mode (`enforce` false) charges exactly what enforcement would, so switching it on
   * continues from the same counters; over a limit it only reports `wouldBlock`.
   */
  acquire(ctx: RateLimitContext, estimate: TokenEstimate, enforce: boolean, nowMs: number): LimitDecision | Promise<LimitDecision>
  /**
   * Frees the concurrency slots and corrects the token reservation to `actualTokens` (input +
   * output), refunding or charging the difference. `undefined` keeps the reservation (usage
   * unknown, e.g. aborted mid-stream); 0 refunds it all (failed before the upstream ran).
   */
  /**
   * `refund`: the request was refused after this limiter admitted it (a later gate) and reached no
   * model; its request charge is given back as well as its tokens, so a refused call uses no quota.
   */
  settle(lease: LimitLease, actualTokens: number | undefined, nowMs: number, refund?: boolean): void | Promise<void>
}

export const NO_LEASE: LimitLease = Object.freeze({ backend: 'none' })

/** No rule matched: nothing to charge, nothing to report. Shared, so the common case allocates nothing. */
export const UNLIMITED: LimitDecision = Object.freeze({
  allowed: true,
  wouldBlock: false,
  retryAfterSeconds: 0,
  deniedBy: undefined,
  limits: Object.freeze([]),
  lease: NO_LEASE,
})
