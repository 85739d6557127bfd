// Redis fail mode (docs/rate-limits.md, docs/state.md, issues #4 item 5 and #10 item 8): while Redis is unreachable,
// limit in-process with a share of each limit; when Redis is back, use it again. Leases settle
// where they were taken.
// - Slow is not down. Only a real outage signal — the connection is not up, a call fails — or an
//   answer later than `deadlineMs` (RedisRateLimiter) sends a request to the fallback; a reply
//   that is merely slower than `commandTimeoutMs` is waited for.
// - The share is min(localShare, 1 / replicas seen through Redis heartbeats), rounded down per
//   limit, so the local shares of a fleet add up to at most the limit (docs/rate-limits.md).
// - After a failure, requests stay local for REDIS_RETRY_MS. If Redis had missed the deadline (up
//   but hung), one request then probes it while the others stay local, so a hung Redis costs one
//   request a deadline per period, not every request.
import type { LocalRateLimiter } from './local.js'
import { RedisDeadlineError, type RedisRateLimiter, type RedisRateLimiterStats } from './redis.js'
import type { ReplicaCount } from './replicas.js'
import type { LimitDecision, LimitLease, RateLimitContext, RateLimiter, TokenEstimate } from './types.js'

export type Backend = 'redis' | 'local'

/** After a failed Redis call, stay local this long before probing Redis again. */
export const REDIS_RETRY_MS = 1000

export interface FailoverStats extends RedisRateLimiterStats {
  readonly backend: Backend
  /** Decisions made by the local fallback. */
  readonly localDecisions: number
  /** Failed Redis calls (deadline misses, connection errors, script errors). */
  readonly redisErrors: number
  /** Switches between Redis and local, each way. */
  readonly switches: number
  /** Replicas seen through Redis heartbeats; null until one was answered. */
  readonly replicas: number | null
  /** The share of each limit the fallback holds now. */
  readonly localShare: number
}

/** Called on each switch (not per request): the place to log and count it. */
export type SwitchListener = (to: Backend, error: unknown) => void

export interface FailoverOptions {
  readonly onSwitch?: SwitchListener
  /** `rateLimits.redis.localShare`: the most of each limit one replica takes alone (default 1). */
  readonly localShare?: number
  /** Replicas seen through Redis (ReplicaRegistry); each holds at most 1 / count of a limit. */
  readonly replicas?: ReplicaCount
}

const ignoreSwitch: SwitchListener = () => {}
const NOT_READY = 'Redis connection is not ready'

export class FailoverRateLimiter implements RateLimiter {
  private backend: Backend = 'redis'
  private retryAtMs = -Infinity
  /** The last failure was a missed deadline on a live connection: probe with one request at a time. */
  private hung = false
  /** A probe of a hung Redis is in flight: the other requests stay local meanwhile. */
  private probing = false
  /** Counts failures: only an answer to a call made since the last failure brings Redis back. */
  private epoch = 0
  private localDecisions = 0
  private redisErrors = 0
  private switches = 0
  private readonly onSwitch: SwitchListener
  private readonly localShare: number
  private readonly replicas: ReplicaCount | undefined

  constructor(
    private readonly redis: RedisRateLimiter,
    private readonly local: LocalRateLimiter,
    options: FailoverOptions = {},
  ) {
    this.onSwitch = options.onSwitch ?? ignoreSwitch
    this.localShare = options.localShare ?? 1
    this.replicas = options.replicas
    this.local.setShare(this.share())
  }

  acquire(ctx: RateLimitContext, estimate: TokenEstimate, enforce: boolean, nowMs: number): LimitDecision | Promise<LimitDecision> {
    if (!this.redis.available) return this.fallback(ctx, estimate, enforce, nowMs, NOT_READY)
    if (this.backend === 'local' && (nowMs < this.retryAtMs || (this.hung && this.probing))) return this.fallback(ctx, estimate, enforce, nowMs, undefined)
    const pending = this.redis.acquire(ctx, estimate, enforce, nowMs)
    if (!(pending instanceof Promise)) return pending // no rule matched
    const probe = this.backend === 'local' && this.hung
    if (probe) this.probing = true
    const epoch = this.epoch
    const started = performance.now()
    return pending.then(
      (decision) => {
        if (probe) this.probing = false
        if (epoch === this.epoch) {
          this.hung = false
          this.switchTo('redis', undefined)
        }
        return decision
      },
      (error: unknown) => {
        if (probe) this.probing = false
        return this.fail(ctx, estimate, enforce, nowMs + (performance.now() - started), error)
      },
    )
  }

  settle(lease: LimitLease, actualTokens: number | undefined, nowMs: number, refund = false): void | Promise<void> {
    if (lease.backend === 'redis') return this.redis.settle(lease, actualTokens, nowMs, refund)
    return this.local.settle(lease, actualTokens, nowMs, refund)
  }

  stats(): FailoverStats {
    return {
      backend: this.backend,
      localDecisions: this.localDecisions,
      redisErrors: this.redisErrors,
      switches: this.switches,
      ...this.redis.stats(),
      replicas: this.replicas?.count ?? null,
      localShare: this.share(),
    }
  }

  /** min(localShare, 1 / replicas seen); localShare alone until a count is known. */
  private share(): number {
    const count = this.replicas?.count
    return count === undefined || count <= 1 ? this.localShare : Math.min(this.localShare, 1 / count)
  }

  /** `failedAtMs`: when the failure arrived, on the caller's clock (a deadline miss arrives deadlineMs after the call). */
  private fail(ctx: RateLimitContext, estimate: TokenEstimate, enforce: boolean, failedAtMs: number, error: unknown): LimitDecision {
    this.redisErrors++
    this.epoch++
    this.hung = error instanceof RedisDeadlineError
    this.retryAtMs = failedAtMs + REDIS_RETRY_MS
    return this.fallback(ctx, estimate, enforce, failedAtMs, error)
  }

  private fallback(ctx: RateLimitContext, estimate: TokenEstimate, enforce: boolean, nowMs: number, error: unknown): LimitDecision {
    if (this.backend !== 'local') this.switchTo('local', typeof error === 'string' ? new Error(error) : error)
    this.localDecisions++
    const share = this.share()
    if (share !== this.local.share) this.local.setShare(share)
    return this.local.acquire(ctx, estimate, enforce, nowMs)
  }

  private switchTo(backend: Backend, error: unknown): void {
    if (this.backend === backend) return
    this.backend = backend
    this.switches++
    this.onSwitch(backend, error)
  }
}
