// Hard constraints: an arm whose recent error rate or latency quantile is over a
// configured limit is not chosen, however good its reward looks — a cheap target that times out
// 20 % of the time can still win on a cost-heavy reward. "Recent" is a time half-life on the
// injected clock rather than a count of requests, because an excluded arm gets no requests: its
// evidence has to age by itself. Once its decayed count falls below `minSamples` it is eligible
// again and its next requests decide — the half-open probe of a circuit breaker, without a timer.
//
// Memory per arm is fixed: decayed counts of attempts and errors, and a latency histogram over
// fixed buckets. A histogram rather than a P² estimator because decayed counts add up, so two
// replicas' histograms merge exactly (state.ts), and any limit can be read from it after a reload.
import type { RequestOutcome } from './reward.js'

/** Upper bounds of the latency buckets, in ms; one more bucket holds everything slower. */
export const LATENCY_BUCKETS_MS: readonly number[] = [
  100, 200, 300, 500, 750, 1_000, 1_500, 2_000, 3_000, 5_000, 7_500, 10_000, 15_000, 20_000, 30_000, 60_000, 120_000,
]

export interface ConstraintSettings {
  /** Exclude an arm whose recent error rate (0–1) is above this; undefined: no limit. */
  readonly maxErrorRate: number | undefined
  /** Exclude an arm whose recent `latencyQuantile` latency is above this; undefined: no limit. */
  readonly maxLatencyMs: number | undefined
  /** Which latency quantile `maxLatencyMs` limits; default 0.95 (p95). */
  readonly latencyQuantile: number
  /** Evidence loses half its weight every `halfLifeMs`; default 60,000 (one minute). */
  readonly halfLifeMs: number
  /** Fewer (decayed) attempts than this never exclude an arm; default 20. */
  readonly minSamples: number
}

export const DEFAULT_CONSTRAINTS: ConstraintSettings = {
  maxErrorRate: undefined,
  maxLatencyMs: undefined,
  latencyQuantile: 0.95,
  halfLifeMs: 60_000,
  minSamples: 20,
}

/** Decayed counts for one arm, all as of the same instant (the arm's `atMs`, state.ts). */
export interface Health {
  readonly attempts: number
  readonly errors: number
  /** One count per bucket of LATENCY_BUCKETS_MS, plus the overflow bucket last. */
  readonly latencyCounts: readonly number[]
}

export type Exclusion = 'error-rate' | 'latency'

export function emptyHealth(): Health {
  return { attempts: 0, errors: 0, latencyCounts: new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0) }
}

/** The counts `elapsedMs` later, before anything new is observed. */
export function decayHealth(health: Health, elapsedMs: number, settings: ConstraintSettings): Health {
  if (!(elapsedMs > 0)) return health
  const factor = 2 ** (-elapsedMs / settings.halfLifeMs)
  return {
    attempts: health.attempts * factor,
    errors: health.errors * factor,
    latencyCounts: health.latencyCounts.map((n) => n * factor),
  }
}

/** Counts a finished request; every attempt has a latency, a failed one included (a timeout is slow). */
export function observeHealth(health: Health, outcome: RequestOutcome): Health {
  const latencyCounts = health.latencyCounts.slice()
  latencyCounts[bucketOf(outcome.latencyMs)]! += 1
  return { attempts: health.attempts + 1, errors: health.errors + (outcome.ok ? 0 : 1), latencyCounts }
}

function bucketOf(latencyMs: number): number {
  // A latency that is not a number is unknown: count it as the slowest rather than the fastest.
  if (Number.isNaN(latencyMs)) return LATENCY_BUCKETS_MS.length
  for (let i = 0; i < LATENCY_BUCKETS_MS.length; i++) if (latencyMs <= LATENCY_BUCKETS_MS[i]!) return i
  return LATENCY_BUCKETS_MS.length
}

export function errorRateOf(health: Health): number {
  return health.attempts > 0 ? health.errors / health.attempts : 0
}

/**
 * The q-quantile of the recorded latencies, interpolated linearly inside its bucket as Prometheus'
 * histogram_quantile does (so it is exact to a bucket's width); in the overflow bucket, its lower
 * bound. 0 when nothing was recorded.
 */
export function latencyQuantileOf(health: Health, q: number): number {
  let total = 0
  for (const n of health.latencyCounts) total += n
  if (total <= 0) return 0
  const rank = q * total
  let below = 0
  for (let i = 0; i < health.latencyCounts.length; i++) {
    const n = health.latencyCounts[i]!
    if (n > 0 && below + n >= rank) {
      const lower = i === 0 ? 0 : LATENCY_BUCKETS_MS[i - 1]!
      const upper = LATENCY_BUCKETS_MS[i]
      if (upper === undefined) return lower
      return lower + (upper - lower) * ((rank - below) / n)
    }
    below += n
  }
  return LATENCY_BUCKETS_MS[LATENCY_BUCKETS_MS.length - 1]!
}

/** Why the arm may not be chosen now, or undefined; `health` must already be decayed to now. */
export function exclusionOf(health: Health, settings: ConstraintSettings): Exclusion | undefined {
  if (health.attempts < settings.minSamples) return undefined
  if (settings.maxErrorRate !== undefined && errorRateOf(health) > settings.maxErrorRate) return 'error-rate'
  if (settings.maxLatencyMs !== undefined && latencyQuantileOf(health, settings.latencyQuantile) > settings.maxLatencyMs) return 'latency'
  return undefined
}
