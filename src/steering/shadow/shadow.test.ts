import { describe, expect, it } from 'vitest'
import { formatProblem } from '../../core/problems.js'
import { Value } from '@sinclair/typebox/value'
import { ShadowSlots } from './admission.js'
import type { ShadowSkip } from '../../core/shadow.js'
import { createMemoryOutcomeStore } from '../experiments/outcome-store-memory.js'
import { OutcomeRecorder } from '../experiments/outcomes.js'
import { pairEvents, skipEvent, summarizePairs, type ShadowCall } from './pairing.js'
import { mirrored } from './sample.js'
import { ShadowSchema } from './schema.js'
import { shadowProblems } from './semantic.js'

const call = (over: Partial<ShadowCall>): ShadowCall => ({
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
  // Through the real recorder and outcome store, as the running Sluice keeps them.
  const summaryOf = async (pairs: Array<[ShadowCall, ShadowCall]>, skips: ShadowSkip[] = []) => {
    const recorder = new OutcomeRecorder(createMemoryOutcomeStore(), { replica: 'r', costOf: () => undefined })
    const sink = recorder.events('shadow:s', 'p/m')
    for (const [a, b] of pairs) pairEvents(sink, a, b)
    for (const reason of skips) skipEvent(sink, reason)
    await recorder.flush()
    const summary = summarizePairs((await recorder.read('shadow:s')).get('p/m'))
    await recorder.close()
    return summary
  }

  it('keeps paired differences with n, mean, sd and a 95 % half-width, and each side\'s mean', async () => {
    // Latency differences 10, 20, 30: mean 20, sd 10.
    const s = await summaryOf([
      [call({ latencyMs: 100 }), call({ latencyMs: 110 })],
      [call({ latencyMs: 100 }), call({ latencyMs: 120 })],
      [call({ latencyMs: 50 }), call({ latencyMs: 80, costUsd: 0.004 })],
    ])
    expect(s.pairs).toBe(3)
    expect(s.differences.latencyMs.n).toBe(3)
    expect(s.differences.latencyMs.mean).toBeCloseTo(20, 10)
    expect(s.differences.latencyMs.sd).toBeCloseTo(10, 8)
    expect(s.differences.latencyMs.ci95).toBeCloseTo((1.96 * 10) / Math.sqrt(3), 8)
    expect(s.differences.latencyMs.primaryMean).toBeCloseTo(250 / 3, 10)
    expect(s.differences.latencyMs.shadowMean).toBeCloseTo(310 / 3, 10)
    expect(s.differences.costUsd.mean).toBeCloseTo(0.001, 10)
    expect(s.differences.inputTokens).toMatchObject({ n: 3, mean: 0, sd: 0, ci95: 0 })
  })

  it('counts errors on both sides and skips, and leaves a pair missing a metric out of that metric only', async () => {
    const s = await summaryOf(
      [
        [call({ error: true }), call({ ttftMs: undefined, error: true })],
        [call({}), call({ error: true, outputTokens: undefined })],
      ],
      ['over_capacity', 'over_capacity', 'over_budget'],
    )
    expect(s).toMatchObject({ pairs: 2, primaryErrors: 1, shadowErrors: 2, skipped: { over_capacity: 2, over_budget: 1, untranslatable: 0 } })
    expect(s.differences.ttftMs).toMatchObject({ n: 1, mean: 0, sd: undefined, ci95: undefined })
    expect(s.differences.outputTokens.n).toBe(1)
    expect(s.differences.latencyMs.n).toBe(2)
  })

  it('has no mean before any pair', async () => {
    expect((await summaryOf([])).differences.costUsd).toEqual({ n: 0, mean: undefined, sd: undefined, ci95: undefined, primaryMean: undefined, shadowMean: undefined })
    expect(summarizePairs(undefined).pairs).toBe(0)
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
    const shadows = {
      u: { ...base, model: 'chat', target: { provider: 'br', model: 'x' } },
      n: { ...base, mount: 'oa', model: 'gpt-4o', target: { provider: 'ob', model: 'gpt-4o-mini' } },
    }
    expect(shadowProblems({ ...config, shadows })).toEqual([])
  })

  it('refuses bad references with path: problem (got value)', () => {
    const base = { percent: 100, maxConcurrent: 8 }
    const shadows = {
      a: { ...base, model: 'nope', target: { provider: 'gone', model: 'x' } },
      b: { ...base, mount: 'oa', model: 'gpt-4o', target: { provider: 'br', model: 'x' } },
      c: { ...base, mount: 'missing', model: 'gpt-4o', target: { provider: 'oa', model: 'x' } },
    }
    expect(shadowProblems({ ...config, shadows }).map(formatProblem)).toEqual([
      'shadows.a.target.provider: no such provider under providers: (got "gone")',
      'shadows.a.model: no such virtual model under models: (got "nope")',
      'shadows.b.target.provider: a native shadow needs a provider of the mount\'s type openai (this one is bedrock) (got "br")',
      'shadows.c.mount: no such provider under providers: (got "missing")',
    ])
  })
})
