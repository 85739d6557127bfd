// From a variant's sufficient statistics to its mean, variance and the standard error of the mean.
import { unavailable, type MetricKind, type Unavailable, type VariantStats } from './types.js'

export interface Moments {
  readonly ok: true
  readonly n: number
  readonly mean: number
  /** Sample variance (n − 1) for `mean`; p(1 − p) for `proportion`. */
  readonly variance: number
  /** Of the mean: √(variance / n). */
  readonly standardError: number
}

/**
 * `sumSquares − sum²/n` cancels catastrophically when the values are large and nearly equal, so a
 * true zero can come out slightly negative: that is read as 0. A deficit beyond rounding cannot come
 * from real data (Cauchy–Schwarz: Σx² ≥ (Σx)²/n) and is reported as bad input.
 */
const ROUNDING = 1e-9

export function momentsOf(stats: VariantStats, kind: MetricKind = 'mean'): Moments | Unavailable {
  const { n, sum, sumSquares } = stats
  if (!Number.isInteger(n) || n < 0 || !Number.isFinite(sum) || !Number.isFinite(sumSquares) || sumSquares < 0) {
    return unavailable('invalid-input', `n must be a non-negative integer and sum, sumSquares finite (got n ${n}, sum ${sum}, sumSquares ${sumSquares})`)
  }
  if (kind === 'proportion' && !(Number.isInteger(sum) && sum >= 0 && sum <= n && sumSquares === sum)) {
    return unavailable('invalid-input', `a proportion needs 0 ≤ sum ≤ n successes and sumSquares = sum (got n ${n}, sum ${sum}, sumSquares ${sumSquares})`)
  }
  if (n < 2) return unavailable('too-few-units', `a variance needs at least 2 units (got ${n})`)
  const mean = sum / n
  let variance: number
  if (kind === 'proportion') {
    variance = mean * (1 - mean)
  } else {
    const deviations = sumSquares - (sum * sum) / n
    if (deviations < -ROUNDING * Math.max(1, sumSquares)) {
      return unavailable('invalid-input', `sumSquares ${sumSquares} is below sum²/n ${(sum * sum) / n}: no data has these sums`)
    }
    variance = Math.max(0, deviations) / (n - 1)
  }
  return { ok: true, n, mean, variance, standardError: Math.sqrt(variance / n) }
}
