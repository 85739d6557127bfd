import { describe, expect, it } from 'vitest'
import { Value } from '@sinclair/typebox/value'
import { ShadowSlots } from './admission.js'
import { ShadowPairing, type CallOutcome } from './pairing.js'
import { mirrored } from './sample.js'
import { ShadowSchema } from './schema.js'
import { shadowProblems } from './semantic.js'

const call = (over: Partial<CallOutcome>): CallOutcome => ({
  latencyMs: 100,
  ttftMs: 20,
  error: false,
  inputTokens: 10,
  outputTokens: 5,
  costUsd: 0.001,
  ...over,
})

describe('shadow sampling', () => {
  it('mirrors a user always or never, at about the configured share', () => {
    const users = Array.from({ length: 4000 }, (_, i) => `user-${i}`)
    const first = users.map((u) => mirrored('s1', undefined, u, 25))
    expect(users.map((u) => mirrored('s1', undefined, u, 25))).toEqual(first)
    const share = first.filter(Boolean).length / users.length
    expect(share).toBeGreaterThan(0.22)
    expect(share).toBeLessThan(0.28)
  })

  it('defaults the seed to the shadow id, and a different seed picks different users', () => {
    const users = Array.from({ length: 500 }, (_, i) => `u${i}`)
    expect(users.map((u) => mirrored('s1', undefined, u, 50))).toEqual(users.map((u) => mirrored('other', 's1', u, 50)))
    expect(users.map((u) => mirrored('s1', undefined, u, 50))).not.toEqual(users.map((u) => mirrored('s1', 'other-seed', u, 50)))
  })

  it('mirrors everyone at 100, nobody at 0, never a request without a targeting key', () => {
    expect(['a', 'b', 'c'].every((u) => mirrored('s', undefined, u, 100))).toBe(true)
    expect(['a', 'b', 'c'].some((u) => mirrored('s', undefined, u, 0))).toBe(false)
    expect(mirrored('s', undefined, '', 100)).toBe(false)
  })
})

describe('shadow concurrency cap', () => {
  it('refuses a slot at the cap and frees it once on release', () => {
    const slots = new ShadowSlots(2)
    const a = slots.acquire()!
    const b = slots.acquire()!
    expect(slots.acquire()).toBeUndefined()
    a()
    a()
    expect(slots.inFlight).toBe(1)
    expect(slots.acquire()).toBeDefined()
    expect(slots.acquire()).toBeUndefined()
    b()
    expect(slots.inFlight).toBe(1)
  })
})

describe('shadow pairing', () => {
  it('keeps paired differences with n, mean, sd and a 95 % half-width', () => {
    const pairing = new ShadowPairing()
    // Latency differences 10, 20, 30: mean 20, sd 10.
    pairing.record(call({ latencyMs: 100 }), call({ latencyMs: 110 }))
    pairing.record(call({ latencyMs: 100 }), call({ latencyMs: 120 }))
    pairing.record(call({ latencyMs: 50 }), call({ latencyMs: 80, costUsd: 0.004 }))
    const s = pairing.summary()
    expect(s.pairs).toBe(3)
    expect(s.differences.latencyMs.n).toBe(3)
    expect(s.differences.latencyMs.mean).toBeCloseTo(20, 10)
    expect(s.differences.latencyMs.sd).toBeCloseTo(10, 10)
    expect(s.differences.latencyMs.ci95).toBeCloseTo((1.96 * 10) / Math.sqrt(3), 10)
    expect(s.differences.costUsd.mean).toBeCloseTo(0.001, 10)
    expect(s.differences.inputTokens).toEqual({ n: 3, mean: 0, sd: 0, ci95: 0 })
  })

  it('counts errors on both sides and leaves a pair missing a metric out of that metric only', () => {
    const pairing = new ShadowPairing()
    pairing.record(call({ error: true }), call({ ttftMs: undefined, error: true }))
    pairing.record(call({}), call({ error: true, outputTokens: undefined }))
    const s = pairing.summary()
    expect(s).toMatchObject({ pairs: 2, primaryErrors: 1, shadowErrors: 2 })
    expect(s.differences.ttftMs).toEqual({ n: 1, mean: 0, sd: undefined, ci95: undefined })
    expect(s.differences.outputTokens.n).toBe(1)
    expect(s.differences.latencyMs.n).toBe(2)
  })

  it('has no mean before any pair', () => {
    expect(new ShadowPairing().summary().differences.costUsd).toEqual({ n: 0, mean: undefined, sd: undefined, ci95: undefined })
  })
})

describe('shadow config', () => {
  it('fills the defaults', () => {
    const value = Value.Default(ShadowSchema, { model: 'chat', target: { provider: 'b', model: 'm' } })
    expect(value).toMatchObject({ percent: 100, maxConcurrent: 8 })
    expect(Value.Check(ShadowSchema, value)).toBe(true)
    expect(Value.Check(ShadowSchema, { ...(value as object), percent: 101 })).toBe(false)
    expect(Value.Check(ShadowSchema, { ...(value as object), maxConcurrent: 0 })).toBe(false)
  })

  const config = { providers: { oa: { type: 'openai' }, ob: { type: 'openai' }, br: { type: 'bedrock' } }, models: { chat: {} } }

  it('accepts a unified shadow to any provider and a native one within its type', () => {
    const base = { percent: 100, maxConcurrent: 8 }
    expect(
      shadowProblems(
        {
          u: { ...base, model: 'chat', target: { provider: 'br', model: 'x' } },
          n: { ...base, mount: 'oa', model: 'gpt-4o', target: { provider: 'ob', model: 'gpt-4o-mini' } },
        },
        config,
      ),
    ).toEqual([])
  })

  it('refuses bad references with path: problem (got value)', () => {
    const base = { percent: 100, maxConcurrent: 8 }
    expect(
      shadowProblems(
        {
          a: { ...base, model: 'nope', target: { provider: 'gone', model: 'x' } },
          b: { ...base, mount: 'oa', model: 'gpt-4o', target: { provider: 'br', model: 'x' } },
          c: { ...base, mount: 'missing', model: 'gpt-4o', target: { provider: 'oa', model: 'x' } },
        },
        config,
      ),
    ).toEqual([
      'shadows.a.target.provider: no such provider under providers: (got "gone")',
      'shadows.a.model: no such virtual model under models: (got "nope")',
      'shadows.b.target.provider: a native shadow needs a provider of the mount\'s type openai (got "br", type bedrock)',
      'shadows.c.mount: no such provider under providers: (got "missing")',
    ])
  })
})
