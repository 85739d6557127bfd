// flagd's bucket arithmetic (https://flagd.dev/reference/custom-operations/fractional-operation/),
// shared by the `fractional` operator (flags/) and experiment assignment (steering/), so a user's
// variant is the one any flagd client computes from the same bucketing string and weights.
/** flagd caps the sum of weights at MaxInt32 so `hash × total` fits in 63 bits. */
export const MAX_TOTAL_WEIGHT = 2147483647

/**
 * `(hash × total) >> 32` for a uint32 hash and total < 2^31, exact in doubles: the product needs
 * up to 63 bits, so it is split at 16 bits to keep every intermediate below 2^53.
 */
export function bucketOf(hash: number, total: number): number {
  const high = Math.floor(hash / 0x10000) * total
  const low = (hash % 0x10000) * total
  const highTop = Math.floor(high / 0x10000)
  const highRest = high % 0x10000
  return highTop + Math.floor((highRest * 0x10000 + low) / 0x100000000)
}
