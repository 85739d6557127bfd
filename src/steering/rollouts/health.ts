// Health of a canary against the stable arm (docs/rollouts.md, "Decision core"): per arm sufficient
// statistics, and per metric an always-valid test (stats/sequential.ts, the asymptotic confidence
// sequence) read after every request. A metric is
//   - `worse` when the rollback sequence for (canary − stable) lies entirely above its tolerance;
//   - `not-worse` when the promotion sequence lies entirely below it (the data rules out a
//     regression beyond the tolerance), which is what a step needs from every metric to pass;
//   - `inconclusive` otherwise, and whenever the test has no answer (too few requests, zero variance).
// Pure: statistics in, verdicts out.
import { HEALTH_DEFAULTS } from './schema.js'
import { momentsOf, sequentialTest, type Difference, type Interval, type Moments, type VariantStats } from '../stats/index.js'

/** One arm's sufficient statistics since the step began. */
export interface ArmStats {
  readonly requests: number
  readonly errors: number
  /** Σ ln(latency in ms) and Σ ln² over all requests. */
  readonly logLatencySum: number
  readonly logLatencySumSquares: number
  /** Σ cost per request (USD) and Σ cost². */
  readonly costSum: number
  readonly costSumSquares: number
}

export interface RolloutStats {
  readonly stable: ArmStats
  readonly canary: ArmStats
}

export interface RequestOutcome {
  readonly error: boolean
  readonly latencyMs: number
  readonly costUsd: number
}

/** Latencies are floored at this before the log (a 0 ms answer would be −∞). */
export const LATENCY_FLOOR_MS = 0.001

export function emptyArmStats(): ArmStats {
  return { requests: 0, errors: 0, logLatencySum: 0, logLatencySumSquares: 0, costSum: 0, costSumSquares: 0 }
}

export function emptyRolloutStats(): RolloutStats {
  return { stable: emptyArmStats(), canary: emptyArmStats() }
}

export function recordRequest(arm: ArmStats, outcome: RequestOutcome): ArmStats {
  const logLatency = Math.log(Math.max(LATENCY_FLOOR_MS, outcome.latencyMs))
  const cost = Number.isFinite(outcome.costUsd) ? Math.max(0, outcome.costUsd) : 0
  return {
    requests: arm.requests + 1,
    errors: arm.errors + (outcome.error ? 1 : 0),
    logLatencySum: arm.logLatencySum + logLatency,
    logLatencySumSquares: arm.logLatencySumSquares + logLatency * logLatency,
    costSum: arm.costSum + cost,
    costSumSquares: arm.costSumSquares + cost * cost,
  }
}

export interface HealthSettings {
  /**
   * Two-sided confidence of the sequence that decides `worse` (rollback). A canary whose true effect
   * sits exactly at the tolerance is rolled back, at any time, with probability at most
   * (1 − rollbackConfidence) / 2; one equal to stable far less (the tolerance is its margin).
   */
  readonly rollbackConfidence: number
  /** Two-sided confidence of the sequence that decides `not-worse` (what promotion needs). */
  readonly promoteConfidence: number
  /** N*, both arms' requests at which the sequences are tightest (stats/sequential.ts). */
  readonly tuningSampleSize: number
  /** Requests per arm before a sequential verdict is read (the sequence is asymptotic). */
  readonly minTestSamples: number
  /** Absolute: worse when p_canary − p_stable is above this. */
  readonly errorRateTolerance: number
  /** Relative: worse when the canary's geometric-mean latency is above stable's × (1 + this). */
  readonly latencyTolerance: number
  /** Relative: worse when the canary's mean cost per request is above stable's × (1 + this); null: not judged. */
  readonly costTolerance: number | null
  /** Hard stop: the canary's error rate above this, with at least `hardStopMinSamples` canary requests. Null: none. */
  readonly maxErrorRate: number | null
  readonly hardStopMinSamples: number
}

export const DEFAULT_HEALTH_SETTINGS: HealthSettings = HEALTH_DEFAULTS

export type MetricName = 'error-rate' | 'latency' | 'cost'
export type Verdict = 'worse' | 'not-worse' | 'inconclusive'

export interface MetricHealth {
  readonly metric: MetricName
  readonly verdict: Verdict
  /** The threshold the intervals are read against, in the test's unit (absolute rate, log ratio, relative lift). */
  readonly threshold: number
  readonly estimate?: number
  /** The rollback sequence's interval (its lower end decides `worse`). */
  readonly rollbackInterval?: Interval
  /** The promotion sequence's interval (its upper end decides `not-worse`). */
  readonly promoteInterval?: Interval
  readonly reason: string
}

