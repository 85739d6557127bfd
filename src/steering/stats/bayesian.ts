// Chance to beat control, GrowthBook's way (gbstats `EffectBayesianABTest` with its default,
// improper flat prior): the effect's sampling distribution is approximately N(estimate, SE²), so
// with a flat prior the posterior of the true effect is that same normal, and the chance the
// variant is better is P(effect > 0) = Φ(estimate / SE). GrowthBook's headline number uses the
// relative effect; both are offered here.
import normalCdf from '@stdlib/stats-base-dists-normal-cdf'
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile'
import { effectOf } from './effect.js'
import type { Moments } from './moments.js'
import { isOpenUnit, unavailable, type Difference, type Interval, type Unavailable } from './types.js'

export interface BayesianOptions {
  /** Default `relative`, GrowthBook's. */
  readonly difference?: Difference
  /** Of the credible interval; default 0.95. */
  readonly confidence?: number
  /** For metrics where less is better (latency, cost, error rate): the chance is P(effect < 0). Default false. */
  readonly lowerIsBetter?: boolean
}

export interface BayesianResult {
  readonly ok: true
  readonly difference: Difference
  /** Posterior mean of the effect (the estimate, under a flat prior). */
  readonly estimate: number
  /** Posterior standard deviation of the effect. */
  readonly standardError: number
  readonly chanceToBeatControl: number
  readonly confidence: number
  /** Equal-tailed: the posterior's α/2 and 1 − α/2 quantiles. */
  readonly credibleInterval: Interval
}

export function chanceToBeatControl(control: Moments, variant: Moments, options: BayesianOptions = {}): BayesianResult | Unavailable {
  const { difference = 'relative', confidence = 0.95, lowerIsBetter = false } = options
  if (!isOpenUnit(confidence)) return unavailable('invalid-input', `confidence must be between 0 and 1 (got ${confidence})`)
  const effect = effectOf(control, variant, difference)
  if (!effect.ok) return effect
  const { estimate, standardError } = effect
  const z = estimate / standardError
  // Φ(z) rather than 1 − Φ(0; μ, σ): the same number, without rounding a near-hopeless chance to 0.
  const chance = normalCdf(lowerIsBetter ? -z : z, 0, 1)
  const alpha = 1 - confidence
  return {
    ok: true,
    difference,
    estimate,
    standardError,
    chanceToBeatControl: chance,
    confidence,
    credibleInterval: [normalQuantile(alpha / 2, estimate, standardError), normalQuantile(1 - alpha / 2, estimate, standardError)],
  }
}
