// Canary assignment: sticky and monotone. A user's bucket is a fixed number in [0, 10 000): flagd's
// `fractional` arithmetic (MurmurHash3 of the UTF-8 bytes of `seed + targetingKey`, then
// `(hash × 10 000) >> 32`, core/bucket.ts), the same as experiment assignment (experiments/assign.ts).
// The user is in the canary iff bucket < percent × 100, so raising the percent only adds users:
// nobody who has seen the canary is moved back to stable by a promotion.
import { bucketOf } from '../../core/bucket.js'
import { murmur3Utf8 } from '../../core/murmur3.js'

/** Buckets per rollout: hundredths of a percent. */
export const ROLLOUT_BUCKETS = 10_000

/** The user's fixed bucket in [0, 10 000), or undefined without a targeting key. */
export function rolloutBucket(seed: string, targetingKey: string): number | undefined {
  if (targetingKey === '') return undefined
  return bucketOf(murmur3Utf8(seed, targetingKey), ROLLOUT_BUCKETS)
}

/** The canary threshold of a percent (0–100, hundredths honoured): buckets below it are in the canary. */
export function canaryThreshold(percent: number): number {
  if (!(percent >= 0 && percent <= 100)) throw new Error(`a canary percent must be from 0 to 100 (got ${percent})`)
  return Math.round(percent * (ROLLOUT_BUCKETS / 100))
}

/** Whether `targetingKey` gets the canary at `percent`. No key: stable (the canary is opt-in by bucket). */
export function inCanary(seed: string, targetingKey: string, percent: number): boolean {
  const threshold = canaryThreshold(percent)
  const bucket = rolloutBucket(seed, targetingKey)
  return bucket !== undefined && bucket < threshold
}

/**
 * The flagd targeting rule that assigns like `inCanary` (variants `canary` then `stable`, weights
 * summing to 10 000), so a flagd client predicts a user's arm from the same seed.
 */
export function canaryFlagdRule(seed: string, percent: number): { fractional: unknown[] } {
  const threshold = canaryThreshold(percent)
  return { fractional: [{ cat: [seed, { var: 'targetingKey' }] }, ['canary', threshold], ['stable', ROLLOUT_BUCKETS - threshold]] }
}
