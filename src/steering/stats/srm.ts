// Sample-ratio mismatch: does the observed split of units across variants fit the configured
// weights? A mismatch means assignment or counting is broken (a variant that errors before it is
// counted, a cache that pins users), and then no effect estimate can be trusted. Pearson's χ²
// goodness of fit, as GrowthBook's `checkSrm`; it flags at p < 0.001, GrowthBook's default, because
// the check runs on every look and a false alarm halts a good experiment.
import chisquareCdf from '@stdlib/stats-base-dists-chisquare-cdf'
import { isOpenUnit, unavailable, type Unavailable } from './types.js'

export interface SrmOptions {
  /** Flag a mismatch when the p-value is below this; default 0.001. */
  readonly alpha?: number
}

export interface SrmResult {
  readonly ok: true
  readonly chiSquare: number
  readonly degreesOfFreedom: number
  readonly pValue: number
  readonly alpha: number
  readonly mismatch: boolean
  /** The count each variant should have had; 0 for a variant with weight 0, which the test leaves out. */
  readonly expected: readonly number[]
}

/**
 * `counts[i]` units were assigned variant i, configured with `weights[i]` (any scale: 50/50, 0.5/0.5
 * and 1/1 are the same split). A weight of 0 leaves the variant out of the test, as GrowthBook does:
 * a variant ramped down to 0 keeps its sticky users, which is no mismatch of the live split.
 */
export function sampleRatioMismatch(counts: readonly number[], weights: readonly number[], options: SrmOptions = {}): SrmResult | Unavailable {
  const { alpha = 0.001 } = options
  if (!isOpenUnit(alpha)) return unavailable('invalid-input', `alpha must be between 0 and 1 (got ${alpha})`)
  if (counts.length !== weights.length) {
    return unavailable('invalid-input', `${counts.length} counts for ${weights.length} weights: one of each per variant`)
  }
  let totalWeight = 0
  let totalCount = 0
  let tested = 0
  for (let i = 0; i < counts.length; i++) {
    const count = counts[i]!
    const weight = weights[i]!
    if (!Number.isInteger(count) || count < 0) return unavailable('invalid-input', `count ${i} must be a non-negative integer (got ${count})`)
    if (!Number.isFinite(weight) || weight < 0) return unavailable('invalid-input', `weight ${i} must be a non-negative number (got ${weight})`)
    if (weight === 0) continue
    totalWeight += weight
    totalCount += count
    tested++
  }
  if (!Number.isFinite(totalWeight) || !Number.isFinite(totalCount)) {
    return unavailable('invalid-input', 'the weights or counts sum beyond floating-point range')
  }
  if (tested < 2) return unavailable('too-few-variants', `a split needs at least 2 variants with a positive weight (got ${tested})`)
  if (totalCount === 0) return unavailable('no-traffic', 'no units assigned yet')
  let chiSquare = 0
  const expected = counts.map((count, i) => {
    const weight = weights[i]!
    if (weight === 0) return 0
    const e = (weight / totalWeight) * totalCount
    // A weight so small its expected count underflows to 0: no units fit, any unit is a mismatch.
    if (count !== e) chiSquare += (count - e) ** 2 / e
    return e
  })
  const degreesOfFreedom = tested - 1
  const pValue = 1 - chisquareCdf(chiSquare, degreesOfFreedom)
  return { ok: true, chiSquare, degreesOfFreedom, pValue, alpha, mismatch: pValue < alpha, expected }
}
