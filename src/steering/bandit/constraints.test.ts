// Constraint counts: the latency quantile read from the histogram, decay on the clock, and when an
// arm is excluded. The exclusion as chooseArm applies it is in bandit.test.ts.
import { describe, expect, it } from 'vitest'
import {
  decayHealth,
  DEFAULT_CONSTRAINTS,
  emptyHealth,
  errorRateOf,
  exclusionOf,
  LATENCY_BUCKETS_MS,
  latencyQuantileOf,
  observeHealth,
  type ConstraintSettings,
  type Health,
} from './constraints.js'

function observed(latencies: readonly number[], failures = 0): Health {
  let health = emptyHealth()
  latencies.forEach((latencyMs, i) => {
    health = observeHealth(health, { ok: i >= failures, latencyMs, costUsd: 0 })
  })
  return health
}

const limits: ConstraintSettings = { ...DEFAULT_CONSTRAINTS, maxErrorRate: 0.2, maxLatencyMs: 2_000, minSamples: 10 }

describe('latencyQuantileOf', () => {
  it.each([
    // 100 requests all in the (300, 500] bucket: p95 is 95 % of the way through it.
    { latencies: Array<number>(100).fill(400), q: 0.95, expected: 490 },
    // 90 fast, 10 in (2,000, 3,000]: the 95th of 100 is half-way through that bucket.
    { latencies: [...Array<number>(90).fill(50), ...Array<number>(10).fill(2_500)], q: 0.95, expected: 2_500 },
    { latencies: [...Array<number>(90).fill(50), ...Array<number>(10).fill(2_500)], q: 0.5, expected: 100 * (50 / 90) },
    // Beyond the last bound: the overflow bucket answers with its lower bound.
    { latencies: Array<number>(10).fill(500_000), q: 0.95, expected: 120_000 },
    { latencies: [Number.NaN], q: 0.5, expected: 120_000 },
    { latencies: [], q: 0.95, expected: 0 },
  ])('$q-quantile of $latencies.length latencies → $expected', ({ latencies, q, expected }) => {
    expect(latencyQuantileOf(observed(latencies), q)).toBeCloseTo(expected, 9)
  })

  it('is exact to one bucket width against the true quantile of spread latencies', () => {
    const latencies = Array.from({ length: 1_000 }, (_, i) => 20 + i * 7)
    const q95 = [...latencies].sort((a, b) => a - b)[949]!
    const estimate = latencyQuantileOf(observed(latencies), 0.95)
    const bucket = LATENCY_BUCKETS_MS.findIndex((bound) => q95 <= bound)
    expect(estimate).toBeGreaterThan(LATENCY_BUCKETS_MS[bucket - 1]!)
    expect(estimate).toBeLessThanOrEqual(LATENCY_BUCKETS_MS[bucket]!)
  })
})

describe('exclusionOf', () => {
  it.each([
    { name: 'a healthy arm', health: observed(Array<number>(50).fill(300), 5), reason: undefined },
    { name: 'too many errors', health: observed(Array<number>(50).fill(300), 11), reason: 'error-rate' },
    { name: 'a slow p95', health: observed([...Array<number>(40).fill(300), ...Array<number>(10).fill(5_000)]), reason: 'latency' },
    // Nine failures of nine: too little evidence to exclude anything.
    { name: 'fewer than minSamples', health: observed(Array<number>(9).fill(300), 9), reason: undefined },
  ])('$name → $reason', ({ health, reason }) => {
    expect(exclusionOf(health, limits)).toBe(reason)
  })

  it('excludes nothing when no limit is configured', () => {
    expect(exclusionOf(observed(Array<number>(50).fill(60_000), 50), DEFAULT_CONSTRAINTS)).toBeUndefined()
  })
})

describe('decayHealth', () => {
  it('halves every count each half-life and keeps the rates, so evidence ages out by itself', () => {
    const health = observed(Array<number>(40).fill(5_000), 40)
    const later = decayHealth(health, 3 * limits.halfLifeMs, limits)
    expect(later.attempts).toBeCloseTo(5, 9)
    expect(errorRateOf(later)).toBeCloseTo(1, 9)
    expect(latencyQuantileOf(later, 0.95)).toBeCloseTo(latencyQuantileOf(health, 0.95), 9)
    // 40 attempts → 5 after three half-lives, below minSamples (10): the arm is eligible again.
    expect(exclusionOf(health, limits)).toBe('error-rate')
    expect(exclusionOf(later, limits)).toBeUndefined()
  })

  it('changes nothing for no or negative elapsed time', () => {
    const health = observed([100, 200])
    expect(decayHealth(health, 0, limits)).toBe(health)
    expect(decayHealth(health, -5, limits)).toBe(health)
  })
})
