// The reward a bandit learns from: one number in [0, 1] per request, so that a Beta
// posterior can take it as a fractional success. A failed request earns 0 whatever its latency or
// cost — a fast error is not a good answer, and crediting its speed would steer traffic towards
// targets that fail quickly. A success earns
//
//   (success·1 + latency·L + cost·C + quality·Q) / (the weights of the terms present)
//   L = 1 − min(latencyMs / latencyCeilingMs, 1),  C = 1 − min(costUsd / costCeilingUsd, 1)
//
// where the four weights sum to 1. Q is the application's own score; a request it has not scored
// leaves its term out, and the other weights are scaled up so a success still spans [0, 1].
import { problemAt, type ConfigProblem, type PathSegment } from '../../core/problems.js'

/** What a bandit needs to know about one finished request. */
export interface RequestOutcome {
  /** Answered and not broken: the response ended normally (streamed to its end), no upstream error. */
  readonly ok: boolean
  /** From the request's arrival to the end of the response. */
  readonly latencyMs: number
  readonly costUsd: number
  /** The application's score of the answer in [0, 1]; undefined when it has not scored it. */
  readonly quality?: number | undefined
}

export interface RewardWeights {
  /** Earned by every success; the other weights share 1 − success between better and worse successes. */
  readonly success: number
  readonly latency: number
  readonly cost: number
  readonly quality: number
  /** A success this slow (or slower) earns nothing for latency. */
  readonly latencyCeilingMs: number
  /** A success this expensive (or more) earns nothing for cost. */
  readonly costCeilingUsd: number
}

/**
 * Success only: latency and cost ceilings depend on the deployment (a chat model and a batch
 * embedder differ by orders of magnitude), so weighting them is a decision for the config.
 */
export const DEFAULT_REWARD_WEIGHTS: RewardWeights = {
  success: 1,
  latency: 0,
  cost: 0,
  quality: 0,
  latencyCeilingMs: 30_000,
  costCeilingUsd: 0.1,
}

// Weights are typed in by people: 0.6 + 0.3 + 0.1 is 0.9999999999999999 in doubles.
const SUM_TOLERANCE = 1e-9

export function rewardOf(outcome: RequestOutcome, weights: RewardWeights): number {
  if (!outcome.ok) return 0
  let total = weights.success
  let weight = weights.success
  if (weights.latency > 0) {
    total += weights.latency * headroom(outcome.latencyMs, weights.latencyCeilingMs)
    weight += weights.latency
  }
  if (weights.cost > 0) {
    total += weights.cost * headroom(outcome.costUsd, weights.costCeilingUsd)
    weight += weights.cost
  }
  const quality = outcome.quality
  if (weights.quality > 0 && quality !== undefined && !Number.isNaN(quality)) {
    total += weights.quality * Math.min(Math.max(quality, 0), 1)
    weight += weights.quality
  }
  // Only an unscored request under quality-only weights gets here: success is all that is known.
  if (weight <= 0) return 1
  return Math.min(total / weight, 1)
}

/** 1 − min(value / ceiling, 1); a value that is not a number counts as the ceiling (worst). */
function headroom(value: number, ceiling: number): number {
  if (!Number.isFinite(value)) return 0
  return 1 - Math.min(Math.max(value, 0) / ceiling, 1)
}

export function rewardWeightsProblems(weights: RewardWeights, at: readonly PathSegment[] = []): ConfigProblem[] {
  const problems: ConfigProblem[] = []
  let sum = 0
  for (const key of ['success', 'latency', 'cost', 'quality'] as const) {
    const w = weights[key]
    if (!Number.isFinite(w) || w < 0 || w > 1) problems.push(problemAt([...at, key], 'must be a number from 0 to 1', w))
    else sum += w
  }
  if (problems.length === 0 && Math.abs(sum - 1) > SUM_TOLERANCE) {
    problems.push(problemAt(at, 'the weights success + latency + cost + quality must sum to 1', sum))
  }
  for (const key of ['latencyCeilingMs', 'costCeilingUsd'] as const) {
    const v = weights[key]
    if (!Number.isFinite(v) || v <= 0) problems.push(problemAt([...at, key], 'must be a positive number', v))
  }
  return problems
}
