// Welch's unequal-variance t-test of the variant against the control: a fixed-horizon answer,
// valid only when read once at a sample size chosen in advance (see sequential.ts otherwise).
// Conventions follow GrowthBook's gbstats `TwoSidedTTest`: the Welch–Satterthwaite degrees of
// freedom come from the two variants' own variances whichever effect is tested, and the interval
// is estimate ± t(1 − α/2, ν) · SE.
import tCdf from '@stdlib/stats-base-dists-t-cdf'
import tQuantile from '@stdlib/stats-base-dists-t-quantile'
import { effectOf } from './effect.js'
import type { Moments } from './moments.js'
import { isOpenUnit, unavailable, type Difference, type Interval, type Unavailable } from './types.js'

export interface FrequentistOptions {
  /** Default `relative`, GrowthBook's. */
  readonly difference?: Difference
  /** Of the two-sided interval; default 0.95 (alpha 0.05). */
  readonly confidence?: number
}

export interface WelchResult {
  readonly ok: true
  readonly difference: Difference
  readonly estimate: number
  readonly standardError: number
  readonly confidence: number
  readonly interval: Interval
  /** Two-sided, against "no effect". */
  readonly pValue: number
  readonly degreesOfFreedom: number
}

/**
 * Welch–Satterthwaite, (v_a/n_a + v_b/n_b)² / (v_a²/(n_a²(n_a−1)) + v_b²/(n_b²(n_b−1))), computed from
 * each variant's share of the squared error so that no square can overflow or underflow. For
 * variants with a positive variance, as welchTest checks first.
 */
export function welchDegreesOfFreedom(control: Moments, variant: Moments): number {
  const a = control.variance / control.n
  const b = variant.variance / variant.n
  const shareA = a / (a + b)
  const shareB = b / (a + b)
  return 1 / ((shareA * shareA) / (control.n - 1) + (shareB * shareB) / (variant.n - 1))
}

export function welchTest(control: Moments, variant: Moments, options: FrequentistOptions = {}): WelchResult | Unavailable {
  const { difference = 'relative', confidence = 0.95 } = options
  if (!isOpenUnit(confidence)) return unavailable('invalid-input', `confidence must be between 0 and 1 (got ${confidence})`)
  const effect = effectOf(control, variant, difference)
  if (!effect.ok) return effect
  const { estimate, standardError } = effect
  const degreesOfFreedom = welchDegreesOfFreedom(control, variant)
  const halfWidth = tQuantile(1 - (1 - confidence) / 2, degreesOfFreedom) * standardError
  // The lower tail, doubled: 2(1 − F(|t|)) would round small p-values to 0.
  const pValue = Math.min(1, 2 * tCdf(-Math.abs(estimate / standardError), degreesOfFreedom))
  return {
    ok: true,
    difference,
    estimate,
    standardError,
    confidence,
    interval: [estimate - halfWidth, estimate + halfWidth],
    pValue,
    degreesOfFreedom,
  }
}
