// experimentResults: stored fields in, the results JSON out. The statistics are checked against the
// GrowthBook gbstats test suite (growthbook/growthbook packages/stats/tests/frequentist/test_tests.py,
// tests/bayesian/test_tests.py; the SRM values are χ²(1) tails and tests/test_gbstats.py), the same
// reference values as src/steering/stats/*.test.ts, here to 4 decimals after the trip through fields.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { runs } from '../../../test/support/arbitraries.js'
import { requiredSampleSize, type VariantStats } from '../stats/index.js'
import { must, statsOf, variantStats } from '../stats/test-support.js'
import { bucketOf } from './histogram.js'
import { experimentResults, type ExperimentResults, type MetricSpec, type ResultsInput } from './results.js'

type Fields = Record<string, number>

function metric(name: string, s: VariantStats): Fields {
  return { [`m:${name}:n`]: s.n, [`m:${name}:sum`]: s.sum, [`m:${name}:sq`]: s.sumSquares }
}
const rate = (successes: number, n: number): VariantStats => ({ n, sum: successes, sumSquares: successes })
const success: MetricSpec = { name: 'success', kind: 'proportion', lowerIsBetter: false, histogram: false }
const errors: MetricSpec = { name: 'errors', kind: 'proportion', lowerIsBetter: true, histogram: false }
const latency: MetricSpec = { name: 'latency', kind: 'mean', lowerIsBetter: true, histogram: true }

function run(fields: Record<string, Fields>, options: Partial<ResultsInput> = {}): ExperimentResults {
  return experimentResults({
    experiment: 'k',
    status: 'running',
    control: 'a',
    variants: [
      { name: 'a', weight: 50 },
      { name: 'b', weight: 50 },
    ],
    metrics: [success],
    primaryMetric: 'success',
    guardrailMetrics: [],
    fields: new Map(Object.entries(fields)),
    confidence: 0.95,
    tuningSampleSize: 5000,
    minimumDetectableEffect: 0.05,
    power: 0.8,
    srmPValueThreshold: 0.001,
    ...options,
  })
}

/** Variant a and b with these metric fields and an even split of users. */
function ab(a: Fields, b: Fields): Record<string, Fields> {
  return { a: { users: 5000, ...a }, b: { users: 5000, ...b } }
}

const first = (r: ExperimentResults, name = 'success') => r.metrics.find((m) => m.name === name)!.comparisons[0]!
/** Each number within 0.5e-4 of the reference (toBeCloseTo's 4 digits). */
function expectClose(actual: readonly number[], expected: readonly number[]): void {
  expect(actual).toHaveLength(expected.length)
  actual.forEach((x, i) => expect(x, `#${i}`).toBeCloseTo(expected[i]!, 4))
}

/** A clear win for b on success (1396/3000 → 2422/3461) and the reverse. */
const win = ab(metric('success', rate(1396, 3000)), metric('success', rate(2422, 3461)))
const loss = ab(metric('success', rate(2422, 3461)), metric('success', rate(1396, 3000)))

