// Redis fail mode: a slow Redis is waited for; an outage or a missed deadline sends decisions to
// a local limiter holding min(localShare, 1 / replicas seen) of each limit; Redis again once back.
import { once } from 'node:events'
import { Redis } from 'ioredis'
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
  redis: { clock: 'local', localShare: 0.5, commandTimeoutMs: 20, deadlineMs: 200 },
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
  limiter = new FailoverRateLimiter(redis, new LocalRateLimiter(config), {
    localShare: config.redis.localShare,
    onSwitch: (to, error) => switches.push([to, error instanceof Error ? error.message : String(error)]),
  })
})
afterAll(async () => {
  client.disconnect()
  await server.stop()
})

async function acquireMany(l: FailoverRateLimiter, n: number, nowMs: number): Promise<LimitDecision[]> {
  const out: LimitDecision[] = []
  for (let i = 0; i < n; i++) out.push(await l.acquire(ctx, none, true, nowMs))
  return out
}
const allowed = (decisions: LimitDecision[]): number => decisions.filter((d) => d.allowed).length

/** A second connection that pauses the server's writes (scripts wait; UNPAUSE still runs). */
async function pause(ms: number): Promise<() => Promise<void>> {
  const pauser = connectRateLimitRedis(server.url, config.redis)
  await once(pauser, 'ready')
  await pauser.call('CLIENT', 'PAUSE', String(ms), 'WRITE')
  return async () => {
    await pauser.call('CLIENT', 'UNPAUSE')
    pauser.disconnect()
  }
}

describe('FailoverRateLimiter', () => {
  let redisLease: LimitLease
  it('uses Redis while it is up', async () => {
    const decisions = await acquireMany(limiter, 4, T0)
    expect(allowed(decisions)).toBe(4)
    expect(decisions[0]!.lease.backend).toBe('redis')
    redisLease = decisions[0]!.lease
    // (slowCalls is not asserted: on a busy machine a call may take longer than 20 ms.)
    expect(limiter.stats()).toMatchObject({ backend: 'redis', localDecisions: 0, redisErrors: 0, switches: 0, deadlineMisses: 0, replicas: null, localShare: 0.5 })
  })

  it('waits for a Redis slower than commandTimeoutMs instead of falling back (slow is not down)', async () => {
    const unpause = await pause(5000)
    const slowBefore = limiter.stats().slowCalls
    const pending = limiter.acquire(ctx, none, true, T0)
    setTimeout(() => void unpause(), 80) // 4 × commandTimeoutMs, well within deadlineMs
    const decision = await pending
    expect(decision.lease.backend).toBe('redis')
    expect(limiter.stats()).toMatchObject({ backend: 'redis', localDecisions: 0, redisErrors: 0, switches: 0, slowCalls: slowBefore + 1, deadlineMisses: 0 })
    await limiter.settle(decision.lease, 0, T0)
  })

  it('falls back to a local limiter with localShare of the limit while Redis is down, and says so once', async () => {
    const closed = once(client, 'close')
    await server.kill()
    await closed
    const pending = limiter.acquire(ctx, none, true, T0)
    expect(pending).not.toBeInstanceOf(Promise) // no awaits while down
    const decisions = [pending as LimitDecision, ...(await acquireMany(limiter, 19, T0))]
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
    const decisions = await acquireMany(limiter, 12, T0 + 1)
    expect(allowed(decisions)).toBe(10) // a fresh Redis: the full fleet-wide limit
    expect(decisions[0]!.lease.backend).toBe('redis')
    expect(switches.map(([to]) => to)).toEqual(['local', 'redis'])
  })

  it('treats a Redis that does not answer within deadlineMs as down, then probes it with one request after REDIS_RETRY_MS', async () => {
    const unpause = await pause(5000)
    const now = T0 + 120_000
    const started = performance.now()
    const timedOut = await limiter.acquire(ctx, none, true, now) // waits out deadlineMs (200 ms)
    expect(performance.now() - started).toBeGreaterThanOrEqual(190)
    expect(timedOut.lease.backend).toBe('local')
    expect(switches.at(-1)).toEqual(['local', 'Redis did not answer within deadlineMs (200 ms)'])
    // The retry period runs from when the failure arrived (≥ 190 ms after the call).
    expect(limiter.acquire(ctx, none, true, now + REDIS_RETRY_MS)).not.toBeInstanceOf(Promise)
    // Once it is over, one request probes Redis; while it waits, the others stay local.
    const later = now + 1000 + REDIS_RETRY_MS
    const probe = limiter.acquire(ctx, none, true, later)
    expect(probe).toBeInstanceOf(Promise)
    expect(limiter.acquire(ctx, none, true, later)).not.toBeInstanceOf(Promise)
    await unpause()
    expect((await probe).lease.backend).toBe('redis')
    expect(limiter.stats()).toMatchObject({ backend: 'redis', redisErrors: 1, deadlineMisses: 1, switches: 4 })
    // The timed-out acquire ran once Redis resumed, but its slot was released right behind it:
    // held are only the 10 unsettled leases since the restart and the probe's.
    expect(await client.zcard('sluice:rl:r:c')).toBe(11)
  })
})