export interface HealthReport {
  /** Some metric is worse, or a hard stop fired. */
  readonly worse: boolean
  /** Every judged metric is `not-worse` (and no hard stop). */
  readonly informative: boolean
  readonly metrics: readonly MetricHealth[]
  /** Set when a hard stop fired. */
  readonly hardStop?: string
}

/**
 * `assessPromotion: false` skips the promotion sequences (so `informative` is not to be relied on): the step
 * machine passes it while a step's minimums are unmet, which halves the work of a look.
 */
export function judgeHealth(stats: RolloutStats, settings: HealthSettings, assessPromotion = true): HealthReport {
  const metrics: MetricHealth[] = [errorRateHealth(stats, settings, assessPromotion), latencyHealth(stats, settings, assessPromotion)]
  if (settings.costTolerance !== null) metrics.push(costHealth(stats, settings, settings.costTolerance, assessPromotion))
  const hardStop = hardStopOf(stats.canary, settings)
  const worse = hardStop !== undefined || metrics.some((m) => m.verdict === 'worse')
  const informative = hardStop === undefined && metrics.every((m) => m.verdict === 'not-worse')
  return hardStop === undefined ? { worse, informative, metrics } : { worse, informative, metrics, hardStop }
}

function hardStopOf(canary: ArmStats, settings: HealthSettings): string | undefined {
  if (settings.maxErrorRate === null || canary.requests < settings.hardStopMinSamples) return undefined
  const rate = canary.errors / canary.requests
  return rate > settings.maxErrorRate ? `canary error rate ${rate.toFixed(4)} above the hard stop ${settings.maxErrorRate}` : undefined
}

/**
 * The two sequences for one metric, read against `threshold`. Both arms need `minTestSamples`
 * requests and an answer from the library (which has none for zero variance): otherwise inconclusive.
 */
function sequentialVerdict(
  metric: MetricName,
  stable: Moments,
  canary: Moments,
  difference: Difference,
  threshold: number,
  settings: HealthSettings,
  assessPromotion: boolean,
): MetricHealth {
  const rollback = sequentialTest(stable, canary, { difference, tuningSampleSize: settings.tuningSampleSize, confidence: settings.rollbackConfidence })
  if (!rollback.ok) return { metric, verdict: 'inconclusive', threshold, reason: rollback.message }
  if (!assessPromotion) {
    const worse = rollback.interval[0] > threshold
    const reason = worse ? 'the rollback interval lies above the threshold' : 'not worse yet; promotion not assessed (the step minimums are unmet)'
    return { metric, verdict: worse ? 'worse' : 'inconclusive', threshold, estimate: rollback.estimate, rollbackInterval: rollback.interval, reason }
  }
  const promote = sequentialTest(stable, canary, { difference, tuningSampleSize: settings.tuningSampleSize, confidence: settings.promoteConfidence })
  if (!promote.ok) return { metric, verdict: 'inconclusive', threshold, reason: promote.message }
  // The reasons carry no formatted numbers (the intervals are in the fields): this runs after every request.
  const verdict: Verdict = rollback.interval[0] > threshold ? 'worse' : promote.interval[1] < threshold ? 'not-worse' : 'inconclusive'
  const reason = verdict === 'worse' ? 'the rollback interval lies above the threshold' : verdict === 'not-worse' ? 'the promotion interval lies below the threshold' : 'the intervals straddle the threshold'
  return { metric, verdict, threshold, estimate: rollback.estimate, rollbackInterval: rollback.interval, promoteInterval: promote.interval, reason }
}

function enoughFor(metric: MetricName, stats: RolloutStats, settings: HealthSettings): MetricHealth | undefined {
  const fewest = Math.min(stats.stable.requests, stats.canary.requests)
  if (fewest >= settings.minTestSamples) return undefined
  return { metric, verdict: 'inconclusive', threshold: NaN, reason: `${fewest} requests on an arm; the test starts at ${settings.minTestSamples}` }
}

function moments(stats: VariantStats, kind: 'mean' | 'proportion'): Moments | undefined {
  const m = momentsOf(stats, kind)
  return m.ok ? m : undefined
}

/**
 * Error rate, absolute difference. Zero errors on an arm leaves the library without a variance
 * (`zero-variance`); zero on stable is handled by `flawlessStable`.
 * Zero errors on the canary still bounds its rate: P(0 errors in n | rate ≥ t) ≤ (1 − t)^n, so once
 * n ≥ ln(1/α) / t (the rule of three at α = 5 %: 3 / t) a rate of t or more is ruled out at level α.
 * The zero-error run can only end, never restart, so this reading is valid at every request.
 * Then p_canary − p_stable ≤ p_canary < t: `not-worse`. Before that: lack of data, inconclusive.
 */