describe('experimentResults against GrowthBook gbstats reference values', () => {
  it('Welch, mean metric: relative and absolute', () => {
    const mean: MetricSpec = { name: 'tokens', kind: 'mean', lowerIsBetter: false, histogram: false }
    const r = run(ab(metric('tokens', { n: 3407, sum: 1396.87, sumSquares: 52377.9767 }), metric('tokens', { n: 3461, sum: 2422.7, sumSquares: 134698.29 })), {
      metrics: [mean],
      primaryMetric: 'tokens',
    })
    const c = first(r, 'tokens')
    const relative = must(c.relative)
    expectClose([relative.estimate, ...relative.interval, relative.pValue], [0.70732, -0.03526, 1.44989, 0.06191])
    const absolute = must(c.absolute)
    expectClose([absolute.estimate, ...absolute.interval, absolute.pValue], [0.29, 0.04538, 0.53462, 0.02016])
    expect(r.metrics[0]!.variants.map((v) => v.n)).toEqual([3407, 3461])
    expect(r.metrics[0]!.variants[0]!.mean).toBeCloseTo(0.41, 4)
  })

  it('Welch, proportions 14/28 → 16/30: relative', () => {
    const relative = must(first(run(ab(metric('success', rate(14, 28)), metric('success', rate(16, 30))))).relative)
    expectClose([relative.estimate, ...relative.interval, relative.pValue], [0.06667, -0.47767, 0.61101, 0.80707])
  })

  it('sequential, proportions 1396/3000 → 2422/3461 at N* 5000: relative', () => {
    const c = first(run(win))
    const relative = must(c.sequential.relative)
    expectClose([relative.estimate, ...relative.interval], [0.50386, 0.40098, 0.60675])
    expect(must(c.sequential.absolute).estimate).toBeCloseTo(0.23446, 4)
    expect(c.verdict).toBe('better')
  })

  it('Bayesian, proportions 49/100 → 51/100: chance to beat control, direction-aware', () => {
    const fields = ab(metric('success', rate(49, 100)), metric('success', rate(51, 100)))
    expect(first(run(fields)).chanceToBeatControl).toBeCloseTo(0.60918, 4)
    const lower = run(fields, { metrics: [{ ...success, lowerIsBetter: true }] })
    expect(first(lower).chanceToBeatControl).toBeCloseTo(1 - 0.60918, 4)
  })

  it('SRM: 5050/4950 on 50/50 fits; 5200/4800 is a mismatch and nothing is decisive', () => {
    const fits = run({ a: { ...win.a, users: 5050 }, b: { ...win.b, users: 4950 } })
    expect(fits.srm).toMatchObject({ ok: true, mismatch: false })
    expect(must(fits.srm).pValue).toBeCloseTo(0.31731, 4)
    expect(must(fits.srm).chiSquare).toBeCloseTo(1, 10)
    expect(fits.decision).toMatchObject({ decisive: true, winner: 'b' })
    const broken = run({ a: { ...win.a, users: 5200 }, b: { ...win.b, users: 4800 } })
    expect(must(broken.srm).pValue).toBeCloseTo(6.334e-5, 8)
    expect(must(broken.srm).mismatch).toBe(true)
    expect(broken.decision).toMatchObject({ decisive: false, winner: null, reason: expect.stringMatching(/sample ratio mismatch/) })
    expect(broken.users).toEqual({ a: 5200, b: 4800 })
  })

  it('sample size: a 10 % rate and +5 % need 59,409 per variant (docs/experiment-statistics.md)', () => {
    const r = run(ab(metric('success', rate(1000, 10000)), metric('success', rate(1100, 12000))))
    const size = must(r.metrics[0]!.sampleSize)
    const direct = must(requiredSampleSize({ baselineMean: 0.1, baselineVariance: 0.09, minimumDetectableLift: 0.05, alpha: 0.05, power: 0.8 }))
    expect(direct.sampleSizePerVariant).toBe(59409)
    expect(size.requiredPerVariant).toBe(59409)
    expect(size.smallestVariantN).toBe(10000)
    expect(size.progress).toBeCloseTo(10000 / 59409, 12)
  })

  it('sample size: when lower is better the effect to detect is a decrease', () => {
    const r = run(ab(metric('errors', rate(1000, 10000)), metric('errors', rate(1100, 12000))), { metrics: [errors], primaryMetric: 'errors' })
    const decrease = must(requiredSampleSize({ baselineMean: 0.1, baselineVariance: 0.09, minimumDetectableLift: -0.05, alpha: 0.05, power: 0.8 }))
    expect(decrease.sampleSizePerVariant).toBeLessThan(59409)
    expect(must(r.metrics[0]!.sampleSize).requiredPerVariant).toBe(decrease.sampleSizePerVariant)
  })
})

describe('quantiles from h:* fields', () => {
  // 2000 known latencies from 0.37 to 55 ms (below 1 ms the buckets are negative), each counted in
  // its bucket as outcomes.ts does.
  const samples = Array.from({ length: 2000 }, (_, i) => Math.exp(-1 + (5 * ((i * 7919) % 2000)) / 2000))
  const sorted = [...samples].sort((x, y) => x - y)
  const histogram: Fields = {}
  for (const v of samples) histogram[`h:latency:${bucketOf(v)}`] = (histogram[`h:latency:${bucketOf(v)}`] ?? 0) + 1
  const exact = (q: number) => sorted[Math.floor(q * (sorted.length - 1))]!
  const sums = { n: samples.length, sum: samples.reduce((s, v) => s + v, 0), sumSquares: samples.reduce((s, v) => s + v * v, 0) }

  it('reads p50, p95 and p99 within 1 % of the exact sample quantiles', () => {
    expect(Object.keys(histogram).some((k) => k.startsWith('h:latency:-'))).toBe(true)
    const r = run(ab({ ...metric('latency', sums), ...histogram, 'h:latency:x': 99, 'h:latency:p:3': 99 }, {}), { metrics: [latency], primaryMetric: 'latency' })
    const a = r.metrics[0]!.variants[0]!
    for (const [q, value] of [
      [0.5, a.p50],
      [0.95, a.p95],
      [0.99, a.p99],
    ] as const) {
      expect(value).not.toBeNull()
      expect(Math.abs(value! - exact(q)) / exact(q)).toBeLessThanOrEqual(0.01)
    }
    expect(a.mean).toBeCloseTo(sums.sum / sums.n, 10)
    // b has no histogram: null quantiles, not absent ones.
    expect(r.metrics[0]!.variants[1]).toEqual({ variant: 'b', n: 0, mean: null, variance: null, p50: null, p95: null, p99: null })
  })

  it('reports no quantiles for a metric without a histogram', () => {
    const r = run(ab({ ...metric('latency', sums), ...histogram }, {}), { metrics: [{ ...latency, histogram: false }], primaryMetric: 'latency' })
    expect(Object.keys(r.metrics[0]!.variants[0]!)).toEqual(['variant', 'n', 'mean', 'variance'])
  })
})