describe('the local share', () => {
  /** A failover limiter whose Redis connection never comes up, so every decision is local. */
  function offline(localShare: number, replicas: { count: number | undefined }): { limiter: FailoverRateLimiter; close: () => void } {
    const down = new Redis(server.url, { lazyConnect: true })
    const redis = new RedisRateLimiter(down, config)
    return { limiter: new FailoverRateLimiter(redis, new LocalRateLimiter(config), { localShare, replicas }), close: () => down.disconnect() }
  }

  it('is min(localShare, 1 / replicas seen), rounded down per limit, so the fleet admits at most the limit', async () => {
    const replicas = { count: undefined as number | undefined }
    const { limiter: l, close } = offline(1, replicas)
    expect(allowed(await acquireMany(l, 20, T0))).toBe(10) // no count seen yet: localShare alone
    replicas.count = 3
    expect(allowed(await acquireMany(l, 20, T0 + 60_000))).toBe(3) // 10 / 3 rounded down: 3 replicas admit 9 ≤ 10
    expect(l.stats()).toMatchObject({ replicas: 3, localShare: 1 / 3 })
    close()
    const capped = offline(0.25, { count: 2 })
    expect(allowed(await acquireMany(capped.limiter, 20, T0))).toBe(2) // localShare 0.25 is below 1 / 2
    capped.close()
  })

  it('keeps the fraction of each limit already used when the replica count changes', async () => {
    const replicas = { count: 3 as number | undefined }
    const { limiter: l, close } = offline(1, replicas)
    expect(allowed(await acquireMany(l, 5, T0))).toBe(3) // 3 × 3 × 6 s: 54 s of the 60 s window used
    replicas.count = 2
    expect(allowed(await acquireMany(l, 5, T0))).toBe(0) // a half share of the 6 s left is not a whole request
    replicas.count = 1
    expect(allowed(await acquireMany(l, 5, T0))).toBe(1) // the whole limit: the 6 s left are one request
    close()
  })

  it('admits nothing locally when a limit is smaller than the replica count, with a retryable denial', async () => {
    const tiny = rateLimitsConfig({ rules: [{ name: 'one', requests: { limit: 1, windowSeconds: 60 } }] })
    const down = new Redis(server.url, { lazyConnect: true })
    const l = new FailoverRateLimiter(new RedisRateLimiter(down, tiny), new LocalRateLimiter(tiny), { localShare: 1, replicas: { count: 2 } })
    const denied = (await l.acquire(ctx, none, true, T0)) as LimitDecision
    expect(denied).toMatchObject({ allowed: false, deniedBy: { rule: 'one', kind: 'requests', tooLarge: false }, retryAfterSeconds: 60 })
    expect(denied.limits[0]).toMatchObject({ limit: 0, remaining: 0 })
    down.disconnect()
  })
})
