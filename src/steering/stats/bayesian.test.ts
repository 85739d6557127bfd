// chanceToBeatControl against GrowthBook's gbstats reference values and the symmetries of a
// normal posterior.
// References: growthbook/growthbook packages/stats/tests/bayesian/test_tests.py
// (TestBinom.test_bayesian_binomial_ab_test, TestNorm.test_bayesian_gaussian_ab_test), rounded there
// to 5 decimals; matched here to 4.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { runs } from '../../../test/support/arbitraries.js'
import { chanceToBeatControl } from './bayesian.js'
import { moments, must, variantStats } from './test-support.js'

describe('chanceToBeatControl matches gbstats EffectBayesianABTest (flat prior)', () => {
  it('proportions 49/100 → 51/100, on the relative lift', () => {
    const control = moments({ n: 100, sum: 49, sumSquares: 49 }, 'proportion')
    const variant = moments({ n: 100, sum: 51, sumSquares: 51 }, 'proportion')
    const r = must(chanceToBeatControl(control, variant))
    expect(r.difference).toBe('relative')
    expect(r.chanceToBeatControl).toBeCloseTo(0.60918, 4)
    expect(r.estimate).toBeCloseTo(0.04082, 4)
    expect(r.standardError).toBeCloseTo(0.14725, 4)
    expect(r.credibleInterval[0]).toBeCloseTo(-0.24779, 4)
    expect(r.credibleInterval[1]).toBeCloseTo(0.32943, 4)
    // The absolute difference gives another chance (0.61137): GrowthBook's number is the relative one.
    const absolute = must(chanceToBeatControl(control, variant, { difference: 'absolute' }))
    expect(Math.abs(absolute.chanceToBeatControl - 0.60918)).toBeGreaterThan(0.001)
  })

  it('a mean metric, 10 units each', () => {
    const control = moments({ n: 10, sum: 100, sumSquares: 1002.25 })
    const variant = moments({ n: 10, sum: 105, sumSquares: 1111.5 })
    const r = must(chanceToBeatControl(control, variant))
    expect(r.chanceToBeatControl).toBeCloseTo(0.91923, 4)
    expect(r.estimate).toBeCloseTo(0.05, 4)
    expect(r.standardError).toBeCloseTo(0.03572, 4)
    expect(r.credibleInterval[0]).toBeCloseTo(-0.02, 4)
    expect(r.credibleInterval[1]).toBeCloseTo(0.12, 4)
  })
})

describe('chanceToBeatControl without an answer', () => {
  it('has none for variants without spread or a zero control mean', () => {
    const flat = moments({ n: 20, sum: 0, sumSquares: 0 }, 'proportion')
    const some = moments({ n: 20, sum: 3, sumSquares: 3 }, 'proportion')
    expect(chanceToBeatControl(flat, some)).toMatchObject({ ok: false, reason: 'zero-variance' })
    const centred = moments({ n: 4, sum: 0, sumSquares: 8 })
    expect(chanceToBeatControl(centred, moments({ n: 4, sum: 4, sumSquares: 8 }))).toMatchObject({ ok: false, reason: 'zero-baseline' })
  })

  it('refuses a confidence outside (0, 1)', () => {
    const m = moments({ n: 10, sum: 100, sumSquares: 1002.25 })
    expect(chanceToBeatControl(m, m, { confidence: 0 })).toMatchObject({ ok: false, reason: 'invalid-input' })
  })
})

describe('chanceToBeatControl properties', () => {
  it('identical variants: a coin flip', () => {
    fc.assert(
      fc.property(variantStats, (stats) => {
        const m = moments(stats)
        expect(must(chanceToBeatControl(m, m)).chanceToBeatControl).toBe(0.5)
      }),
      runs(100),
    )
  })

  it('lowerIsBetter turns the chance around; above 1/2 only when the variant is higher', () => {
    fc.assert(
      fc.property(variantStats, variantStats, (x, y) => {
        const [a, b] = [moments(x), moments(y)]
        const higher = must(chanceToBeatControl(a, b))
        const lower = must(chanceToBeatControl(a, b, { lowerIsBetter: true }))
        expect(higher.chanceToBeatControl + lower.chanceToBeatControl).toBeCloseTo(1, 12)
        // Means an ulp apart round the chance to exactly 1/2; any other chance takes the side of the data.
        if (higher.chanceToBeatControl !== 0.5) expect(higher.chanceToBeatControl > 0.5).toBe(b.mean > a.mean)
        expect(higher.chanceToBeatControl).toBeGreaterThanOrEqual(0)
        expect(higher.chanceToBeatControl).toBeLessThanOrEqual(1)
      }),
      runs(200),
    )
  })
})