describe('the decision', () => {
  it('names a variant better on the primary metric and worse on no guardrail', () => {
    const fields = ab({ ...win.a, ...metric('errors', rate(30, 3000)) }, { ...win.b, ...metric('errors', rate(36, 3461)) })
    const r = run(fields, { metrics: [success, errors], guardrailMetrics: ['errors'] })
    expect(first(r, 'errors').verdict).toBe('inconclusive')
    expect(r.decision).toMatchObject({ decisive: true, winner: 'b' })
    expect(r.decision.reason).toMatch(/^b is better than a on success \(sequential 95 % interval of the difference \[0\.\d+, 0\.\d+\]\) and no guardrail metric is worse$/)
    expect(r.metrics.map((m) => [m.name, m.primary, m.guardrail])).toEqual([
      ['success', true, false],
      ['errors', false, true],
    ])
  })

  it('withholds the win when a guardrail is worse', () => {
    const fields = ab({ ...win.a, ...metric('errors', rate(30, 3000)) }, { ...win.b, ...metric('errors', rate(200, 3461)) })
    const r = run(fields, { metrics: [success, errors], guardrailMetrics: ['errors'] })
    expect(first(r, 'errors').verdict).toBe('worse')
    expect(r.decision).toEqual({ decisive: false, winner: null, reason: 'b is better than a on success but worse on guardrail errors' })
  })

  it('keeps the control when every variant is worse', () => {
    const r = run(loss)
    expect(first(r).verdict).toBe('worse')
    expect(r.decision).toMatchObject({ decisive: true, winner: 'a', reason: 'b is worse than a on success: a wins' })
  })

  it('is not decisive while no variant differs', () => {
    const r = run(ab(metric('success', rate(49, 100)), metric('success', rate(51, 100))))
    expect(first(r).verdict).toBe('inconclusive')
    expect(r.decision).toEqual({ decisive: false, winner: null, reason: 'no variant differs from a on success yet' })
  })

  it('turns verdicts around when lower is better', () => {
    const fields = ab(metric('latency', statsOf(2000, 100, 20)), metric('latency', statsOf(2000, 90, 20)))
    const lower = run(fields, { metrics: [{ ...latency, histogram: false }], primaryMetric: 'latency' })
    expect(first(lower, 'latency').verdict).toBe('better')
    expect(first(lower, 'latency').chanceToBeatControl).toBeGreaterThan(0.99)
    expect(lower.decision).toMatchObject({ decisive: true, winner: 'b' })
    const higher = run(fields, { metrics: [{ ...latency, histogram: false, lowerIsBetter: false }], primaryMetric: 'latency' })
    expect(first(higher, 'latency').verdict).toBe('worse')
    expect(first(higher, 'latency').chanceToBeatControl).toBeLessThan(0.01)
    expect(higher.decision).toMatchObject({ decisive: true, winner: 'a' })
  })

  it('says when the primary metric is not reported', () => {
    expect(run(win, { primaryMetric: 'nope' }).decision).toMatchObject({ decisive: false, reason: expect.stringMatching(/primary metric nope/) })
  })
})

describe('three variants', () => {
  const variants = [
    { name: 'a', weight: 50 },
    { name: 'b', weight: 25 },
    { name: 'c', weight: 25 },
    { name: 'd', weight: 0 },
  ]
  const fields = {
    a: { users: 5000, ...metric('success', rate(1396, 3000)) },
    b: { users: 2500, ...metric('success', rate(2000, 3461)) },
    c: { users: 2500, ...metric('success', rate(2422, 3461)) },
    d: { users: 7, ...metric('success', rate(3, 7)) },
  }

  it('compares each against the control in config order and picks the best mean', () => {
    const r = run(fields, { variants })
    expect(r.users).toEqual({ a: 5000, b: 2500, c: 2500, d: 7 })
    // d's weight 0 leaves it out of the split: 5000/2500/2500 fits 50/25/25 exactly.
    expect(r.srm).toEqual({ ok: true, chiSquare: 0, pValue: 1, mismatch: false })
    const m = r.metrics[0]!
    expect(m.variants.map((v) => v.variant)).toEqual(['a', 'b', 'c', 'd'])
    expect(m.comparisons.map((c) => [c.variant, c.verdict])).toEqual([
      ['b', 'better'],
      ['c', 'better'],
      ['d', 'inconclusive'],
    ])
    expect(r.decision).toMatchObject({ decisive: true, winner: 'c', reason: expect.stringMatching(/; b also better, c has the best mean$/) })
    // Progress counts the smallest variant still receiving traffic, not d.
    expect(must(m.sampleSize).smallestVariantN).toBe(3000)
  })

  it('names the undecided and the worse when nothing wins', () => {
    const r = run({ ...fields, b: { users: 2500, ...metric('success', rate(1000, 3461)) }, c: { users: 2500, ...metric('success', rate(1400, 3000)) } }, { variants })
    expect(r.decision).toEqual({ decisive: false, winner: null, reason: 'b is worse than a on success; c, d do not differ from a on success yet' })
  })
})

