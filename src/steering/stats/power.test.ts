// powerAt and requiredSampleSize: GrowthBook's power reference, the sample size as the smallest
// that reaches the power asked for, and inputs with no answer.
// Reference: growthbook/growthbook packages/shared/test/power.test.ts ("calculates power correctly":
// mean 10, variance 3909.9997749994377, +5 % lift, 400,000 units over 3 variations, alpha 0.05,
// two-tailed → 0.52144).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { runs } from '../../../test/support/arbitraries.js'
import { powerAt, requiredSampleSize } from './power.js'
import { must } from './test-support.js'

const growthbook = { baselineMean: 10, baselineVariance: 3909.9997749994377, minimumDetectableLift: 0.05 }

describe('powerAt', () => {
  it('matches GrowthBook powerEstFrequentist', () => {
    expect(must(powerAt({ ...growthbook, sampleSizePerVariant: 400_000 / 3 })).power).toBeCloseTo(0.52144, 4)
  })

  it('is alpha when the sample is tiny and approaches 1 as it grows', () => {
    expect(must(powerAt({ ...growthbook, sampleSizePerVariant: 1e-6 })).power).toBeCloseTo(0.05, 3)
    expect(must(powerAt({ ...growthbook, sampleSizePerVariant: 1e9 })).power).toBeCloseTo(1, 9)
  })
})

describe('requiredSampleSize', () => {
  it('gives the size at which the GrowthBook metric reaches 80 % power', () => {
    const r = must(requiredSampleSize(growthbook))
    // The closed form (1.959964 + 0.841621)² · 3910 · (1 + 1.05²) / (0.05² · 10²) = 258,095.48…
    // rounds up to 258,096; with the wrong-sign tail counted, 258,095 already gets there.
    expect(r.sampleSizePerVariant).toBe(258_095)
    expect(r.power).toBeGreaterThanOrEqual(0.8)
    expect(must(powerAt({ ...growthbook, sampleSizePerVariant: r.sampleSizePerVariant - 1 })).power).toBeLessThan(0.8)
  })

  it('treats a decrease like an increase of the same variant-to-control ratio', () => {
    const down = must(requiredSampleSize({ ...growthbook, minimumDetectableLift: -0.05 }))
    expect(down.power).toBeGreaterThanOrEqual(0.8)
    // (1 + δ)² is smaller for a decrease: the variant's own noise weighs less on the ratio.
    expect(down.sampleSizePerVariant).toBeLessThan(must(requiredSampleSize(growthbook)).sampleSizePerVariant)
  })

  it('is the smallest size that reaches the power', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.001, max: 0.999, noNaN: true }),
        fc.double({ min: -0.9, max: 1, noNaN: true }),
        fc.constantFrom(0.5, 0.8, 0.9, 0.95),
        fc.constantFrom(0.01, 0.05, 0.1),
        (rate, lift, power, alpha) => {
          fc.pre(Math.abs(lift) >= 0.005)
          const input = { baselineMean: rate, baselineVariance: rate * (1 - rate), minimumDetectableLift: lift, alpha }
          const r = must(requiredSampleSize({ ...input, power }))
          expect(r.power).toBeGreaterThanOrEqual(power)
          if (r.sampleSizePerVariant > 2) {
            expect(must(powerAt({ ...input, sampleSizePerVariant: r.sampleSizePerVariant - 1 })).power).toBeLessThan(power)
          }
        },
      ),
      runs(300),
    )
  })

  it.each([
    ['a zero baseline', { ...growthbook, baselineMean: 0 }, 'zero-baseline'],
    ['a zero variance', { ...growthbook, baselineVariance: 0 }, 'zero-variance'],
    ['a negative variance', { ...growthbook, baselineVariance: -1 }, 'invalid-input'],
    ['a zero lift', { ...growthbook, minimumDetectableLift: 0 }, 'invalid-input'],
    ['a NaN lift', { ...growthbook, minimumDetectableLift: Number.NaN }, 'invalid-input'],
    ['alpha 0', { ...growthbook, alpha: 0 }, 'invalid-input'],
    ['power 1', { ...growthbook, power: 1 }, 'invalid-input'],
    ['power below alpha / 2', { ...growthbook, power: 0.01 }, 'invalid-input'],
    ['a lift no realistic sample detects', { ...growthbook, minimumDetectableLift: 1e-300 }, 'invalid-input'],
  ])('has no answer for %s', (_, input, reason) => {
    expect(requiredSampleSize(input)).toMatchObject({ ok: false, reason })
  })

  it('answers any input with a probability and a whole sample size, or says why not', () => {
    fc.assert(
      fc.property(fc.double(), fc.double(), fc.double(), fc.option(fc.double()), fc.option(fc.double()), (baselineMean, baselineVariance, minimumDetectableLift, alpha, power) => {
        const input = { baselineMean, baselineVariance, minimumDetectableLift, alpha: alpha ?? undefined, power: power ?? undefined }
        const r = requiredSampleSize(input)
        if (!r.ok) return
        expect(Number.isInteger(r.sampleSizePerVariant) && r.sampleSizePerVariant >= 2).toBe(true)
        expect(r.power).toBeGreaterThanOrEqual(0)
        expect(r.power).toBeLessThanOrEqual(1)
      }),
      runs(500),
    )
  })

  it('powerAt refuses a non-positive sample size', () => {
    expect(powerAt({ ...growthbook, sampleSizePerVariant: 0 })).toMatchObject({ ok: false, reason: 'invalid-input' })
  })
})
