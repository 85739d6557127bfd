// Redis outage: the failover limiter goes local with `localShare` of each limit, then back to Redis.
import { once } from 'node:events'
import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startRedis, type RedisServer } from '../../../test/support/redis.js'
import { FailoverRateLimiter, REDIS_RETRY_MS, type Backend } from './failover.js'
import { connectRateLimitRedis } from './index.js'
import { LocalRateLimiter } from './local.js'
import { RedisRateLimiter } from './redis.js'
import { rateLimitsConfig } from './schema.js'
import type { LimitDecision, LimitLease, RateLimitContext } from './types.js'

const T0 = 1_800_000_000_000
const ctx: RateLimitContext = { client: 'app', tenant: 'shop', targetingKey: 'u1', route: 'r', provider: 'openai', model: 'm' }
const none = { inputTokens: 0, maxOutputTokens: 0 }
const config = rateLimitsConfig({
  rules: [{ name: 'r', requests: { limit: 10, windowSeconds: 60 }, concurrent: 100 }],
  redis: { clock: 'local', localShare: 0.5, commandTimeoutMs: 50 },
})

let server: RedisServer
let client: Redis
let limiter: FailoverRateLimiter
const switches: Array<[Backend, string]> = []
const settleErrors: unknown[] = []

beforeAll(async () => {
  server = await startRedis()
  client = connectRateLimitRedis(server.url, config.redis)
  await once(client, 'ready')
  const redis = new RedisRateLimiter(client, config, { onSettleError: (error) => settleErrors.push(error) })
  limiter = new FailoverRateLimiter(redis, new LocalRateLimiter(config, config.redis.localShare), (to, error) => {
    switches.push([to, error instanceof Error ? error.message : String(error)])
  })
})
afterAll(async () => {
  client.disconnect()
  await server.stop()
})

async function acquireMany(n: number, nowMs: number): Promise<LimitDecision[]> {
  const out: LimitDecision[] = []
  for (let i = 0; i < n; i++) out.push(await limiter.acquire(ctx, none, true, nowMs))
  return out
}
const allowed = (decisions: LimitDecision[]): number => decisions.filter((d) => d.allowed).length

describe('FailoverRateLimiter', () => {
  let redisLease: LimitLease
  it('uses Redis while it is up', async () => {
    const decisions = await acquireMany(4, T0)
    expect(allowed(decisions)).toBe(4)
    expect(decisions[0]!.lease.backend).toBe('redis')
    redisLease = decisions[0]!.lease
    expect(limiter.stats()).toEqual({ backend: 'redis', localDecisions: 0, redisErrors: 0, switches: 0 })
  })

  it('falls back to a local limiter with localShare of the limit while Redis is down, and says so once', async () => {
    const closed = once(client, 'close')
    await server.kill()
    await closed
    const pending = limiter.acquire(ctx, none, true, T0)
    expect(pending).not.toBeInstanceOf(Promise) // no awaits while down
    const decisions = [pending as LimitDecision, ...(await acquireMany(19, T0))]
    expect(allowed(decisions)).toBe(5) // 10 × 0.5, counted locally
    expect(decisions[0]!.lease.backend).toBe('local')
    expect(switches).toEqual([['local', 'Redis connection is not ready']])
    expect(limiter.stats()).toMatchObject({ backend: 'local', localDecisions: 20, switches: 1 })
    // A lease taken on Redis settles there; the failure is reported, never thrown.
    await limiter.settle(redisLease, 0, T0)
    expect(settleErrors).toHaveLength(1)
  })

  it('goes back to Redis once it is reachable again', async () => {
    await server.restart()
    if (client.status !== 'ready') await once(client, 'ready')
    const decisions = await acquireMany(12, T0 + 1)
    expect(allowed(decisions)).toBe(10) // a fresh Redis: the full fleet-wide limit
    expect(decisions[0]!.lease.backend).toBe('redis')
    expect(switches.map(([to]) => to)).toEqual(['local', 'redis'])
  })

  it('treats a Redis that stops answering as down, and retries it after REDIS_RETRY_MS', async () => {
    const pauser = connectRateLimitRedis(server.url, config.redis)
    await once(pauser, 'ready')
    await pauser.call('CLIENT', 'PAUSE', '5000', 'WRITE') // scripts wait; UNPAUSE still runs
    const now = T0 + 120_000
    const timedOut = await limiter.acquire(ctx, none, true, now) // waits out commandTimeoutMs (50 ms)
    expect(timedOut.lease.backend).toBe('local')
    expect(switches.at(-1)![1]).toMatch(/timed out/i)
    expect(limiter.acquire(ctx, none, true, now + REDIS_RETRY_MS - 1)).not.toBeInstanceOf(Promise)
    await pauser.call('CLIENT', 'UNPAUSE')
    pauser.disconnect()
    expect((await limiter.acquire(ctx, none, true, now + REDIS_RETRY_MS)).lease.backend).toBe('redis')
    expect(limiter.stats()).toMatchObject({ backend: 'redis', redisErrors: 1, switches: 4 })
    // The timed-out acquire ran once Redis resumed, but its slot was released right behind it:
    // held are only the 10 unsettled leases since the restart and the last one.
    expect(await client.zcard('sluice:rl:r:c')).toBe(11)
  })
})