function errorRateHealth(stats: RolloutStats, settings: HealthSettings, assessPromotion: boolean): MetricHealth {
  const metric = 'error-rate'
  const threshold = settings.errorRateTolerance
  const early = enoughFor(metric, stats, settings)
  if (early !== undefined) return { ...early, threshold }
  const { stable, canary } = stats
  if (canary.errors === 0) {
    const alpha = (1 - settings.promoteConfidence) / 2
    const needed = Math.ceil(Math.log(1 / alpha) / threshold)
    return canary.requests >= needed
      ? { metric, verdict: 'not-worse', threshold, estimate: -stable.errors / stable.requests, reason: `no canary errors in ${canary.requests} requests (${needed} bound its rate below the tolerance)` }
      : { metric, verdict: 'inconclusive', threshold, reason: `no canary errors yet in ${canary.requests} requests; ${needed} bound its rate below the tolerance` }
  }
  if (stable.errors === 0) return flawlessStable(stats, settings)
  const s = moments({ n: stable.requests, sum: stable.errors, sumSquares: stable.errors }, 'proportion')
  const c = moments({ n: canary.requests, sum: canary.errors, sumSquares: canary.errors }, 'proportion')
  if (s === undefined || c === undefined) return { metric, verdict: 'inconclusive', threshold, reason: 'the error counts are not a proportion' }
  return sequentialVerdict(metric, s, c, 'absolute', threshold, settings, assessPromotion)
}

/**
 * Errors on the canary, none on stable: the library has no variance for stable. Stable is given one
 * pseudo-error (rate 1 / (n + 1), above its observed 0), which can only make the canary look better,
 * so a `worse` read from it is conservative; it is read for rollback only — promotion stays
 * inconclusive until stable has an error of its own (or the canary has none).
 */
function flawlessStable(stats: RolloutStats, settings: HealthSettings): MetricHealth {
  const metric = 'error-rate'
  const threshold = settings.errorRateTolerance
  const { stable, canary } = stats
  const s = moments({ n: stable.requests + 1, sum: 1, sumSquares: 1 }, 'proportion')
  const c = moments({ n: canary.requests, sum: canary.errors, sumSquares: canary.errors }, 'proportion')
  if (s === undefined || c === undefined) return { metric, verdict: 'inconclusive', threshold, reason: 'the error counts are not a proportion' }
  const verdict = sequentialVerdict(metric, s, c, 'absolute', threshold, settings, false)
  if (verdict.verdict === 'worse') return { ...verdict, reason: 'the rollback interval lies above the threshold (stable has no errors; counted as one)' }
  return { metric, verdict: 'inconclusive', threshold, reason: 'errors on the canary and none on stable: not yet worse, and promotion needs an error rate on stable' }
}

/** Latency: the mean of ln(ms), absolute difference = ln of the ratio of geometric means (medians of lognormals). */
function latencyHealth(stats: RolloutStats, settings: HealthSettings, assessPromotion: boolean): MetricHealth {
  const metric = 'latency'
  const threshold = Math.log1p(settings.latencyTolerance)
  const early = enoughFor(metric, stats, settings)
  if (early !== undefined) return { ...early, threshold }
  const s = moments({ n: stats.stable.requests, sum: stats.stable.logLatencySum, sumSquares: stats.stable.logLatencySumSquares }, 'mean')
  const c = moments({ n: stats.canary.requests, sum: stats.canary.logLatencySum, sumSquares: stats.canary.logLatencySumSquares }, 'mean')
  if (s === undefined || c === undefined) return { metric, verdict: 'inconclusive', threshold, reason: 'the latency sums are not consistent' }
  return sequentialVerdict(metric, s, c, 'absolute', threshold, settings, assessPromotion)
}

/** Cost per request: relative difference of the means (delta method), against the tolerance itself. */
function costHealth(stats: RolloutStats, settings: HealthSettings, tolerance: number, assessPromotion: boolean): MetricHealth {
  const metric = 'cost'
  const threshold = tolerance
  const early = enoughFor(metric, stats, settings)
  if (early !== undefined) return { ...early, threshold }
  const s = moments({ n: stats.stable.requests, sum: stats.stable.costSum, sumSquares: stats.stable.costSumSquares }, 'mean')
  const c = moments({ n: stats.canary.requests, sum: stats.canary.costSum, sumSquares: stats.canary.costSumSquares }, 'mean')
  if (s === undefined || c === undefined) return { metric, verdict: 'inconclusive', threshold, reason: 'the cost sums are not consistent' }
  // No cost recorded on either arm (a free model, or cost not reported): nothing to regress.
  if (stats.stable.costSum === 0 && stats.canary.costSum === 0) {
    return { metric, verdict: 'not-worse', threshold, estimate: 0, reason: 'no cost recorded on either arm' }
  }
  return sequentialVerdict(metric, s, c, 'relative', threshold, settings, assessPromotion)
}
