// Thompson sampling over Beta posteriors: draw a plausible success rate for every arm
// from its posterior and choose the highest, so an arm is chosen as often as it is likely to be
// the best. Rewards are fractional: a reward r adds r to the successes and 1 − r to the failures.
//
// Three departures from the textbook, each a setting (docs/bandits.md has the measurements):
// - the exploration floor: with probability floor × K the choice is uniform, so no arm's chance
//   ever drops below `floor`, whatever the posteriors say;
// - forgetting: an arm's sums are multiplied by `discount` each time that arm is updated, and
//   optionally every arm's by 2^(−Δt / halfLifeMs) on the injected clock (state.ts applies it);
// - `evidenceWeight`: each observation counts as that many Bernoulli trials in the posterior
//   (a tempered "cold" posterior, prior × likelihood^w). With a discount the posterior never holds
//   more than about 1 / (1 − discount) observations, and textbook Thompson sampling (w = 1) keeps
//   spending around 10 % of traffic on arms 5 points worse; w > 1 buys that traffic back.
import { sampleBeta, type Random } from './beta.js'

export interface PolicySettings {
  /** Beta prior of every arm; default 1, 1 (uniform). */
  readonly priorAlpha: number
  readonly priorBeta: number
  /** Trials each observation counts as in the posterior; default 5. */
  readonly evidenceWeight: number
  /** Multiplies an arm's sums each time that arm is updated, in (0, 1]; default 0.998. */
  readonly discount: number
  /** Every arm's sums halve every `halfLifeMs` on the clock; default undefined (no time decay). */
  readonly halfLifeMs: number | undefined
  /** No arm's chance of being chosen is below this; needs floor × arms ≤ 1; default 0.015. */
  readonly floor: number
}

/** The discounted sums behind an arm's posterior: Beta(α0 + w·successes, β0 + w·failures). */
export interface Posterior {
  /** Σ reward, discounted (α − α0 before the evidence weight). */
  readonly successes: number
  /** Σ (1 − reward), discounted. */
  readonly failures: number
}

/** How a choice was made: the uniform exploration share, or a Thompson draw. */
export type PickedBy = 'floor' | 'thompson'

export interface Pick {
  /** Index into the posteriors; -1 only when there were none. */
  readonly index: number
  readonly by: PickedBy
}

export function creditReward(posterior: Posterior, reward: number, settings: PolicySettings): Posterior {
  const r = Number.isNaN(reward) ? 0 : Math.min(Math.max(reward, 0), 1)
  return {
    successes: posterior.successes * settings.discount + r,
    failures: posterior.failures * settings.discount + (1 - r),
  }
}

/** The posterior's current mean, α / (α + β). */
export function posteriorMean(posterior: Posterior, settings: PolicySettings): number {
  const alpha = settings.priorAlpha + settings.evidenceWeight * posterior.successes
  const beta = settings.priorBeta + settings.evidenceWeight * posterior.failures
  return alpha / (alpha + beta)
}

/** The probability of the uniform branch: floor × K, capped at 1 (then the choice is uniform). */
export function floorShare(settings: PolicySettings, arms: number): number {
  return Math.min(settings.floor * arms, 1)
}

/**
 * Chooses an arm: uniform with probability floor × K, else the arm with the highest posterior draw.
 * Arm i is therefore chosen with probability floor + (1 − floor × K) · P(i's draw is highest) —
 * at least `floor`, exactly, whatever the posteriors.
 */
export function pickArm(posteriors: readonly Posterior[], settings: PolicySettings, random: Random): Pick {
  const arms = posteriors.length
  if (arms === 0) return { index: -1, by: 'thompson' }
  const explore = floorShare(settings, arms)
  const u = random()
  // u / floor is uniform on [0, K) given u < floor × K: one draw decides both the branch and the arm.
  if (u < explore) return { index: Math.min(Math.floor((u / explore) * arms), arms - 1), by: 'floor' }
  return { index: thompsonDraw(posteriors, settings, random), by: 'thompson' }
}

function thompsonDraw(posteriors: readonly Posterior[], settings: PolicySettings, random: Random): number {
  let best = 0
  let bestDraw = -1
  for (let i = 0; i < posteriors.length; i++) {
    const p = posteriors[i]!
    const draw = sampleBeta(
      settings.priorAlpha + settings.evidenceWeight * p.successes,
      settings.priorBeta + settings.evidenceWeight * p.failures,
      random,
    )
    if (draw > bestDraw) {
      best = i
      bestDraw = draw
    }
  }
  return best
}

/**
 * Each arm's chance of being chosen by `pickArm`, for reporting: the Thompson part estimated from
 * `draws` posterior draws, the floor part exact, so every share is at least `floor` and they sum to 1.
 */
export function pickShares(posteriors: readonly Posterior[], settings: PolicySettings, random: Random, draws = 2_000): number[] {
  const arms = posteriors.length
  if (arms === 0) return []
  const wins = new Array<number>(arms).fill(0)
  for (let i = 0; i < draws; i++) wins[thompsonDraw(posteriors, settings, random)]! += 1
  const explore = floorShare(settings, arms)
  return wins.map((n) => explore / arms + (1 - explore) * (n / draws))
}
