// The rate-limit engine's public face: build the limiter the config asks for.
import { Redis } from 'ioredis'
import { FailoverRateLimiter, type SwitchListener } from './failover.js'
import { LocalRateLimiter } from './local.js'
import { RedisRateLimiter } from './redis.js'
import { ReplicaRegistry } from './replicas.js'
import type { RateLimitsConfig } from './schema.js'

export { FailoverRateLimiter, REDIS_RETRY_MS, type Backend, type FailoverOptions, type FailoverStats, type SwitchListener } from './failover.js'
export { formatDuration, writeRateLimitHeaders } from './headers.js'
export { LocalRateLimiter, type LocalRateLimiterStats } from './local.js'
export { RedisConnectionLostError, RedisDeadlineError, RedisRateLimiter, type RedisRateLimiterOptions, type RedisRateLimiterStats } from './redis.js'
export { HEARTBEAT_MS, REPLICA_TTL_MS, ReplicaRegistry, type ReplicaCount } from './replicas.js'
export { RateLimitsSchema, rateLimitProblems, type RateLimitRule, type RateLimitsConfig } from './schema.js'
export * from './types.js'

/**
 * A Redis connection fit for the limiter: commands fail at once while disconnected (no offline
 * queue, no retries; a connection that drops fails the calls it had sent), so the fallback takes
 * over instead of requests queueing; it reconnects in the background (≤ 2 s apart) and the
 * limiter resumes on 'ready'. A slow answer is waited for: the limiter itself gives an acquire
 * `deadlineMs`; the connection's own timeout is only a backstop twice that (it also bounds the
 * ready check, settles and heartbeats), never the short `commandTimeoutMs` — a ready check that
 * timed out would drop a healthy connection, and with it every decision, to the fallback.
 * No auto-pipelining: batching an iteration's acquires into one write made acquires behind a
 * slow Redis miss their deadline and fall back to local decisions (test/e2e/fleet-limits.test.ts).
 */
export function connectRateLimitRedis(url: string, config: RateLimitsConfig['redis']): Redis {
  return new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 2 * config.deadlineMs,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
  })
}

export interface RateLimiterEvents {
  /** Redis ↔ local switches (fallback `local`). */
  readonly onSwitch?: SwitchListener
  /** A Redis settle failed; its reservation stays charged and its slot lapses after leaseSeconds. */
  readonly onSettleError?: (error: unknown) => void
}

/**
 * Local without Redis; with Redis, shared counters plus the configured fallback, whose share is
 * min(localShare, 1 / replicas seen). The replica heartbeat runs until the connection ends.
 */
export function createRateLimiter(
  config: RateLimitsConfig,
  redis?: Redis,
  events: RateLimiterEvents = {},
): LocalRateLimiter | RedisRateLimiter | FailoverRateLimiter {
  if (redis === undefined) return new LocalRateLimiter(config)
  const shared = new RedisRateLimiter(redis, config, { onSettleError: events.onSettleError })
  if (config.redis.fallback === 'none') return shared
  const replicas = new ReplicaRegistry(redis, config.redis.keyPrefix).start()
  return new FailoverRateLimiter(shared, new LocalRateLimiter(config), { onSwitch: events.onSwitch, localShare: config.redis.localShare, replicas })
}
