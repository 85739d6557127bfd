// momentsOf: exact sums from raw values against a two-pass computation, the proportion convention,
// and every input that has no variance to give.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { runs } from '../../../test/support/arbitraries.js'
import { momentsOf } from './moments.js'
import { must } from './test-support.js'

describe('momentsOf', () => {
  it('matches a two-pass mean and sample variance of the raw values', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e4, max: 1e4, noNaN: true }), { minLength: 2, maxLength: 200 }), (values) => {
        const n = values.length
        const mean = values.reduce((s, x) => s + x, 0) / n
        const variance = values.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1)
        const sum = values.reduce((s, x) => s + x, 0)
        const sumSquares = values.reduce((s, x) => s + x * x, 0)
        const m = must(momentsOf({ n, sum, sumSquares }))
        expect(m.mean).toBeCloseTo(mean, 9)
        // One-pass sums lose digits to cancellation; relative to the scale of the values.
        expect(Math.abs(m.variance - variance)).toBeLessThanOrEqual(1e-9 * Math.max(1, sumSquares / n))
        expect(m.standardError).toBeCloseTo(Math.sqrt(m.variance / n), 12)
      }),
      runs(300),
    )
  })

  it('uses p(1 − p) for a proportion and n − 1 for a mean of the same 0/1 values', () => {
    expect(must(momentsOf({ n: 28, sum: 14, sumSquares: 14 }, 'proportion')).variance).toBe(0.25)
    expect(must(momentsOf({ n: 28, sum: 14, sumSquares: 14 }, 'mean')).variance).toBeCloseTo(7 / 27, 15)
  })

  it('reads a rounding-sized negative spread as zero variance', () => {
    // 0.1 × 3: sumSquares − sum²/n comes out at about −1e-17.
    const m = must(momentsOf({ n: 3, sum: 0.1 + 0.1 + 0.1, sumSquares: 0.01 + 0.01 + 0.01 }))
    expect(m.variance).toBe(0)
    expect(m.standardError).toBe(0)
  })

  it.each([
    ['no units', { n: 0, sum: 0, sumSquares: 0 }, 'mean', 'too-few-units'],
    ['one unit', { n: 1, sum: 5, sumSquares: 25 }, 'mean', 'too-few-units'],
    ['one unit of a proportion', { n: 1, sum: 1, sumSquares: 1 }, 'proportion', 'too-few-units'],
    ['a fractional n', { n: 2.5, sum: 5, sumSquares: 25 }, 'mean', 'invalid-input'],
    ['a negative n', { n: -3, sum: 5, sumSquares: 25 }, 'mean', 'invalid-input'],
    ['a NaN sum', { n: 3, sum: Number.NaN, sumSquares: 25 }, 'mean', 'invalid-input'],
    ['an infinite sumSquares', { n: 3, sum: 1, sumSquares: Number.POSITIVE_INFINITY }, 'mean', 'invalid-input'],
    ['a negative sumSquares', { n: 3, sum: 1, sumSquares: -1 }, 'mean', 'invalid-input'],
    ['sums no data can have', { n: 4, sum: 10, sumSquares: 20 }, 'mean', 'invalid-input'],
    ['more successes than units', { n: 10, sum: 11, sumSquares: 11 }, 'proportion', 'invalid-input'],
    ['fractional successes', { n: 10, sum: 2.5, sumSquares: 2.5 }, 'proportion', 'invalid-input'],
    ['a proportion whose values are not 0/1', { n: 10, sum: 4, sumSquares: 9 }, 'proportion', 'invalid-input'],
  ] as const)('answers %s with %s', (_, stats, kind, reason) => {
    const result = momentsOf(stats, kind)
    expect(result.ok).toBe(false)
    if (!result.ok) {
      expect(result.reason).toBe(reason)
      expect(result.message).not.toBe('')
    }
  })
})
