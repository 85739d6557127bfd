// The effect of a variant against the control and its standard error, shared by the Welch,
// sequential and Bayesian answers. The relative effect's variance is the delta method's, as in
// GrowthBook's gbstats (`frequentist_variance`, `variance_of_ratios` with zero covariance: the two
// variants are independent samples).
import type { Moments } from './moments.js'
import { unavailable, type Difference, type Unavailable } from './types.js'

export interface Effect {
  readonly ok: true
  readonly difference: Difference
  readonly estimate: number
  readonly standardError: number
}

export function effectOf(control: Moments, variant: Moments, difference: Difference): Effect | Unavailable {
  // As gbstats: a variant without spread (every value equal, 0 or n conversions) says nothing about
  // the noise around its mean, so no interval is honest — even if the other variant has spread.
  if (control.variance <= 0 || variant.variance <= 0) {
    return unavailable('zero-variance', 'a variant has zero variance (all values equal): no effect can be estimated')
  }
  const a = control.mean
  const b = variant.mean
  if (difference === 'absolute') {
    const variance = variant.variance / variant.n + control.variance / control.n
    return checked(difference, b - a, Math.sqrt(variance))
  }
  if (a === 0) return unavailable('zero-baseline', 'the control mean is 0: a relative lift is undefined')
  // Dividing by |a| keeps the sign meaning "variant is higher" when the baseline is negative.
  const estimate = (b - a) / Math.abs(a)
  const variance = variant.variance / (variant.n * a * a) + (control.variance * b * b) / (control.n * a ** 4)
  return checked(difference, estimate, Math.sqrt(variance))
}

/** Sums at the edge of double range can underflow the error to 0 or overflow the lift: no answer. */
function checked(difference: Difference, estimate: number, standardError: number): Effect | Unavailable {
  if (!Number.isFinite(estimate) || !Number.isFinite(standardError)) {
    return unavailable('invalid-input', 'the effect or its standard error is beyond floating-point range')
  }
  if (standardError === 0) return unavailable('zero-variance', 'the standard error of the effect rounds to 0')
  return { ok: true, difference, estimate, standardError }
}
