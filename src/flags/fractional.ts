// flagd's `fractional` operator (https://flagd.dev/reference/custom-operations/fractional-operation/):
// `{"fractional": [bucketBy?, [variant, weight?], ...]}`. The bucketing string defaults to
// flagKey + targetingKey; its MurmurHash3 (UTF-8, seed 0) picks a bucket as flagd v2 does,
// `(uint64(hash) * totalWeight) >> 32`, walking cumulative integer weights. Argument handling
// follows flagd-core: anything malformed at evaluation time yields null (the default variant).
import { bucketOf, MAX_TOTAL_WEIGHT } from '../core/bucket.js'
import { murmur3Utf8 } from '../core/murmur3.js'
import type { Problem } from './problems.js'

export type BucketVariant = string | number | boolean | null

export interface BucketTable {
  readonly variants: readonly BucketVariant[]
  /** Running sums of the weights; `ends[i]` is the exclusive upper bound of bucket i. */
  readonly ends: readonly number[]
  readonly total: number
}

export function pickBucket(table: BucketTable, hash: number): BucketVariant {
  const bucket = bucketOf(hash, table.total)
  const { ends } = table
  for (let i = 0; i < ends.length; i++) {
    if (bucket < ends[i]!) return table.variants[i]!
  }
  // Only reachable when every weight is 0: flagd-core then matches no bucket either.
  return null
}

/** The bucket list as flagd-core reads it after evaluation, or undefined when it is malformed. */
export function toBucketTable(entries: readonly unknown[], from: number): BucketTable | undefined {
  const variants: BucketVariant[] = []
  const ends: number[] = []
  let total = 0
  for (let i = from; i < entries.length; i++) {
    const entry = entries[i]
    if (!Array.isArray(entry) || entry.length === 0 || entry.length > 2) return undefined
    const variant: unknown = entry[0]
    if (variant === null || variant === undefined) variants.push(null)
    else if (typeof variant === 'string' || typeof variant === 'number' || typeof variant === 'boolean') variants.push(variant)
    else return undefined
    let weight = 1
    if (entry.length === 2) {
      const raw: unknown = entry[1]
      if (typeof raw !== 'number' || !Number.isInteger(raw)) return undefined
      // flagd-core clamps rather than rejects: computed rollout weights can dip below zero.
      weight = Math.max(0, raw)
    }
    total += weight
    ends.push(total)
  }
  if (total > MAX_TOTAL_WEIGHT) return undefined
  return { variants, ends, total }
}

/** A string targetingKey flagd-core accepts (non-empty), or undefined. */
export function targetingKeyOf(context: unknown): string | undefined {
  const key = (context as { targetingKey?: unknown } | null | undefined)?.targetingKey
  return typeof key === 'string' && key !== '' ? key : undefined
}

/** `fractional` over already-evaluated arguments, for rules whose buckets are computed. */
export function fractionalAt(flagKey: string, args: unknown, context: unknown): BucketVariant {
  if (!Array.isArray(args) || args.length === 0) return null
  const first: unknown = args[0]
  if (typeof first === 'string') {
    const table = toBucketTable(args, 1)
    return table === undefined ? null : pickBucket(table, murmur3Utf8(first))
  }
  const targetingKey = targetingKeyOf(context)
  if (targetingKey === undefined) return null
  const table = toBucketTable(args, 0)
  return table === undefined ? null : pickBucket(table, murmur3Utf8(flagKey, targetingKey))
}

/** A literal bucket entry: `[variant]` or `[variant, weight]` with no expressions inside. */
export function isLiteralBucket(entry: unknown): boolean {
  if (!Array.isArray(entry) || entry.length === 0 || entry.length > 2) return false
  const [variant, weight]: unknown[] = entry
  const literalVariant = variant === null || ['string', 'number', 'boolean'].includes(typeof variant)
  return literalVariant && (entry.length === 1 || typeof weight === 'number')
}

/**
 * Load-time checks of a `fractional` argument list. Problems: what flagd-core would silently turn
 * into null on every evaluation although it is surely a typo (a bucket that is not a list, a
 * fractional weight). Warnings: what flagd defines an answer for — a negative weight counts as 0
 * (computed rollouts can dip below zero), and weights that sum to 0 match no bucket, so the result
 * is null and the default variant is served.
 */
export function fractionalChecks(args: unknown): { problems: Problem[]; warnings: Problem[] } {
  const problems: Problem[] = []
  const warnings: Problem[] = []
  if (!Array.isArray(args)) return { problems: [{ at: [], problem: 'must be an array of buckets', got: args }], warnings }
  const first: unknown = args[0]
  const from = Array.isArray(first) ? 0 : 1
  if (from === 1 && typeof first !== 'string' && (first === null || typeof first !== 'object')) {
    problems.push({ at: [0], problem: 'the bucketing value must be a string or an expression', got: first })
  }
  if (args.length <= from) problems.push({ at: [], problem: 'needs at least one bucket ["variant", weight]' })
  let literalTotal = 0
  let allLiteral = true
  for (let i = from; i < args.length; i++) {
    const entry: unknown = args[i]
    if (!Array.isArray(entry) || entry.length === 0 || entry.length > 2) {
      problems.push({ at: [i], problem: 'a bucket must be ["variant"] or ["variant", weight]', got: entry })
      continue
    }
    const [variant, weight]: unknown[] = entry
    if (Array.isArray(variant)) problems.push({ at: [i, 0], problem: 'a bucket variant must be a string', got: variant })
    if (entry.length === 1) literalTotal += 1
    else if (typeof weight === 'number') {
      if (!Number.isInteger(weight) || weight > MAX_TOTAL_WEIGHT) {
        problems.push({ at: [i, 1], problem: `a weight must be an integer from 0 to ${MAX_TOTAL_WEIGHT}`, got: weight })
      } else if (weight < 0) {
        warnings.push({ at: [i, 1], problem: 'a negative weight counts as 0, as in flagd', got: weight })
      } else literalTotal += weight
    } else if (weight === null || typeof weight !== 'object' || Array.isArray(weight)) {
      problems.push({ at: [i, 1], problem: 'a weight must be an integer or an expression', got: weight })
    } else allLiteral = false
  }
  if (literalTotal > MAX_TOTAL_WEIGHT) {
    problems.push({ at: [], problem: `weights sum to more than ${MAX_TOTAL_WEIGHT}`, got: literalTotal })
  } else if (allLiteral && problems.length === 0 && literalTotal === 0) {
    const problem = 'weights sum to 0, so no bucket can match: it always evaluates to null (the default variant), as in flagd'
    warnings.push({ at: [], problem })
  }
  return { problems, warnings }
}
