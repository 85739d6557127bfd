// Test support for rollouts (excluded from the build): seeded request streams driven through the
// real recordRequest / judge with injected randomness and a simulated clock — no timers, no sleeps.
import { sfc32 } from '../bandit/test-support.js'
import { emptyRolloutStats, recordRequest, type RolloutStats } from './health.js'
import { canaryPercent, judge, startRollout, type RolloutDecision, type RolloutSettings, type RolloutState } from './rollout.js'

export { sfc32, spread } from '../bandit/test-support.js'

/** One arm's world: error probability, lognormal latency (median ms, log-sd), lognormal cost (median USD, log-sd). */
export interface ArmModel {
  readonly errorRate: number
  readonly latencyMedianMs: number
  readonly latencyLogSd: number
  readonly costMedianUsd: number
  readonly costLogSd: number
}

export const STABLE: ArmModel = { errorRate: 0.01, latencyMedianMs: 200, latencyLogSd: 0.5, costMedianUsd: 0.002, costLogSd: 0.3 }

export interface RolloutEvent {
  readonly request: number
  readonly decision: Exclude<RolloutDecision, 'hold'>
  readonly percent: number
  readonly reasons: readonly string[]
  /** The step's statistics the decision was made on. */
  readonly stats: RolloutStats
}

export interface RolloutRun {
  readonly events: readonly RolloutEvent[]
  readonly state: RolloutState
  /** 1-based request count at the rollback, if any. */
  readonly rolledBackAt?: number
  readonly rollbackReasons?: readonly string[]
  readonly requests: number
}

/** A standard normal from two uniforms (Box–Muller, one of the pair). */
function normal(random: () => number): number {
  const u = 1 - random()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random())
}

/**
 * `requests` requests; each goes to the canary with probability = the current step's percent, its
 * outcome drawn from that arm's model, and `judge` runs after every one. Routing and outcomes use
 * separate streams of the seed. The clock advances `msPerRequest` per request. Stops at a rollback
 * or completion; statistics reset at every promotion.
 */
export function runRollout(options: {
  readonly seed: number
  readonly settings: RolloutSettings
  readonly requests: number
  readonly stable: ArmModel
  readonly canary: ArmModel
  readonly msPerRequest?: number
  readonly inspect?: (request: number, stats: RolloutStats, state: RolloutState) => void
}): RolloutRun {
  const { seed, settings, requests, stable, canary, msPerRequest = 100, inspect } = options
  const route = sfc32(seed)
  const world = sfc32(seed ^ 0x5eed5eed)
  let state = startRollout(0)
  let stats = emptyRolloutStats()
  const events: RolloutEvent[] = []
  for (let i = 0; i < requests; i++) {
    const percent = canaryPercent(state, settings)
    const toCanary = route() * 100 < percent
    const model = toCanary ? canary : stable
    const outcome = {
      error: world() < model.errorRate,
      latencyMs: model.latencyMedianMs * Math.exp(model.latencyLogSd * normal(world)),
      costUsd: model.costMedianUsd * Math.exp(model.costLogSd * normal(world)),
    }
    stats = toCanary ? { stable: stats.stable, canary: recordRequest(stats.canary, outcome) } : { stable: recordRequest(stats.stable, outcome), canary: stats.canary }
    const nowMs = (i + 1) * msPerRequest
    const judged = judge(state, stats, settings, nowMs)
    inspect?.(i + 1, stats, judged.state)
    state = judged.state
    if (judged.decision === 'hold') continue
    events.push({ request: i + 1, decision: judged.decision, percent, reasons: judged.reasons, stats })
    if (judged.decision === 'rollback') return { events, state, rolledBackAt: i + 1, rollbackReasons: judged.reasons, requests: i + 1 }
    if (judged.decision === 'complete') return { events, state, requests: i + 1 }
    stats = emptyRolloutStats()
  }
  return { events, state, requests }
}

/** Settings that hold the canary at `percent` for good (a step that never passes), to measure detection at that share. */
export function fixedShare(settings: RolloutSettings, percent: number): RolloutSettings {
  return { ...settings, steps: [{ percent, minDurationMs: Number.POSITIVE_INFINITY, minSamplesPerArm: 0 }, { percent: 100, minDurationMs: 0, minSamplesPerArm: 0 }] }
}

/** The q-quantile (nearest rank) of a list; Infinity stands for "never". */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((x, y) => x - y)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!
}
