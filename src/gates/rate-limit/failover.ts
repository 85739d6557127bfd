// Redis fail mode (SPEC §8/§12, issue #4 item 5): while Redis is unreachable, limit in-process
// with `localShare` of each limit, so a fleet of R replicas with share 1/R stays near the global
// limit; when Redis is back, use it again. Leases settle where they were taken.
import type { LocalRateLimiter } from './local.js'
import type { RedisRateLimiter } from './redis.js'
import type { LimitDecision, LimitLease, RateLimitContext, RateLimiter, TokenEstimate } from './types.js'

export type Backend = 'redis' | 'local'

/** After a failed Redis call, stay local this long before trying Redis again: a slow or dying
 * Redis must not cost every request a command timeout. */
export const REDIS_RETRY_MS = 1000

export interface FailoverStats {
  readonly backend: Backend
  /** Decisions made by the local fallback. */
  readonly localDecisions: number
  /** Failed Redis calls (timeouts, connection errors, script errors). */
  readonly redisErrors: number
  /** Switches between Redis and local, each way. */
  readonly switches: number
}

/** Called on each switch (not per request): the place to log and count it. */
export type SwitchListener = (to: Backend, error: unknown) => void

const ignoreSwitch: SwitchListener = () => {}

export class FailoverRateLimiter implements RateLimiter {
  private backend: Backend = 'redis'
  private retryAtMs = -Infinity
  private localDecisions = 0
  private redisErrors = 0
  private switches = 0

  /** `local` should be built with `localShare` (new LocalRateLimiter(config, config.redis.localShare)). */
  constructor(
    private readonly redis: RedisRateLimiter,
    private readonly local: LocalRateLimiter,
    private readonly onSwitch: SwitchListener = ignoreSwitch,
  ) {}

  acquire(ctx: RateLimitContext, estimate: TokenEstimate, enforce: boolean, nowMs: number): LimitDecision | Promise<LimitDecision> {
    if (!this.redis.available || nowMs < this.retryAtMs) return this.fallback(ctx, estimate, enforce, nowMs, undefined)
    const pending = this.redis.acquire(ctx, estimate, enforce, nowMs)
    if (!(pending instanceof Promise)) return pending // no rule matched
    return pending.then(
      (decision) => {
        this.switchTo('redis', undefined)
        return decision
      },
      (error: unknown) => this.fail(ctx, estimate, enforce, nowMs, error),
    )
  }

  settle(lease: LimitLease, actualTokens: number | undefined, nowMs: number): void | Promise<void> {
    if (lease.backend === 'redis') return this.redis.settle(lease, actualTokens, nowMs)
    return this.local.settle(lease, actualTokens, nowMs)
  }

  stats(): FailoverStats {
    return { backend: this.backend, localDecisions: this.localDecisions, redisErrors: this.redisErrors, switches: this.switches }
  }

  private fail(ctx: RateLimitContext, estimate: TokenEstimate, enforce: boolean, nowMs: number, error: unknown): LimitDecision {
    this.redisErrors++
    this.retryAtMs = nowMs + REDIS_RETRY_MS
    return this.fallback(ctx, estimate, enforce, nowMs, error)
  }

  private fallback(ctx: RateLimitContext, estimate: TokenEstimate, enforce: boolean, nowMs: number, error: unknown): LimitDecision {
    if (this.backend !== 'local') this.switchTo('local', error ?? new Error('Redis connection is not ready'))
    this.localDecisions++
    return this.local.acquire(ctx, estimate, enforce, nowMs)
  }

  private switchTo(backend: Backend, error: unknown): void {
    if (this.backend === backend) return
    this.backend = backend
    this.switches++
    this.onSwitch(backend, error)
  }
}
