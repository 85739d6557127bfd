// A mergeable latency histogram: logarithmic buckets with 1 % relative accuracy, the mapping of
// DDSketch (Masson, Rim & Lee, "DDSketch: a fast and fully-mergeable quantile sketch with
// relative-error guarantees", VLDB 2019). Bucket i holds values in (γ^(i−1), γ^i] with
// γ = (1 + α) / (1 − α); any quantile read back is within α of the true one (relative). Two
// histograms merge by adding counts per bucket, which is what lets a fleet keep one histogram
// with atomic per-bucket increments (outcome-store.ts `h:<metric>:<bucket>` fields). Only the
// mapping is needed, so it is written here rather than taken from a sketch library whose
// serialised form could not be incremented in place.

/** Relative accuracy of every quantile. */
export const RELATIVE_ACCURACY = 0.01
const GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY)
const LOG_GAMMA = Math.log(GAMMA)
/** Values at or below this (ms) share the lowest bucket: a microsecond is below anything measured. */
export const MIN_VALUE = 1e-3
const MIN_BUCKET = Math.ceil(Math.log(MIN_VALUE) / LOG_GAMMA)

/** The bucket of `value` (ms); NaN and negatives go to the lowest bucket. */
export function bucketOf(value: number): number {
  if (!(value > MIN_VALUE)) return MIN_BUCKET
  return Math.ceil(Math.log(value) / LOG_GAMMA)
}

/** The value a bucket stands for: within `RELATIVE_ACCURACY` of everything in it. */
export function bucketValue(bucket: number): number {
  return (2 * GAMMA ** bucket) / (GAMMA + 1)
}

/**
 * The `q` quantile (0 ≤ q ≤ 1) of a histogram given as bucket → count, or undefined when it is
 * empty. Rank q × (n − 1) from the bottom, as DDSketch reads it.
 */
export function quantileOf(counts: ReadonlyMap<number, number>, q: number): number | undefined {
  let total = 0
  for (const count of counts.values()) if (count > 0) total += count
  if (total === 0) return undefined
  const rank = Math.max(0, Math.min(1, q)) * (total - 1)
  const buckets = [...counts.keys()].sort((a, b) => a - b)
  let seen = 0
  for (const bucket of buckets) {
    const count = counts.get(bucket)!
    if (count <= 0) continue
    seen += count
    if (seen > rank) return bucketValue(bucket)
  }
  return bucketValue(buckets[buckets.length - 1]!)
}