describe('missing data', () => {
  it('answers an absent variant with n 0, nulls and reasons', () => {
    const r = run({ a: { users: 5000, ...win.a } }, { metrics: [success, latency] })
    expect(r.users).toEqual({ a: 5000, b: 0 })
    const m = r.metrics[0]!
    expect(m.variants[1]).toEqual({ variant: 'b', n: 0, mean: null, variance: null })
    const c = m.comparisons[0]!
    for (const section of [c.absolute, c.relative, c.sequential.absolute, c.sequential.relative]) {
      expect(section).toMatchObject({ ok: false, reason: 'too-few-units', message: expect.stringMatching(/^variant: /) })
    }
    expect(c.chanceToBeatControl).toBeNull()
    expect(c.verdict).toBe('inconclusive')
    expect(m.sampleSize).toMatchObject({ ok: true, smallestVariantN: 0, progress: 0 })
    expect(r.metrics[1]!.sampleSize).toMatchObject({ ok: false, reason: 'too-few-units', message: expect.stringMatching(/^control: /) })
  })

  it('answers an experiment with no data at all', () => {
    const r = run({})
    expect(r.srm).toMatchObject({ ok: false, reason: 'no-traffic' })
    expect(r.metrics[0]!.sampleSize).toMatchObject({ ok: false, reason: 'too-few-units' })
    expect(r.decision).toEqual({ decisive: false, winner: null, reason: 'no variant differs from a on success yet' })
    expect(JSON.parse(JSON.stringify(r))).toStrictEqual(r)
  })

  it('answers an experiment configured with no variants', () => {
    const r = run(win, { variants: [] })
    expect(r.users).toEqual({})
    expect(r.srm).toMatchObject({ ok: false, reason: 'too-few-variants' })
    expect(r.metrics[0]!.sampleSize).toMatchObject({ ok: true, smallestVariantN: 0, progress: 0 })
    expect(r.decision).toEqual({ decisive: false, winner: null, reason: 'there is no variant besides the control a' })
  })

  it('yields only finite numbers and JSON that reads back the same, whatever the fields hold', () => {
    const anyNumber = fc.oneof(fc.double(), fc.integer({ min: -3, max: 10_000 }), fc.constantFrom(0, 1, 2, 1e308, -0))
    const keys = fc.constantFrom('users', 'm:success:n', 'm:success:sum', 'm:success:sq', 'm:latency:n', 'm:latency:sum', 'm:latency:sq', 'h:latency:5', 'h:latency:-3', 'h:latency:40000')
    const garbage = fc.dictionary(keys, anyNumber)
    // Data a store does hold, so the answered sections are exercised too.
    const real = fc
      .record({ users: fc.nat(10_000), n: fc.integer({ min: 0, max: 5000 }), perMille: fc.integer({ min: 1, max: 999 }), latency: variantStats })
      .map(({ users, n, perMille, latency: l }) => ({ users, ...metric('success', rate(Math.round((perMille * n) / 1000), n)), ...metric('latency', l), 'h:latency:300': users }))
    const variantFields = fc.oneof(garbage, { arbitrary: real, weight: 4 }, fc.tuple(garbage, real).map(([g, r]) => ({ ...r, ...g })))
    let answered = 0
    const numbersIn = (value: unknown): number[] =>
      typeof value === 'number' ? [value] : value !== null && typeof value === 'object' ? Object.values(value).flatMap(numbersIn) : []
    fc.assert(
      fc.property(variantFields, variantFields, fc.constantFrom(0.9, 0.95, 1 - 1e-15), (a, b, confidence) => {
        const r = run({ a, b }, { metrics: [success, latency], guardrailMetrics: ['latency'], confidence })
        expect(numbersIn(r).filter((x) => !Number.isFinite(x))).toEqual([])
        if (first(r).absolute.ok) answered++
        expect(JSON.parse(JSON.stringify(r))).toStrictEqual(r)
      }),
      runs(300),
    )
    expect(answered).toBeGreaterThan(50)
  })
})
