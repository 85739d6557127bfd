// welchTest against GrowthBook's gbstats reference values, the interval / p-value duality, and the
// symmetries any two-sample test must have.
// References: growthbook/growthbook packages/stats/tests/frequentist/test_tests.py
// (TestTwoSidedTTest: test_two_sided_ttest, test_two_sided_ttest_absolute, test_two_sided_ttest_binom),
// expected values rounded there to 5 decimals; matched here to 4.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { runs } from '../../../test/support/arbitraries.js'
import { moments, must, statsOf, variantStats } from './test-support.js'
import { welchTest } from './welch.js'

const A = moments({ n: 3407, sum: 1396.87, sumSquares: 52377.9767 })
const B = moments({ n: 3461, sum: 2422.7, sumSquares: 134698.29 })

describe('welchTest matches gbstats TwoSidedTTest', () => {
  it('relative lift of a mean metric', () => {
    const r = must(welchTest(A, B, { difference: 'relative' }))
    expect(r.estimate).toBeCloseTo(0.70732, 4)
    expect(r.standardError).toBeCloseTo(0.37879, 4)
    expect(r.interval[0]).toBeCloseTo(-0.03526, 4)
    expect(r.interval[1]).toBeCloseTo(1.44989, 4)
    expect(r.pValue).toBeCloseTo(0.06191, 4)
  })

  it('absolute difference of the same data', () => {
    const r = must(welchTest(A, B, { difference: 'absolute' }))
    expect(r.estimate).toBeCloseTo(0.29, 4)
    expect(r.standardError).toBeCloseTo(0.12478, 4)
    expect(r.interval[0]).toBeCloseTo(0.04538, 4)
    expect(r.interval[1]).toBeCloseTo(0.53462, 4)
    expect(r.pValue).toBeCloseTo(0.02016, 4)
  })

  it('relative lift of proportions 14/28 → 16/30, with the Bernoulli variance p(1 − p)', () => {
    const control = moments({ n: 28, sum: 14, sumSquares: 14 }, 'proportion')
    const variant = moments({ n: 30, sum: 16, sumSquares: 16 }, 'proportion')
    const r = must(welchTest(control, variant))
    expect(r.difference).toBe('relative')
    expect(r.estimate).toBeCloseTo(0.06667, 4)
    expect(r.standardError).toBeCloseTo(0.2717, 4)
    expect(r.interval[0]).toBeCloseTo(-0.47767, 4)
    expect(r.interval[1]).toBeCloseTo(0.61101, 4)
    expect(r.pValue).toBeCloseTo(0.80707, 4)
    // The same data read as a mean metric (variance with n − 1) does not reproduce GrowthBook.
    const asMeans = must(welchTest(moments({ n: 28, sum: 14, sumSquares: 14 }), moments({ n: 30, sum: 16, sumSquares: 16 })))
    expect(Math.abs(asMeans.interval[0] - -0.47767)).toBeGreaterThan(0.005)
  })

  it('narrows the interval as the confidence drops, keeping the p-value', () => {
    const wide = must(welchTest(A, B, { confidence: 0.99 }))
    const narrow = must(welchTest(A, B, { confidence: 0.8 }))
    expect(wide.interval[0]).toBeLessThan(narrow.interval[0])
    expect(wide.interval[1]).toBeGreaterThan(narrow.interval[1])
    expect(wide.pValue).toBe(narrow.pValue)
  })
})

describe('welchTest without an answer', () => {
  it.each([
    ['a control without spread', statsOf(50, 3, 0), statsOf(50, 3, 1), 'relative', 'zero-variance'],
    ['a variant without spread', statsOf(50, 3, 1), statsOf(50, 3, 0), 'absolute', 'zero-variance'],
    ['a relative lift over a control mean of 0', { n: 4, sum: 0, sumSquares: 8 }, statsOf(4, 1, 1), 'relative', 'zero-baseline'],
  ] as const)('%s', (_, control, variant, difference, reason) => {
    const r = welchTest(moments(control), moments(variant), { difference })
    expect(r).toMatchObject({ ok: false, reason })
  })

  it('still answers the absolute difference over a control mean of 0', () => {
    const r = must(welchTest(moments({ n: 4, sum: 0, sumSquares: 8 }), moments(statsOf(4, 1, 1)), { difference: 'absolute' }))
    expect(r.estimate).toBe(1)
  })

  it.each([0, 1, -0.5, 95, Number.NaN])('refuses confidence %s', (confidence) => {
    expect(welchTest(A, B, { confidence })).toMatchObject({ ok: false, reason: 'invalid-input' })
  })
})

describe('welchTest properties', () => {
  it('identical variants: estimate 0, p = 1, an interval around 0', () => {
    fc.assert(
      fc.property(variantStats, fc.constantFrom('absolute' as const, 'relative' as const), (stats, difference) => {
        const m = moments(stats)
        const r = must(welchTest(m, m, { difference }))
        expect(r.estimate).toBe(0)
        expect(r.pValue).toBe(1)
        expect(r.interval[0]).toBeLessThan(0)
        expect(r.interval[1]).toBeGreaterThan(0)
      }),
      runs(200),
    )
  })

  it('swapping control and variant negates the absolute difference and keeps p', () => {
    fc.assert(
      fc.property(variantStats, variantStats, (x, y) => {
        const forward = must(welchTest(moments(x), moments(y), { difference: 'absolute' }))
        const backward = must(welchTest(moments(y), moments(x), { difference: 'absolute' }))
        // Exactly, but for the sign of a zero difference.
        expect(backward.estimate + forward.estimate).toBe(0)
        expect(backward.standardError).toBe(forward.standardError)
        expect(backward.degreesOfFreedom).toBeCloseTo(forward.degreesOfFreedom, 6)
        expect(backward.pValue).toBeCloseTo(forward.pValue, 9)
        expect(backward.interval[0]).toBeCloseTo(-forward.interval[1], 9)
      }),
      runs(200),
    )
  })

  it('p < 1 − confidence exactly when the interval excludes 0', () => {
    fc.assert(
      fc.property(variantStats, variantStats, fc.constantFrom('absolute' as const, 'relative' as const), fc.constantFrom(0.8, 0.9, 0.95, 0.99), (x, y, difference, confidence) => {
        const r = must(welchTest(moments(x), moments(y), { difference, confidence }))
        const excludesZero = r.interval[0] > 0 || r.interval[1] < 0
        // Up to the quantile's own rounding right at the boundary.
        fc.pre(Math.abs(r.pValue - (1 - confidence)) > 1e-9)
        expect(r.pValue < 1 - confidence).toBe(excludesZero)
      }),
      runs(300),
    )
  })

  it('degrees of freedom lie between the smaller sample and both samples pooled', () => {
    fc.assert(
      fc.property(variantStats, variantStats, (x, y) => {
        const r = must(welchTest(moments(x), moments(y)))
        expect(r.degreesOfFreedom).toBeGreaterThanOrEqual(Math.min(x.n, y.n) - 1 - 1e-9)
        expect(r.degreesOfFreedom).toBeLessThanOrEqual(x.n + y.n - 2 + 1e-9)
      }),
      runs(200),
    )
  })
})
