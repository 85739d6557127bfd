// The local key space is bounded, and evicting a counter never loosens its limit.
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import { LocalRateLimiter } from './local.js'
import { rateLimitsConfig } from './schema.js'
import type { RateLimitContext } from './types.js'

const T0 = 1_800_000_000_000
const user = (targetingKey: string): RateLimitContext => ({ client: 'app', tenant: 'shop', targetingKey, route: 'r', provider: 'openai', model: 'm' })
const none = { inputTokens: 0, maxOutputTokens: 0 }

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void
const heapUsed = (): number => {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

describe('local key space', () => {
  it('holds at most maxLocalKeys counters; 100,000 keys cost a bounded, reported amount of heap', () => {
    const rules = [{ name: 'per-user', key: ['tenant', 'user'], requests: { limit: 60, windowSeconds: 60 }, tokens: { limit: 100_000, windowSeconds: 60 } }]
    const before = heapUsed()
    const limiter = new LocalRateLimiter(rateLimitsConfig({ rules, maxLocalKeys: 100_000 }))
    for (let i = 0; i < 100_000; i++) limiter.acquire(user(`user-${i}`), none, true, T0)
    const full = heapUsed() - before
    expect(limiter.stats()).toEqual({ keys: 100_000, pinned: 0, sketchBytes: 0 })
    // A flood of 200,000 more distinct users: the LRU stays at its bound, the sketch is fixed-size.
    for (let i = 100_000; i < 300_000; i++) limiter.acquire(user(`user-${i}`), none, true, T0 + 1)
    const flooded = heapUsed() - before
    const stats = limiter.stats()
    expect(stats.keys).toBe(100_000)
    expect(stats.sketchBytes).toBe(2 * 2 * 65_536 * 8)
    console.log(`100,000 keys: ${(full / 2 ** 20).toFixed(1)} MiB (${Math.round(full / 100_000)} B/key); after 300,000 distinct keys: ${(flooded / 2 ** 20).toFixed(1)} MiB`)
    expect(full).toBeLessThan(60 * 2 ** 20)
    expect(flooded - full).toBeLessThan(10 * 2 ** 20)
  })

  it('an evicted counter comes back no fresher than it left', () => {
    const limiter = new LocalRateLimiter(rateLimitsConfig({ rules: [{ name: 'u', key: ['user'], requests: { limit: 3, windowSeconds: 60 } }], maxLocalKeys: 10 }))
    for (let i = 0; i < 3; i++) expect(limiter.acquire(user('a'), none, true, T0).allowed).toBe(true)
    for (let i = 0; i < 50; i++) limiter.acquire(user(`flood-${i}`), none, true, T0)
    expect(limiter.stats().keys).toBe(10)
    expect(limiter.acquire(user('a'), none, true, T0)).toMatchObject({ allowed: false, retryAfterSeconds: 20 })
    expect(limiter.acquire(user('a'), none, true, T0 + 20_000).allowed).toBe(true)
  })

  it('a counter with requests in flight is pinned, not evicted, until they settle', () => {
    const limiter = new LocalRateLimiter(rateLimitsConfig({ rules: [{ name: 'c', key: ['user'], concurrent: 1 }], maxLocalKeys: 10 }))
    const held = limiter.acquire(user('a'), none, true, T0)
    for (let i = 0; i < 50; i++) limiter.settle(limiter.acquire(user(`flood-${i}`), none, true, T0).lease, 0, T0)
    expect(limiter.stats().pinned).toBe(1)
    expect(limiter.acquire(user('a'), none, true, T0).allowed).toBe(false)
    limiter.settle(held.lease, 0, T0)
    expect(limiter.acquire(user('a'), none, true, T0).allowed).toBe(true)
  })

  it('a token overcharge settled after eviction still counts', () => {
    const rules = [{ name: 't', key: ['user'], tokens: { limit: 100, windowSeconds: 100 } }]
    const limiter = new LocalRateLimiter(rateLimitsConfig({ rules, maxLocalKeys: 10 }))
    const a = limiter.acquire(user('a'), { inputTokens: 10, maxOutputTokens: 0 }, true, T0)
    for (let i = 0; i < 50; i++) limiter.acquire(user(`flood-${i}`), none, true, T0)
    limiter.settle(a.lease, 100, T0) // 90 more than reserved, after 'a' left the LRU
    expect(limiter.acquire(user('a'), { inputTokens: 1, maxOutputTokens: 0 }, true, T0).allowed).toBe(false)
    expect(limiter.acquire(user('a'), { inputTokens: 1, maxOutputTokens: 0 }, true, T0 + 1000).allowed).toBe(true)
  })
})
