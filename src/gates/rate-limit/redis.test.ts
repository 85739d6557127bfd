// The Redis limiter against a real redis-server, with two connections playing two replicas.
import { Redis } from 'ioredis'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startRedis, type RedisServer } from '../../../test/support/redis.js'
import { LocalRateLimiter } from './local.js'
import { RedisRateLimiter } from './redis.js'
import { rateLimitsConfig } from './schema.js'
import type { LimitDecision, RateLimitContext, TokenEstimate } from './types.js'

const T0 = 1_800_000_000_000
const ctx = (targetingKey = 'u1'): RateLimitContext => ({ client: 'app', tenant: 'shop', targetingKey, route: 'r', provider: 'openai', model: 'm' })
const none: TokenEstimate = { inputTokens: 0, maxOutputTokens: 0 }

let server: RedisServer
let clients: Redis[]

beforeAll(async () => {
  server = await startRedis()
  clients = [new Redis(server.url), new Redis(server.url)]
})
afterAll(async () => {
  for (const client of clients) client.disconnect()
  await server.stop()
})
beforeEach(async () => {
  await clients[0]!.flushall()
})

/** One limiter per connection: two replicas sharing one Redis. `clock: local` lets tests set the time. */
function replicas(rules: unknown[], clock: 'local' | 'redis' = 'local'): RedisRateLimiter[] {
  const config = rateLimitsConfig({ rules, redis: { clock, leaseSeconds: 30 } })
  return clients.map((client) => new RedisRateLimiter(client, config))
}

/** `n` acquires in flight at once, alternating between the replicas. */
async function burst(limiters: RedisRateLimiter[], n: number, estimate = none, nowMs = T0): Promise<LimitDecision[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => limiters[i % limiters.length]!.acquire(ctx(), estimate, true, nowMs)))
}
const allowed = (decisions: LimitDecision[]): number => decisions.filter((d) => d.allowed).length

