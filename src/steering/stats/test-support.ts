// Test support for the statistics tests (excluded from the build): unwrap an answer that must
// exist, and build sufficient statistics from a mean and standard deviation.
import fc from 'fast-check'
import { momentsOf, type Moments } from './moments.js'
import type { MetricKind, Unavailable, VariantStats } from './types.js'

/** The answer, or a failure that names why there was none. */
export function must<T extends { readonly ok: true }>(result: T | Unavailable): T {
  if (!result.ok) throw new Error(`expected an answer, got ${result.reason}: ${result.message}`)
  return result
}

export function moments(stats: VariantStats, kind: MetricKind = 'mean'): Moments {
  return must(momentsOf(stats, kind))
}

/** The sums of n values with this mean and sample standard deviation. */
export function statsOf(n: number, mean: number, sd: number): VariantStats {
  return { n, sum: n * mean, sumSquares: (n - 1) * sd * sd + n * mean * mean }
}

/** Variants a metric could plausibly produce: 2 to 100,000 units, means that keep away from 0. */
export const variantStats: fc.Arbitrary<VariantStats> = fc
  .record({
    n: fc.integer({ min: 2, max: 100_000 }),
    mean: fc.double({ min: 0.01, max: 1000, noNaN: true }),
    cv: fc.double({ min: 0.05, max: 20, noNaN: true }),
  })
  .map(({ n, mean, cv }) => statsOf(n, mean, mean * cv))
