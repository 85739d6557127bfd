import { describe, expect, it } from 'vitest'
import { LocalRateLimiter } from './local.js'
import { rateLimitsConfig } from './schema.js'
import type { RateLimitContext, TokenEstimate } from './types.js'

const T0 = 1_800_000_000_000
const ctx = (over: Partial<RateLimitContext> = {}): RateLimitContext => ({
  client: 'app',
  tenant: 'shop',
  targetingKey: 'u1',
  route: 'openai',
  provider: 'openai',
  model: 'gpt-4o-mini',
  ...over,
})
// Passing `undefined` as max_tokens must reach the limiter, so no default parameter here.
const est = (...args: [] | [number, number | undefined]): TokenEstimate => ({ inputTokens: args[0] ?? 0, maxOutputTokens: args.length === 0 ? 0 : args[1] })
const limiter = (rules: unknown[], extra: object = {}): LocalRateLimiter => new LocalRateLimiter(rateLimitsConfig({ rules, ...extra }))
const allowedCount = (l: LocalRateLimiter, n: number, nowMs = T0, c = ctx()): number => {
  let allowed = 0
  for (let i = 0; i < n; i++) if (l.acquire(c, est(), true, nowMs).allowed) allowed++
  return allowed
}

describe('LocalRateLimiter', () => {
  it('admits exactly the limit out of 1000 simultaneous requests', () => {
    expect(allowedCount(limiter([{ name: 'r', requests: { limit: 100, windowSeconds: 60 } }]), 1000)).toBe(100)
    // An interval that is not a whole number of ms (60000 / 7) is still exact.
    expect(allowedCount(limiter([{ name: 'r', requests: { limit: 7, windowSeconds: 60 } }]), 1000)).toBe(7)
  })

  it('refills evenly over the window (GCRA): one slot per interval, all after a window', () => {
    const l = limiter([{ name: 'r', requests: { limit: 10, windowSeconds: 10 } }])
    expect(allowedCount(l, 20, T0)).toBe(10)
    const denied = l.acquire(ctx(), est(), true, T0)
    expect(denied).toMatchObject({ allowed: false, wouldBlock: true, retryAfterSeconds: 1, deniedBy: { rule: 'r', kind: 'requests', tooLarge: false } })
    expect(allowedCount(l, 5, T0 + 999)).toBe(0)
    expect(allowedCount(l, 5, T0 + 1000)).toBe(1)
    expect(allowedCount(l, 5, T0 + 3500)).toBe(2)
    expect(allowedCount(l, 20, T0 + 60_000)).toBe(10)
  })

  it('reserves input + max_tokens (or the default), then refunds or charges the difference on settle', () => {
    const l = limiter([{ name: 't', tokens: { limit: 1000, windowSeconds: 60 }, defaultMaxOutputTokens: 300 }])
    const a = l.acquire(ctx(), est(100, 500), true, T0)
    expect(a.limits).toEqual([{ rule: 't', kind: 'tokens', limit: 1000, remaining: 400, resetMs: 36_000, windowSeconds: 60 }])
    const b = l.acquire(ctx(), est(100, undefined), true, T0) // default reservation: 100 + 300
    expect(b.limits[0]!.remaining).toBe(0)
    expect(l.acquire(ctx(), est(1, 0), true, T0).allowed).toBe(false)
    l.settle(a.lease, 150, T0) // used 150 of 600: refund 450
    expect(l.acquire(ctx(), est(400, 50), true, T0).limits[0]!.remaining).toBe(0)
    l.settle(b.lease, 600, T0) // used 600 of 400: charge 200 more → 200 over the limit
    const over = l.acquire(ctx(), est(1, 0), true, T0)
    expect(over).toMatchObject({ allowed: false, deniedBy: { kind: 'tokens' } })
    expect(over.retryAfterSeconds).toBe(13) // 201 tokens × 60 ms
    l.settle(b.lease, 0, T0) // a second settle is ignored
    expect(l.acquire(ctx(), est(1, 0), true, T0 + 12_000).allowed).toBe(false)
    expect(l.acquire(ctx(), est(1, 0), true, T0 + 12_060).allowed).toBe(true)
  })

  it('keeps the reservation when usage is unknown', () => {
    const l = limiter([{ name: 't', tokens: { limit: 100, windowSeconds: 60 } }])
    l.settle(l.acquire(ctx(), est(10, 90), true, T0).lease, undefined, T0)
    expect(l.acquire(ctx(), est(1, 0), true, T0).allowed).toBe(false)
  })

  it('denies a reservation larger than the limit as too large, whatever the wait', () => {
    const d = limiter([{ name: 't', tokens: { limit: 100, windowSeconds: 60 } }]).acquire(ctx(), est(50, 51), true, T0)
    expect(d).toMatchObject({ allowed: false, retryAfterSeconds: 60, deniedBy: { rule: 't', kind: 'tokens', tooLarge: true } })
  })

  it('limits concurrency and frees the slot on settle, also for failed or aborted requests', () => {
    const l = limiter([{ name: 'c', concurrent: 2 }])
    const a = l.acquire(ctx(), est(), true, T0)
    const b = l.acquire(ctx(), est(), true, T0)
    expect(l.acquire(ctx(), est(), true, T0)).toMatchObject({ allowed: false, retryAfterSeconds: 1, deniedBy: { kind: 'concurrent' } })
    expect(b.limits).toEqual([{ rule: 'c', kind: 'concurrent', limit: 2, remaining: 0, resetMs: 0, windowSeconds: 0 }])
    l.settle(a.lease, 0, T0) // failed before the upstream answered
    l.settle(a.lease, 0, T0) // double settle must not free a second slot
    expect(l.acquire(ctx(), est(), true, T0).allowed).toBe(true)
    expect(l.acquire(ctx(), est(), true, T0).allowed).toBe(false)
    l.settle(b.lease, undefined, T0) // client aborted, usage unknown
    expect(l.acquire(ctx(), est(), true, T0).allowed).toBe(true)
  })

  it('charges every matching rule or none; the longest wait decides', () => {
    const l = limiter([
      { name: 'per-user', key: ['user'], requests: { limit: 5, windowSeconds: 10 } },
      { name: 'per-tenant', key: ['tenant'], requests: { limit: 3, windowSeconds: 60 } },
      { name: 'other-model', match: { model: 'other' }, requests: { limit: 1, windowSeconds: 1 } },
    ])
    expect(allowedCount(l, 10)).toBe(3)
    const d = l.acquire(ctx(), est(), true, T0)
    expect(d.deniedBy).toMatchObject({ rule: 'per-tenant' })
    expect(d.retryAfterSeconds).toBe(20)
    expect(d.limits.map((s) => [s.rule, s.remaining])).toEqual([['per-user', 2], ['per-tenant', 0]])
    // The denied requests charged nothing on per-user: another tenant's user u1 still has 2 left.
    expect(allowedCount(l, 10, T0, ctx({ tenant: 'other' }))).toBe(2)
    // Both rules deny: per-user needs 2 s, per-tenant 20 s → retry after the longer one.
    expect(l.acquire(ctx(), est(), true, T0).retryAfterSeconds).toBe(20)
  })

  it.each([
    ['exact', { model: 'gpt-4o-mini' }, true],
    ['exact miss', { model: 'gpt-4o' }, false],
    ['list', { provider: ['bedrock', 'openai'] }, true],
    ['star needs a value', { tenant: '*' }, false],
    ['every dimension must match', { client: 'app', route: 'other' }, false],
  ])('matches rules: %s', (_name, match, applies) => {
    const l = limiter([{ name: 'm', match, requests: { limit: 1, windowSeconds: 60 } }])
    expect(allowedCount(l, 3, T0, ctx({ tenant: undefined }))).toBe(applies ? 1 : 3)
  })

  it('keeps a counter per key', () => {
    const l = limiter([{ name: 'k', key: ['tenant', 'user'], requests: { limit: 1, windowSeconds: 60 } }])
    expect(allowedCount(l, 2, T0, ctx({ targetingKey: 'a' }))).toBe(1)
    expect(allowedCount(l, 2, T0, ctx({ targetingKey: 'b' }))).toBe(1)
    expect(allowedCount(l, 2, T0, ctx({ tenant: 'x', targetingKey: 'a' }))).toBe(1)
    expect(l.stats().keys).toBe(3)
  })

  it('in monitor mode never blocks, reports wouldBlock and counts exactly as enforcement would', () => {
    const rules = [{ name: 'r', requests: { limit: 3, windowSeconds: 60 } }]
    const monitor = limiter(rules)
    const decisions = Array.from({ length: 5 }, () => monitor.acquire(ctx(), est(), false, T0))
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, true, true])
    expect(decisions.map((d) => d.wouldBlock)).toEqual([false, false, false, true, true])
    expect(decisions[4]).toMatchObject({ retryAfterSeconds: 20, deniedBy: { rule: 'r' } })
    // Switching enforcement on continues from the same counters.
    expect(monitor.acquire(ctx(), est(), true, T0).allowed).toBe(false)
    expect(monitor.acquire(ctx(), est(), true, T0 + 20_000).allowed).toBe(true)
  })

  describe('with a share of each limit (the Redis fallback)', () => {
    it('admits the share of requests, tokens and slots, rounded down, and reports the shared limits', () => {
      const l = limiter([{ name: 's', requests: { limit: 10, windowSeconds: 60 }, tokens: { limit: 1000, windowSeconds: 60 } }])
      l.setShare(1 / 3)
      const decisions = Array.from({ length: 5 }, () => l.acquire(ctx(), est(100, 0), true, T0))
      expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false, false]) // 10 / 3 → 3
      expect(decisions[3]!.deniedBy).toMatchObject({ kind: 'requests', tooLarge: false })
      expect(decisions[3]!.limits.map((x) => [x.kind, x.limit, x.remaining])).toEqual([['requests', 3, 0], ['tokens', 333, 33]])
      const slots = limiter([{ name: 'c', concurrent: 5 }])
      slots.setShare(1 / 3)
      const held = slots.acquire(ctx(), est(), true, T0)
      expect(slots.acquire(ctx(), est(), true, T0)).toMatchObject({ allowed: false, deniedBy: { kind: 'concurrent' } }) // 5 / 3 → 1
      expect(held.limits[0]).toMatchObject({ limit: 1, remaining: 0 })
      slots.settle(held.lease, 0, T0)
      expect(slots.acquire(ctx(), est(), true, T0).allowed).toBe(true)
    })

    it('refills at the share of the rate', () => {
      const l = limiter([{ name: 'r', requests: { limit: 10, windowSeconds: 10 } }])
      l.setShare(0.5)
      expect(allowedCount(l, 10, T0)).toBe(5)
      expect(allowedCount(l, 5, T0 + 1999)).toBe(0)
      expect(allowedCount(l, 5, T0 + 2000)).toBe(1) // one request per 2 s: half of one per second
    })

    it('calls a reservation too large only for the whole limit; one that exceeds just the share waits', () => {
      const l = limiter([{ name: 't', tokens: { limit: 1000, windowSeconds: 60 } }])
      l.setShare(0.5)
      expect(l.acquire(ctx(), est(700, 0), true, T0)).toMatchObject({ allowed: false, deniedBy: { tooLarge: false } })
      expect(l.acquire(ctx(), est(1001, 0), true, T0)).toMatchObject({ allowed: false, deniedBy: { tooLarge: true } })
      expect(l.acquire(ctx(), est(500, 0), true, T0).allowed).toBe(true)
    })

    it('settles a token correction at the share it was charged at', () => {
      const l = limiter([{ name: 't', tokens: { limit: 1000, windowSeconds: 60 } }])
      l.setShare(0.5)
      const first = l.acquire(ctx(), est(400, 0), true, T0) // 400 of the 500 share
      l.setShare(1)
      l.settle(first.lease, 0, T0) // refunds the 800 it cost at share 0.5
      expect(l.acquire(ctx(), est(1000, 0), true, T0).allowed).toBe(true)
    })

    it('rejects a share outside (0, 1]', () => {
      expect(() => limiter([]).setShare(0)).toThrow(RangeError)
      expect(() => limiter([]).setShare(1.5)).toThrow(RangeError)
    })
  })
})

describe('a refund (the request was refused by a later gate)', () => {
  it.each([
    { name: 'without refunds the limit is spent', refund: false, admitted: 2 },
    { name: 'each refunded request gives its charge back', refund: true, admitted: 6 },
  ])('$name', ({ refund, admitted }) => {
    const limiter = new LocalRateLimiter(rateLimitsConfig({ rules: [{ name: 'two', key: ['user'], requests: { limit: 2, windowSeconds: 3600 } }] }))
    const ctx = { client: 'app', tenant: 'shop', targetingKey: 'u', route: 'r', provider: 'p', model: 'm' }
    let count = 0
    for (let i = 0; i < 6; i++) {
      const decision = limiter.acquire(ctx, { inputTokens: 0, maxOutputTokens: 0 }, true, 1_000)
      if (!decision.allowed) continue
      count++
      limiter.settle(decision.lease, 0, 1_000, refund)
    }
    expect(count).toBe(admitted)
  })
})
