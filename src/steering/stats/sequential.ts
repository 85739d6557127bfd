// Always-valid inference: the asymptotic confidence sequence of Waudby-Smith, Arbour, Sinha,
// Kennedy and Ramdas, "Time-uniform central limit theory and asymptotic confidence sequences"
// (arXiv:2103.06476, eq. 9 for the interval, eq. 161 for ρ, eq. 155 for the p-value), as GrowthBook's
// gbstats `SequentialTwoSidedTTest` applies it. Its coverage holds uniformly over time, so the
// results may be read after every request and the experiment stopped whenever they are decisive.
// The price is width: at any fixed n the interval is wider than Welch's (from 4 degrees of freedom on).
import { effectOf } from './effect.js'
import type { Moments } from './moments.js'
import { isOpenUnit, unavailable, type Difference, type Interval, type Unavailable } from './types.js'
import type { FrequentistOptions } from './welch.js'

export interface SequentialOptions extends FrequentistOptions {
  /**
   * N*, the total sample size (both variants, at least 1) at which the sequence is tightest; default
   * 5000, as GrowthBook. Guess the size at which a decision is expected: a guess far off widens the interval.
   */
  readonly tuningSampleSize?: number
}

export interface SequentialResult {
  readonly ok: true
  readonly difference: Difference
  readonly estimate: number
  readonly standardError: number
  readonly confidence: number
  readonly tuningSampleSize: number
  readonly interval: Interval
  /** Always-valid two-sided p-value (1 / e-value, capped at 1): below alpha exactly when the interval excludes 0. */
  readonly pValue: number
}

/** ρ² = (−2 ln α + ln(1 − 2 ln α)) / N*, the mixture variance that makes the sequence (about) tightest at N*. */
export function sequentialRhoSquared(alpha: number, tuningSampleSize: number): number {
  const logAlpha = Math.log(alpha)
  return (-2 * logAlpha + Math.log(1 - 2 * logAlpha)) / tuningSampleSize
}

export function sequentialTest(control: Moments, variant: Moments, options: SequentialOptions = {}): SequentialResult | Unavailable {
  const { difference = 'relative', confidence = 0.95, tuningSampleSize = 5000 } = options
  if (!isOpenUnit(confidence)) return unavailable('invalid-input', `confidence must be between 0 and 1 (got ${confidence})`)
  if (!Number.isFinite(tuningSampleSize) || tuningSampleSize < 1) {
    return unavailable('invalid-input', `tuningSampleSize must be a number of units, at least 1 (got ${tuningSampleSize})`)
  }
  const effect = effectOf(control, variant, difference)
  if (!effect.ok) return effect
  const { estimate, standardError } = effect
  const alpha = 1 - confidence
  const rho2 = sequentialRhoSquared(alpha, tuningSampleSize)
  // The paper's n is the number of observations of the effect: here, the units of both variants.
  // s² = SE² · n is the per-unit variance that the paper's σ² stands for.
  const n = control.n + variant.n
  const spread = n * rho2 + 1
  const halfWidth = standardError * Math.sqrt((2 * spread * Math.log(Math.sqrt(spread) / alpha)) / (n * rho2))
  // ln e = ρ² S² / (2 σ² (nρ² + 1)) − ½ ln(nρ² + 1), with S²/σ² = n · (estimate / SE)²; in logs,
  // because the e-value overflows for large effects long before the p-value stops being useful.
  const z = estimate / standardError
  const logEvalue = (rho2 * n * z * z) / (2 * spread) - 0.5 * Math.log(spread)
  return {
    ok: true,
    difference,
    estimate,
    standardError,
    confidence,
    tuningSampleSize,
    interval: [estimate - halfWidth, estimate + halfWidth],
    pValue: Math.min(1, Math.exp(-logEvalue)),
  }
}
