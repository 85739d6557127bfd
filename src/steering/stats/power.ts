// Power and required sample size for the relative lift, GrowthBook's frequentist power model
// (docs.growthbook.io/statistics/power): equal variance σ² and n units in each variant, the lift's
// standard error from the same delta method the analysis uses,
//   σ_Δ(n)² = σ²/(n μ²) · (1 + (1 + δ)²)        (control mean μ, variant mean μ(1 + δ)),
// and a two-sided z-test: power = Φ(δ/σ_Δ − z) + Φ(−z − δ/σ_Δ), z = Φ⁻¹(1 − α/2).
// Dropping the second term (a significant result of the wrong sign: 1e-6 at α 0.05 and 80 % power)
// gives a closed form that can only overstate the sample size,
//   n ≤ ⌈(z + Φ⁻¹(power))² · σ² (1 + (1 + δ)²) / (δ² μ²)⌉,
// so a bisection below it finds the smallest n whose power, both terms counted, reaches the target.
// This is fixed-horizon power: read once at n (Welch). Peeking with the sequential interval costs
// more units for the same power.
import normalCdf from '@stdlib/stats-base-dists-normal-cdf'
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile'
import { isOpenUnit, unavailable, type Unavailable } from './types.js'

export interface PowerInput {
  /** The control's expected mean μ (a conversion rate for a proportion). */
  readonly baselineMean: number
  /** Per-unit variance σ² of the metric: a sample variance, or p(1 − p) for a proportion. */
  readonly baselineVariance: number
  /** The smallest relative lift worth detecting: 0.05 for +5 %; negative for a decrease. */
  readonly minimumDetectableLift: number
  /** Two-sided significance level; default 0.05. */
  readonly alpha?: number
}

export interface SampleSizeInput extends PowerInput {
  /** The chance of a significant result when the lift is real; default 0.8. */
  readonly power?: number
}

export interface SampleSizeResult {
  readonly ok: true
  /** Units in each variant, control included: multiply by the number of variants for the total. */
  readonly sampleSizePerVariant: number
  /** The power reached at that size: at least the target, which one unit fewer misses. */
  readonly power: number
}

export interface PowerResult {
  readonly ok: true
  readonly power: number
}

export function requiredSampleSize(input: SampleSizeInput): SampleSizeResult | Unavailable {
  const problem = checkInput(input)
  if (problem !== undefined) return problem
  const { power = 0.8 } = input
  if (!isOpenUnit(power)) return unavailable('invalid-input', `power must be between 0 and 1 (got ${power})`)
  const { baselineMean: mu, baselineVariance: variance, minimumDetectableLift: lift, alpha = 0.05 } = input
  const k = normalQuantile(1 - alpha / 2, 0, 1) + normalQuantile(power, 0, 1)
  if (k <= 0) return unavailable('invalid-input', `power ${power} is at most alpha/2 (${alpha / 2}): any sample reaches it`)
  // Welch needs 2 units per variant for a variance at all.
  let enough = Math.max(2, Math.ceil((k * k * variance * (1 + (1 + lift) ** 2)) / (lift * lift * mu * mu)))
  if (!(enough <= Number.MAX_SAFE_INTEGER)) {
    return unavailable('invalid-input', 'the lift is too small to detect with fewer than 2^53 units per variant')
  }
  let short = 1
  // Power grows with n (its derivative in δ/σ_Δ is φ(δ/σ_Δ − z) − φ(δ/σ_Δ + z) > 0), so bisect.
  while (enough - short > 1) {
    const middle = Math.floor((short + enough) / 2)
    if (powerOf(input, middle) >= power) enough = middle
    else short = middle
  }
  return { ok: true, sampleSizePerVariant: enough, power: powerOf(input, enough) }
}

export function powerAt(input: PowerInput & { readonly sampleSizePerVariant: number }): PowerResult | Unavailable {
  const problem = checkInput(input)
  if (problem !== undefined) return problem
  const { sampleSizePerVariant } = input
  if (!Number.isFinite(sampleSizePerVariant) || sampleSizePerVariant <= 0) {
    return unavailable('invalid-input', `sampleSizePerVariant must be a positive number (got ${sampleSizePerVariant})`)
  }
  return { ok: true, power: powerOf(input, sampleSizePerVariant) }
}

function powerOf(input: PowerInput, n: number): number {
  const { baselineMean: mu, baselineVariance: variance, minimumDetectableLift: lift, alpha = 0.05 } = input
  const standardError = Math.sqrt((variance / (n * mu * mu)) * (1 + (1 + lift) ** 2))
  const z = normalQuantile(1 - alpha / 2, 0, 1)
  const standardized = lift / standardError
  return normalCdf(standardized - z, 0, 1) + normalCdf(-z - standardized, 0, 1)
}

function checkInput(input: PowerInput): Unavailable | undefined {
  const { baselineMean, baselineVariance, minimumDetectableLift, alpha = 0.05 } = input
  if (!isOpenUnit(alpha)) return unavailable('invalid-input', `alpha must be between 0 and 1 (got ${alpha})`)
  if (!Number.isFinite(baselineMean) || !Number.isFinite(baselineVariance) || baselineVariance < 0) {
    return unavailable('invalid-input', `baselineMean must be finite and baselineVariance non-negative (got ${baselineMean}, ${baselineVariance})`)
  }
  if (!Number.isFinite(minimumDetectableLift) || minimumDetectableLift === 0) {
    return unavailable('invalid-input', `minimumDetectableLift must be a non-zero relative change (got ${minimumDetectableLift})`)
  }
  if (baselineMean === 0) return unavailable('zero-baseline', 'the baseline mean is 0: a relative lift is undefined')
  if (baselineVariance === 0) return unavailable('zero-variance', 'the baseline variance is 0: any difference would be certain')
  return undefined
}
