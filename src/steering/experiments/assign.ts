// Experiment assignment: sticky, and the same as flagd's `fractional` over the bucketing string
// `seed + targetingKey` (MurmurHash3 of its UTF-8 bytes, `(hash × total) >> 32` against cumulative
// weights), so any flagd client given the rule `flagdRule` returns puts a user in the same variant.
// Traffic allocation is one more bucket, `UNALLOCATED`, after the variants: a user outside it is
// not in the experiment. Variant weights are multiplied by the allocation in hundredths of a
// percent, so every weight stays an integer as flagd requires.
import { bucketOf, MAX_TOTAL_WEIGHT } from '../../core/bucket.js'
import { murmur3Utf8 } from '../../core/murmur3.js'

/** The bucket a user outside the traffic allocation falls in (never a variant name: see `assignmentTable`). */
export const UNALLOCATED = '(unallocated)'
/** Allocation granularity: hundredths of a percent. */
const ALLOCATION_STEPS = 10_000

export interface VariantWeight {
  readonly name: string
  /** A non-negative integer; shares are weight / sum of weights. */
  readonly weight: number
}

export interface AssignmentTable {
  readonly seed: string
  /** Variant names in bucket order, then UNALLOCATED when the allocation is under 100 %. */
  readonly buckets: readonly string[]
  /** flagd's integer weight per bucket. */
  readonly weights: readonly number[]
  /** Running sums of `weights`: bucket i ends (exclusive) at ends[i]. */
  readonly ends: readonly number[]
  readonly total: number
}

/**
 * The bucket table of an experiment. `allocationPercent` (0–100, hundredths honoured) of users are
 * in it, split between the variants by weight. Throws on what config validation refuses first: no
 * variant, a bad weight, all weights 0, a name equal to UNALLOCATED, or weights so large that
 * flagd's total (at most 2^31 − 1) would overflow.
 */
export function assignmentTable(seed: string, variants: readonly VariantWeight[], allocationPercent: number): AssignmentTable {
  if (variants.length === 0) throw new Error('an experiment needs at least one variant')
  let sum = 0
  for (const { name, weight } of variants) {
    if (name === UNALLOCATED) throw new Error(`${UNALLOCATED} is reserved`)
    if (!Number.isInteger(weight) || weight < 0) throw new Error(`variant ${name}: the weight must be a non-negative integer`)
    sum += weight
  }
  if (sum === 0) throw new Error('at least one variant needs a weight above 0')
  if (!(allocationPercent >= 0 && allocationPercent <= 100)) throw new Error('the allocation must be from 0 to 100 %')
  if (sum * ALLOCATION_STEPS > MAX_TOTAL_WEIGHT) throw new Error(`the weights sum to ${sum}; at most ${Math.floor(MAX_TOTAL_WEIGHT / ALLOCATION_STEPS)}`)
  const allocated = Math.round(allocationPercent * (ALLOCATION_STEPS / 100))
  const buckets = variants.map((v) => v.name)
  const weights = variants.map((v) => v.weight * allocated)
  if (allocated < ALLOCATION_STEPS) {
    buckets.push(UNALLOCATED)
    weights.push(sum * (ALLOCATION_STEPS - allocated))
  }
  const ends: number[] = []
  let total = 0
  for (const weight of weights) ends.push((total += weight))
  return { seed, buckets, weights, ends, total }
}

/** The variant `targetingKey` is in, or undefined when outside the allocation (or no key). */
export function assign(table: AssignmentTable, targetingKey: string): string | undefined {
  if (targetingKey === '' || table.total === 0) return undefined
  const bucket = bucketOf(murmur3Utf8(table.seed, targetingKey), table.total)
  const { ends } = table
  for (let i = 0; i < ends.length; i++) {
    if (bucket < ends[i]!) {
      const name = table.buckets[i]!
      return name === UNALLOCATED ? undefined : name
    }
  }
  return undefined
}

/**
 * The flagd targeting rule that assigns like `assign`: a flag with this targeting and one variant
 * per bucket name (UNALLOCATED included) predicts a user's variant in any flagd client — for
 * ASCII targeting keys in flagd-core (JS hashes UTF-16 code units), for every key in Go flagd.
 */
export function flagdRule(table: AssignmentTable): { fractional: unknown[] } {
  return { fractional: [{ cat: [table.seed, { var: 'targetingKey' }] }, ...table.buckets.map((name, i) => [name, table.weights[i]!])] }
}
