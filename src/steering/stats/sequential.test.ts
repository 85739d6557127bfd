// sequentialTest against GrowthBook's gbstats reference values, its duality with its p-value, and
// its price: never narrower than Welch's fixed-horizon interval once Welch has a few degrees of freedom.
// References: growthbook/growthbook packages/stats/tests/frequentist/test_tests.py
// (TestSequentialTTest: test_sequential_test_runs_prop, test_sequential_test_runs,
// test_sequential_test_tuning_as_expected), rounded there to 5 decimals; matched here to 4.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { runs } from '../../../test/support/arbitraries.js'
import { sequentialTest } from './sequential.js'
import { moments, must, variantStats } from './test-support.js'
import { welchTest } from './welch.js'

const meanA = moments({ n: 3000, sum: 1396.87, sumSquares: 52377.9767 })
const meanB = moments({ n: 3461, sum: 2422.7, sumSquares: 134698.29 })

describe('sequentialTest matches gbstats SequentialTwoSidedTTest', () => {
  it('relative lift of proportions 1396/3000 → 2422/3461 at the default N* = 5000', () => {
    const control = moments({ n: 3000, sum: 1396, sumSquares: 1396 }, 'proportion')
    const variant = moments({ n: 3461, sum: 2422, sumSquares: 2422 }, 'proportion')
    const r = must(sequentialTest(control, variant))
    expect(r.difference).toBe('relative')
    expect(r.tuningSampleSize).toBe(5000)
    expect(r.estimate).toBeCloseTo(0.50386, 4)
    expect(r.standardError).toBeCloseTo(0.03386, 4)
    expect(r.interval[0]).toBeCloseTo(0.40098, 4)
    expect(r.interval[1]).toBeCloseTo(0.60675, 4)
    expect(r.pValue).toBeCloseTo(0, 4)
  })

  it('relative lift of a mean metric at N* = 1000', () => {
    const r = must(sequentialTest(meanA, meanB, { tuningSampleSize: 1000 }))
    expect(r.estimate).toBeCloseTo(0.50336, 4)
    expect(r.standardError).toBeCloseTo(0.33341, 4)
    expect(r.interval[0]).toBeCloseTo(-0.55844, 4)
    expect(r.interval[1]).toBeCloseTo(1.56516, 4)
    expect(r.pValue).toBe(1)
  })

  it('is tightest when N* is near the sample size actually reached (6461 units)', () => {
    const width = (tuningSampleSize: number) => {
      const { interval } = must(sequentialTest(meanA, meanB, { tuningSampleSize }))
      return interval[1] - interval[0]
    }
    expect(width(6461)).toBeLessThan(width(10_000))
    expect(width(10_000)).toBeLessThan(width(10))
  })
})

describe('sequentialTest without an answer', () => {
  it.each([0, 0.5, 5e-324, -5, Number.NaN, Number.POSITIVE_INFINITY])('refuses tuningSampleSize %s', (tuningSampleSize) => {
    expect(sequentialTest(meanA, meanB, { tuningSampleSize })).toMatchObject({ ok: false, reason: 'invalid-input' })
  })

  it('refuses a confidence of 1', () => {
    expect(sequentialTest(meanA, meanB, { confidence: 1 })).toMatchObject({ ok: false, reason: 'invalid-input' })
  })

  it('has no relative lift over a control mean of 0', () => {
    const zero = moments({ n: 4, sum: 0, sumSquares: 8 })
    expect(sequentialTest(zero, meanB)).toMatchObject({ ok: false, reason: 'zero-baseline' })
    expect(must(sequentialTest(zero, meanB, { difference: 'absolute' })).estimate).toBeCloseTo(meanB.mean, 12)
  })

  it('keeps a finite p-value of 0 for an overwhelming effect', () => {
    const control = moments({ n: 100_000, sum: 10_000, sumSquares: 10_000 }, 'proportion')
    const variant = moments({ n: 100_000, sum: 90_000, sumSquares: 90_000 }, 'proportion')
    expect(must(sequentialTest(control, variant)).pValue).toBe(0)
  })
})

describe('sequentialTest properties', () => {
  const differences = fc.constantFrom('absolute' as const, 'relative' as const)

  it('identical variants: p = 1 and an interval centred on 0', () => {
    fc.assert(
      fc.property(variantStats, differences, (stats, difference) => {
        const m = moments(stats)
        const r = must(sequentialTest(m, m, { difference }))
        expect(r.pValue).toBe(1)
        expect(r.interval[0]).toBeCloseTo(-r.interval[1], 12)
      }),
      runs(200),
    )
  })

  it('p < 1 − confidence exactly when the interval excludes 0', () => {
    fc.assert(
      fc.property(variantStats, variantStats, differences, fc.double({ min: 10, max: 1e6, noNaN: true }), (x, y, difference, tuningSampleSize) => {
        const r = must(sequentialTest(moments(x), moments(y), { difference, tuningSampleSize }))
        fc.pre(Math.abs(r.pValue - 0.05) > 1e-9)
        expect(r.pValue < 0.05).toBe(r.interval[0] > 0 || r.interval[1] < 0)
      }),
      runs(300),
    )
  })

  it('contains the Welch interval whenever Welch has at least 4 degrees of freedom', () => {
    // The sequence's multiplier never drops below 3.03 SE at 95 % (its minimum over n); Welch's
    // t quantile is below that from 4 degrees of freedom on. (That is at 95 % only, so no order of the
    // p-values follows: at smaller levels a t quantile with few degrees of freedom outgrows the sequence.)
    fc.assert(
      fc.property(variantStats, variantStats, differences, fc.double({ min: 10, max: 1e6, noNaN: true }), (x, y, difference, tuningSampleSize) => {
        const [a, b] = [moments(x), moments(y)]
        const welch = must(welchTest(a, b, { difference }))
        fc.pre(welch.degreesOfFreedom >= 4)
        const sequential = must(sequentialTest(a, b, { difference, tuningSampleSize }))
        expect(sequential.interval[0]).toBeLessThan(welch.interval[0])
        expect(sequential.interval[1]).toBeGreaterThan(welch.interval[1])
      }),
      runs(300),
    )
  })
})