describe('RedisRateLimiter', () => {
  it('admits exactly the limit across two replicas, out of 1000 concurrent requests', async () => {
    expect(allowed(await burst(replicas([{ name: 'r', requests: { limit: 100, windowSeconds: 60 } }]), 1000))).toBe(100)
    expect(allowed(await burst(replicas([{ name: 'c', concurrent: 100 }]), 1000))).toBe(100)
    const tokens = replicas([{ name: 't', tokens: { limit: 70_000, windowSeconds: 60 } }])
    expect(allowed(await burst(tokens, 1000, { inputTokens: 300, maxOutputTokens: 400 }))).toBe(100)
  })

  it('is exact on the Redis server clock too', async () => {
    expect(allowed(await burst(replicas([{ name: 'r', requests: { limit: 7, windowSeconds: 60 } }], 'redis'), 1000, none, 0))).toBe(7)
  })

  it('decides exactly as the local limiter does', async () => {
    const rules = [
      { name: 'user', key: ['user'], requests: { limit: 5, windowSeconds: 10 }, tokens: { limit: 1500, windowSeconds: 60 } },
      { name: 'tenant', key: ['tenant'], requests: { limit: 10, windowSeconds: 60 }, concurrent: 3 },
    ]
    const local = new LocalRateLimiter(rateLimitsConfig({ rules }))
    const [a, b] = replicas(rules)
    // Requests 1.7 s apart over three users; each settles three requests later, so up to four
    // are in flight and every kind of limit is hit along the way.
    const inFlight: Array<[LimitDecision, LimitDecision, number | undefined]> = []
    const denials = new Set<string>()
    for (let i = 0; i < 60; i++) {
      const now = T0 + i * 1700
      const estimate = { inputTokens: 100, maxOutputTokens: (i * 37) % 900 }
      const expected = local.acquire(ctx(`u${i % 3}`), estimate, true, now)
      const got = await (i % 2 === 0 ? a! : b!).acquire(ctx(`u${i % 3}`), estimate, true, now)
      expect({ ...got, lease: undefined }).toEqual({ ...expected, lease: undefined })
      if (expected.deniedBy !== undefined) denials.add(expected.deniedBy.kind)
      inFlight.push([expected, got, i % 4 === 0 ? undefined : (i * 53) % 1100])
      if (inFlight.length > 3) {
        const [e, g, actual] = inFlight.shift()!
        local.settle(e.lease, actual, now + 500)
        await (i % 2 === 0 ? b! : a!).settle(g.lease, actual, now + 500)
      }
    }
    expect([...denials].sort()).toEqual(['concurrent', 'requests', 'tokens'])
  })

  it('refunds and charges token differences on settle, from either replica', async () => {
    const [a, b] = replicas([{ name: 't', tokens: { limit: 1000, windowSeconds: 60 } }])
    const first = await a!.acquire(ctx(), { inputTokens: 100, maxOutputTokens: 500 }, true, T0)
    const second = await b!.acquire(ctx(), { inputTokens: 100, maxOutputTokens: 300 }, true, T0)
    expect(second.limits[0]!.remaining).toBe(0)
    await b!.settle(first.lease, 150, T0) // refund 450
    expect((await a!.acquire(ctx(), { inputTokens: 450, maxOutputTokens: 0 }, true, T0)).allowed).toBe(true)
    await a!.settle(second.lease, 600, T0) // charge 200 more
    const over = await b!.acquire(ctx(), { inputTokens: 1, maxOutputTokens: 0 }, true, T0)
    expect(over).toMatchObject({ allowed: false, retryAfterSeconds: 13, deniedBy: { rule: 't', kind: 'tokens' } })
    expect((await b!.acquire(ctx(), { inputTokens: 1, maxOutputTokens: 0 }, true, T0 + 12_060)).allowed).toBe(true)
  })

  it('frees concurrency slots on settle, and lets a dead replica\'s slots lapse after leaseSeconds', async () => {
    const [a, b] = replicas([{ name: 'c', concurrent: 2 }])
    const held = await a!.acquire(ctx(), none, true, T0)
    await a!.acquire(ctx(), none, true, T0) // this replica "dies" holding the slot
    expect((await b!.acquire(ctx(), none, true, T0)).allowed).toBe(false)
    await b!.settle(held.lease, 0, T0)
    const third = await b!.acquire(ctx(), none, true, T0)
    expect(third.allowed).toBe(true)
    await b!.settle(third.lease, 0, T0)
    await b!.settle(third.lease, 0, T0) // ignored
    expect((await b!.acquire(ctx(), none, true, T0 + 1)).allowed).toBe(true)
    expect((await b!.acquire(ctx(), none, true, T0 + 1)).allowed).toBe(false)
    expect((await b!.acquire(ctx(), none, true, T0 + 30_001)).allowed).toBe(true) // both lapsed
  })

  it('refills over the window and reports monitor-mode would-blocks', async () => {
    const [a, b] = replicas([{ name: 'r', requests: { limit: 2, windowSeconds: 10 } }])
    const at = (limiter: RedisRateLimiter, nowMs: number, enforce = true): Promise<LimitDecision> => limiter.acquire(ctx(), none, enforce, nowMs) as Promise<LimitDecision>
    expect((await at(a!, T0)).allowed).toBe(true)
    expect((await at(b!, T0)).allowed).toBe(true)
    expect(await at(a!, T0 + 1000, false)).toMatchObject({ allowed: true, wouldBlock: true, retryAfterSeconds: 4 })
    expect((await at(b!, T0 + 5000)).allowed).toBe(true)
    expect((await at(a!, T0 + 5000)).allowed).toBe(false)
  })

  it('skips Redis when no rule matches', () => {
    const [a] = replicas([{ name: 'r', match: { model: 'other' }, requests: { limit: 1, windowSeconds: 1 } }])
    expect(a!.acquire(ctx(), none, true, T0)).toMatchObject({ allowed: true, limits: [] })
  })
})

describe('a refund (the request was refused by a later gate)', () => {
  it.each([
    { name: 'without refunds the limit is spent', refund: false, admitted: 2 },
    { name: 'each refunded request gives its charge back', refund: true, admitted: 6 },
  ])('$name', async ({ refund, admitted }) => {
    const [limiter] = replicas([{ name: 'two', key: ['user'], requests: { limit: 2, windowSeconds: 3600 } }])
    let count = 0
    for (let i = 0; i < 6; i++) {
      const decision = await limiter!.acquire(ctx(), none, true, T0)
      if (!decision.allowed) continue
      count++
      await limiter!.settle(decision.lease, 0, T0, refund)
    }
    expect(count).toBe(admitted)
  })
})
