// compareVariants: the one call a report makes per metric and variant. The reference data flow
// through it unchanged (values from growthbook/growthbook packages/stats/tests/frequentist/test_tests.py
// and packages/stats/tests/bayesian/test_tests.py, as in welch.test.ts and bayesian.test.ts), and an
// unanswerable section never hides the answerable ones.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { runs } from '../../../test/support/arbitraries.js'
import { compareVariants, type Comparison } from './index.js'
import { must, statsOf, variantStats } from './test-support.js'

const A = { n: 3407, sum: 1396.87, sumSquares: 52377.9767 }
const B = { n: 3461, sum: 2422.7, sumSquares: 134698.29 }

/** Every number anywhere in a comparison, to check none is NaN. */
function numbersIn(value: unknown): number[] {
  if (typeof value === 'number') return [value]
  if (value === null || typeof value !== 'object') return []
  return Object.values(value).flatMap(numbersIn)
}

describe('compareVariants', () => {
  it('answers both effects through every method', () => {
    const c = compareVariants(A, B)
    expect(must(c.control).mean).toBeCloseTo(0.41, 4)
    expect(must(c.variant).mean).toBeCloseTo(0.7, 4)
    const relative = must(c.relative.welch)
    expect([relative.estimate, ...relative.interval, relative.pValue].map((x) => +x.toFixed(4))).toEqual([0.7073, -0.0353, 1.4499, 0.0619])
    const absolute = must(c.absolute.welch)
    expect([absolute.estimate, ...absolute.interval, absolute.pValue].map((x) => +x.toFixed(4))).toEqual([0.29, 0.0454, 0.5346, 0.0202])
    expect(must(c.relative.sequential).tuningSampleSize).toBe(5000)
    expect(must(c.relative.bayesian).chanceToBeatControl).toBeGreaterThan(0.9)
  })

  it('passes the metric kind, tuning sample size and direction through', () => {
    const c = compareVariants({ n: 3000, sum: 1396, sumSquares: 1396 }, { n: 3461, sum: 2422, sumSquares: 2422 }, { metric: 'proportion', tuningSampleSize: 5000 })
    const sequential = must(c.relative.sequential)
    expect(sequential.interval[0]).toBeCloseTo(0.40098, 4)
    expect(sequential.interval[1]).toBeCloseTo(0.60675, 4)
    const bayes = compareVariants({ n: 100, sum: 49, sumSquares: 49 }, { n: 100, sum: 51, sumSquares: 51 }, { metric: 'proportion', lowerIsBetter: true })
    expect(must(bayes.relative.bayesian).chanceToBeatControl).toBeCloseTo(1 - 0.60918, 4)
  })

  it('applies one confidence to every interval', () => {
    const c = compareVariants(A, B, { confidence: 0.9 })
    for (const effect of [c.absolute, c.relative]) {
      expect(must(effect.welch).confidence).toBe(0.9)
      expect(must(effect.sequential).confidence).toBe(0.9)
      expect(must(effect.bayesian).confidence).toBe(0.9)
    }
  })

  it('says which variant lacks data, in every section', () => {
    const c = compareVariants({ n: 1, sum: 3, sumSquares: 9 }, B)
    expect(c.control).toMatchObject({ ok: false, reason: 'too-few-units' })
    expect(c.variant.ok).toBe(true)
    for (const section of [c.absolute.welch, c.absolute.sequential, c.absolute.bayesian, c.relative.welch, c.relative.sequential, c.relative.bayesian]) {
      expect(section).toMatchObject({ ok: false, reason: 'too-few-units' })
      if (!section.ok) expect(section.message).toMatch(/^control: /)
    }
    const v = compareVariants(A, { n: 0, sum: 0, sumSquares: 0 })
    expect(v.relative.welch).toMatchObject({ ok: false, reason: 'too-few-units', message: expect.stringMatching(/^variant: /) })
  })

  it('keeps the absolute answers when the control mean is 0', () => {
    const c = compareVariants({ n: 4, sum: 0, sumSquares: 8 }, statsOf(4, 1, 1))
    expect(c.relative.welch).toMatchObject({ ok: false, reason: 'zero-baseline' })
    expect(c.relative.bayesian).toMatchObject({ ok: false, reason: 'zero-baseline' })
    expect(must(c.absolute.welch).estimate).toBe(1)
    expect(must(c.absolute.sequential).estimate).toBe(1)
    expect(must(c.absolute.bayesian).chanceToBeatControl).toBeGreaterThan(0.5)
  })

  it('reports zero variance rather than dividing by it', () => {
    const c = compareVariants({ n: 30, sum: 0, sumSquares: 0 }, { n: 30, sum: 0, sumSquares: 0 }, { metric: 'proportion' })
    expect(must(c.control).variance).toBe(0)
    expect(c.absolute.welch).toMatchObject({ ok: false, reason: 'zero-variance' })
    expect(c.relative.sequential).toMatchObject({ ok: false, reason: 'zero-variance' })
  })

  it('never yields NaN and never throws, whatever the sums', () => {
    const anyNumber = fc.oneof(fc.double(), fc.integer({ min: -5, max: 1_000_000 }), fc.constantFrom(0, 1, 2, -0))
    const anyStats = fc.record({ n: anyNumber, sum: anyNumber, sumSquares: anyNumber })
    const anyOptions = fc.record(
      {
        metric: fc.constantFrom('mean' as const, 'proportion' as const),
        confidence: fc.oneof(fc.double(), fc.constantFrom(0.9, 0.95)),
        tuningSampleSize: fc.oneof(fc.double(), fc.constant(5000)),
        lowerIsBetter: fc.boolean(),
      },
      { requiredKeys: [] },
    )
    fc.assert(
      fc.property(fc.oneof(anyStats, variantStats), fc.oneof(anyStats, variantStats), anyOptions, (x, y, options) => {
        const c: Comparison = compareVariants(x, y, options)
        const answered = [c.absolute, c.relative].flatMap((e) => [e.welch, e.sequential, e.bayesian]).filter((s) => s.ok)
        for (const section of answered) expect(numbersIn(section).filter(Number.isNaN)).toEqual([])
      }),
      runs(500),
    )
  })
})
