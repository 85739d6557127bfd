// Which users are mirrored: a stable hash of (seed, targeting key), the rollouts' canary buckets,
// so a user is always or never mirrored for a given seed and percent. No targeting key: never.
import { inCanary } from '../rollouts/assign.js'

export function mirrored(shadowId: string, seed: string | undefined, targetingKey: string, percent: number): boolean {
  if (targetingKey === '' || percent <= 0) return false
  return inCanary(seed ?? shadowId, targetingKey, percent)
}
