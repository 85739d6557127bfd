// Everything one metric says about one variant against the control: both effects (absolute and
// relative), each through Welch, the confidence sequence and the Bayesian chance to beat control.
// A section that cannot be answered carries its Unavailable; the others still answer (a control
// mean of 0 rules out the relative lift, not the absolute difference).
import { chanceToBeatControl, type BayesianResult } from './bayesian.js'
import { momentsOf, type Moments } from './moments.js'
import { sequentialTest, type SequentialResult } from './sequential.js'
import { unavailable, type Difference, type MetricKind, type Unavailable, type VariantStats } from './types.js'
import { welchTest, type WelchResult } from './welch.js'

export interface CompareOptions {
  /** Default `mean`. */
  readonly metric?: MetricKind
  /** Of every interval; default 0.95. */
  readonly confidence?: number
  /** N* of the confidence sequence, total units of both variants; default 5000. */
  readonly tuningSampleSize?: number
  /** Turns the chance to beat control around for latency, cost, error rates; default false. */
  readonly lowerIsBetter?: boolean
}

export interface EffectResults {
  readonly welch: WelchResult | Unavailable
  readonly sequential: SequentialResult | Unavailable
  readonly bayesian: BayesianResult | Unavailable
}

export interface Comparison {
  readonly control: Moments | Unavailable
  readonly variant: Moments | Unavailable
  readonly absolute: EffectResults
  readonly relative: EffectResults
}

export function compareVariants(control: VariantStats, variant: VariantStats, options: CompareOptions = {}): Comparison {
  const a = momentsOf(control, options.metric ?? 'mean')
  const b = momentsOf(variant, options.metric ?? 'mean')
  return { control: a, variant: b, absolute: effectsOf(a, b, 'absolute', options), relative: effectsOf(a, b, 'relative', options) }
}

function effectsOf(a: Moments | Unavailable, b: Moments | Unavailable, difference: Difference, options: CompareOptions): EffectResults {
  if (!a.ok) return everywhere(unavailable(a.reason, `control: ${a.message}`))
  if (!b.ok) return everywhere(unavailable(b.reason, `variant: ${b.message}`))
  const { confidence, tuningSampleSize, lowerIsBetter } = options
  return {
    welch: welchTest(a, b, { difference, confidence }),
    sequential: sequentialTest(a, b, { difference, confidence, tuningSampleSize }),
    bayesian: chanceToBeatControl(a, b, { difference, confidence, lowerIsBetter }),
  }
}

function everywhere(missing: Unavailable): EffectResults {
  return { welch: missing, sequential: missing, bayesian: missing }
}
