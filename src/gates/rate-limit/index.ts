// The rate-limit engine's public face: build the limiter the config asks for.
import { Redis } from 'ioredis'
import { FailoverRateLimiter, type SwitchListener } from './failover.js'
import { LocalRateLimiter } from './local.js'
import { RedisRateLimiter } from './redis.js'
import type { RateLimitsConfig } from './schema.js'

export { FailoverRateLimiter, REDIS_RETRY_MS, type Backend, type FailoverStats, type SwitchListener } from './failover.js'
export { formatDuration, writeRateLimitHeaders } from './headers.js'
export { LocalRateLimiter, type LocalRateLimiterStats } from './local.js'
export { RedisRateLimiter, type RedisRateLimiterOptions } from './redis.js'
export { RateLimitsSchema, rateLimitProblems, type RateLimitRule, type RateLimitsConfig } from './schema.js'
export * from './types.js'

/**
 * A Redis connection fit for the limiter: commands fail at once while disconnected (no offline
 * queue, no retries) and after `commandTimeoutMs`, so the fallback takes over instead of requests
 * queueing; it reconnects in the background (≤ 2 s apart) and the limiter resumes on 'ready'.
 */
export function connectRateLimitRedis(url: string, config: RateLimitsConfig['redis']): Redis {
  return new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: config.commandTimeoutMs,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
  })
}

export interface RateLimiterEvents {
  /** Redis ↔ local switches (fallback `local`). */
  readonly onSwitch?: SwitchListener
  /** A Redis settle failed; its reservation stays charged and its slot lapses after leaseSeconds. */
  readonly onSettleError?: (error: unknown) => void
}

/** Local without Redis; with Redis, shared counters plus the configured fallback. */
export function createRateLimiter(
  config: RateLimitsConfig,
  redis?: Redis,
  events: RateLimiterEvents = {},
): LocalRateLimiter | RedisRateLimiter | FailoverRateLimiter {
  if (redis === undefined) return new LocalRateLimiter(config)
  const shared = new RedisRateLimiter(redis, config, { onSettleError: events.onSettleError })
  if (config.redis.fallback === 'none') return shared
  return new FailoverRateLimiter(shared, new LocalRateLimiter(config, config.redis.localShare), events.onSwitch)
}
