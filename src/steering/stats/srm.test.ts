// sampleRatioMismatch: χ² p-values of known splits, GrowthBook's historical reference, weights on
// any scale, and every split that cannot be tested.
// Reference: growthbook/growthbook packages/stats/tests/test_gbstats.py at c071b5a (test_srm:
// check_srm([1000, 1200], [0.5, 0.5]) = 0.000020079, 9 decimals). The 50/50 values are χ²(1) tail
// probabilities: 5050/4950 gives χ² = 1 (p = 0.31731), 5200/4800 gives χ² = 16 (p = 6.334e-5).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { runs } from '../../../test/support/arbitraries.js'
import { sampleRatioMismatch } from './srm.js'
import { must } from './test-support.js'

describe('sampleRatioMismatch', () => {
  it('5050/4950 on 50/50 is no mismatch', () => {
    const r = must(sampleRatioMismatch([5050, 4950], [0.5, 0.5]))
    expect(r.chiSquare).toBeCloseTo(1, 12)
    expect(r.degreesOfFreedom).toBe(1)
    expect(r.pValue).toBeCloseTo(0.31731, 4)
    expect(r.mismatch).toBe(false)
    expect(r.expected).toEqual([5000, 5000])
  })

  it('5200/4800 on 50/50 is a mismatch', () => {
    const r = must(sampleRatioMismatch([5200, 4800], [50, 50]))
    expect(r.chiSquare).toBeCloseTo(16, 12)
    // 4 significant digits of a p-value that small.
    expect(r.pValue / 6.334e-5).toBeCloseTo(1, 3)
    expect(r.pValue).toBeCloseTo(6.334e-5, 8)
    expect(r.mismatch).toBe(true)
  })

  it('matches gbstats check_srm([1000, 1200], [0.5, 0.5])', () => {
    expect(must(sampleRatioMismatch([1000, 1200], [0.5, 0.5])).pValue).toBeCloseTo(0.000020079, 9)
  })

  it('tests unequal weights against their own split', () => {
    const exact = must(sampleRatioMismatch([8000, 1000, 1000], [80, 10, 10]))
    expect(exact.chiSquare).toBe(0)
    expect(exact.pValue).toBe(1)
    expect(exact.degreesOfFreedom).toBe(2)
    // 50/50 traffic against a configured 80/20 is a gross mismatch.
    expect(must(sampleRatioMismatch([500, 500], [0.8, 0.2])).mismatch).toBe(true)
  })

  it('leaves a zero-weight variant out of the test', () => {
    const r = must(sampleRatioMismatch([5050, 4950, 300], [1, 1, 0]))
    expect(r.degreesOfFreedom).toBe(1)
    expect(r.pValue).toBeCloseTo(0.31731, 4)
    expect(r.expected).toEqual([5000, 5000, 0])
  })

  it('flags at the alpha asked for', () => {
    expect(must(sampleRatioMismatch([5050, 4950], [1, 1], { alpha: 0.5 })).mismatch).toBe(true)
  })

  it.each([
    ['no traffic yet', [0, 0], [1, 1], 'no-traffic'],
    ['a single variant', [100], [1], 'too-few-variants'],
    ['one positive weight', [100, 7], [1, 0], 'too-few-variants'],
    ['all weights zero', [100, 7], [0, 0], 'too-few-variants'],
    ['no variants', [], [], 'too-few-variants'],
    ['counts and weights of different lengths', [100, 100, 100], [1, 1], 'invalid-input'],
    ['a negative weight', [100, 100], [1, -1], 'invalid-input'],
    ['a NaN weight', [100, 100], [1, Number.NaN], 'invalid-input'],
    ['a fractional count', [100.5, 100], [1, 1], 'invalid-input'],
    ['a negative count', [-1, 100], [1, 1], 'invalid-input'],
  ])('answers %s with no test', (_, counts, weights, reason) => {
    expect(sampleRatioMismatch(counts, weights)).toMatchObject({ ok: false, reason })
  })

  it.each([0, 1, 2])('refuses alpha %s', (alpha) => {
    expect(sampleRatioMismatch([1, 1], [1, 1], { alpha })).toMatchObject({ ok: false, reason: 'invalid-input' })
  })

  it('never yields NaN and never throws, whatever the numbers', () => {
    const anyNumber = fc.oneof(fc.double(), fc.nat(), fc.constantFrom(0, 1, 1e308, Number.MAX_SAFE_INTEGER))
    fc.assert(
      fc.property(fc.array(fc.tuple(anyNumber, anyNumber), { maxLength: 5 }), (rows) => {
        const r = sampleRatioMismatch(rows.map(([count]) => count), rows.map(([, weight]) => weight))
        if (!r.ok) return
        expect([r.chiSquare, r.pValue, ...r.expected].filter(Number.isNaN)).toEqual([])
        expect(r.pValue).toBeGreaterThanOrEqual(0)
        expect(r.pValue).toBeLessThanOrEqual(1)
      }),
      runs(500),
    )
  })

  it('does not depend on the scale of the weights, and its p-value is a probability', () => {
    const variants = fc.array(fc.record({ count: fc.nat({ max: 1_000_000 }), weight: fc.double({ min: 0.01, max: 100, noNaN: true }) }), { minLength: 2, maxLength: 6 })
    fc.assert(
      fc.property(variants, fc.double({ min: 0.001, max: 1000, noNaN: true }), (rows, scale) => {
        fc.pre(rows.some((r) => r.count > 0))
        const counts = rows.map((r) => r.count)
        const r = must(sampleRatioMismatch(counts, rows.map((row) => row.weight)))
        const scaled = must(sampleRatioMismatch(counts, rows.map((row) => row.weight * scale)))
        expect(scaled.pValue).toBeCloseTo(r.pValue, 9)
        expect(r.pValue).toBeGreaterThanOrEqual(0)
        expect(r.pValue).toBeLessThanOrEqual(1)
      }),
      runs(200),
    )
  })
})
