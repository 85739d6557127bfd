// The bandit's two moves, composed from the parts: choose an arm for a request (constraints
// first, then the floor and Thompson sampling among the arms left), and learn from a finished
// request (its reward into the posterior, its error and latency into the constraint counts).
// Pure: the statistics go in and come out as values, the clock and the random source are
// arguments, so a replica's state is whatever the caller keeps (memory, the state store).
import type { Random } from './beta.js'
import { exclusionOf, observeHealth, type Exclusion } from './constraints.js'
import { rewardOf, type RequestOutcome } from './reward.js'
import type { BanditSettings } from './settings.js'
import { armAt, armOf, emptyArm, healthAt, posteriorAt, type ArmStats, type BanditStats } from './state.js'
import { creditReward, pickArm, pickShares, posteriorMean, type PickedBy, type Posterior } from './thompson.js'

export interface ArmChoice {
  /** The chosen arm id; undefined only when `arms` was empty. */
  readonly arm: string | undefined
  readonly by: PickedBy
  /** Arms the constraints kept out of this choice, and why. */
  readonly excluded: ReadonlyArray<{ readonly arm: string; readonly reason: Exclusion }>
  /**
   * Every arm was excluded, so the choice was made among all of them as if none were: refusing the
   * request would turn a slow or flaky virtual model into a dead one, and the route plan's
   * fallbacks and the circuit breakers still stand behind the choice.
   */
  readonly allExcluded: boolean
}

export interface ArmShare {
  readonly arm: string
  /** The chance of being chosen now (Monte Carlo for the Thompson part); 0 when excluded, unless every arm is. */
  readonly share: number
  /** The posterior mean of the arm's reward. */
  readonly mean: number
  readonly excluded: Exclusion | undefined
}

interface Eligible {
  readonly ids: readonly string[]
  readonly posteriors: readonly Posterior[]
  readonly excluded: ReadonlyArray<{ readonly arm: string; readonly reason: Exclusion }>
}

const NO_EVIDENCE: Posterior = { successes: 0, failures: 0 }

function eligibleArms(stats: BanditStats, ids: readonly string[], settings: BanditSettings, nowMs: number): Eligible {
  const { constraints } = settings
  const constrained = constraints.maxErrorRate !== undefined || constraints.maxLatencyMs !== undefined
  const all: Posterior[] = []
  const keptIds: string[] = []
  const kept: Posterior[] = []
  const excluded: Array<{ arm: string; reason: Exclusion }> = []
  for (const id of ids) {
    const stored = armOf(stats, id)
    const posterior = stored === undefined ? NO_EVIDENCE : posteriorAt(stored, nowMs, settings)
    all.push(posterior)
    const reason = constrained && stored !== undefined ? exclusionOf(healthAt(stored, nowMs, settings), constraints) : undefined
    if (reason === undefined) {
      keptIds.push(id)
      kept.push(posterior)
    } else excluded.push({ arm: id, reason })
  }
  if (kept.length === 0) return { ids, posteriors: all, excluded }
  return { ids: keptIds, posteriors: kept, excluded }
}

/** Chooses among `arms` (the ids the gates left usable, in any order) for a request at `nowMs`. */
export function chooseArm(stats: BanditStats, arms: readonly string[], settings: BanditSettings, random: Random, nowMs: number): ArmChoice {
  const eligible = eligibleArms(stats, arms, settings, nowMs)
  const pick = pickArm(eligible.posteriors, settings, random)
  return {
    arm: eligible.ids[pick.index],
    by: pick.by,
    excluded: eligible.excluded,
    allExcluded: arms.length > 0 && eligible.excluded.length === arms.length,
  }
}

/** The statistics after `arm` served a request that ended with `outcome` at `nowMs`. */
export function recordOutcome(stats: BanditStats, arm: string, outcome: RequestOutcome, settings: BanditSettings, nowMs: number): BanditStats {
  const before = armAt(armOf(stats, arm) ?? emptyArm(nowMs), nowMs, settings)
  const { successes, failures } = creditReward(before, rewardOf(outcome, settings.reward), settings)
  const { attempts, errors, latencyCounts } = observeHealth(before, outcome)
  const updated: ArmStats = { successes, failures, attempts, errors, latencyCounts, atMs: Math.max(before.atMs, nowMs) }
  return { version: 1, arms: { ...stats.arms, [arm]: updated } }
}

/** Each arm's current chance of being chosen, for reports; `draws` posterior draws per estimate. */
export function armShares(stats: BanditStats, arms: readonly string[], settings: BanditSettings, random: Random, nowMs: number, draws?: number): ArmShare[] {
  const eligible = eligibleArms(stats, arms, settings, nowMs)
  const shares = pickShares(eligible.posteriors, settings, random, draws)
  const reasons = new Map(eligible.excluded.map((e) => [e.arm, e.reason]))
  return arms.map((id) => {
    const i = eligible.ids.indexOf(id)
    const stored = armOf(stats, id)
    const mean = posteriorMean(stored === undefined ? NO_EVIDENCE : posteriorAt(stored, nowMs, settings), settings)
    return { arm: id, share: i === -1 ? 0 : shares[i]!, mean, excluded: reasons.get(id) }
  })
}
