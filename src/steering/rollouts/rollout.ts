// The rollout step machine (docs/rollouts.md, "Decision core"): a canary climbs through traffic
// steps, each held until its minimum duration and samples are met and every metric is shown
// not worse than stable; any metric shown worse (or a hard stop) rolls it back at once. Pure: the
// caller passes the current step's statistics (reset at every promotion) and the clock.
import { DEFAULT_STEP_PERCENTS } from './schema.js'
import { DEFAULT_HEALTH_SETTINGS, judgeHealth, type HealthReport, type HealthSettings, type RolloutStats } from './health.js'

export interface RolloutStep {
  /** Canary share of traffic, (0, 100]. */
  readonly percent: number
  readonly minDurationMs: number
  /** Requests each arm needs in this step before it can pass. */
  readonly minSamplesPerArm: number
}

export interface RolloutSettings {
  /** Strictly increasing percents ending at 100; promotion into the last step completes the rollout. */
  readonly steps: readonly RolloutStep[]
  readonly health: HealthSettings
}

export type RolloutStatus = 'progressing' | 'paused' | 'promoted' | 'rolled-back'

export interface RolloutState {
  readonly stepIndex: number
  readonly stepStartedAtMs: number
  readonly status: RolloutStatus
  readonly reason: string
}

export type RolloutDecision = 'hold' | 'promote' | 'rollback' | 'complete'

export interface Judgement {
  readonly state: RolloutState
  readonly decision: RolloutDecision
  readonly reasons: readonly string[]
  /** Absent for terminal states, which are not judged. */
  readonly health?: HealthReport
}

export { DEFAULT_STEP_PERCENTS } from './schema.js'
export { validateSteps } from './semantic.js'

export const DEFAULT_ROLLOUT_SETTINGS: RolloutSettings = {
  steps: DEFAULT_STEP_PERCENTS.map((percent) => ({ percent, minDurationMs: 10 * 60_000, minSamplesPerArm: 300 })),
  health: DEFAULT_HEALTH_SETTINGS,
}

export function startRollout(nowMs: number): RolloutState {
  return { stepIndex: 0, stepStartedAtMs: nowMs, status: 'progressing', reason: 'started' }
}

/** The canary's share of traffic in `state`: 0 once rolled back, 100 once promoted. */
export function canaryPercent(state: RolloutState, settings: RolloutSettings): number {
  if (state.status === 'rolled-back') return 0
  if (state.status === 'promoted') return 100
  return settings.steps[state.stepIndex]!.percent
}

/**
 * One look at the current step. Rollback wins over everything and applies while paused too (a
 * paused canary still serves its share). Terminal states and a paused rollout otherwise hold.
 */
export function judge(state: RolloutState, stats: RolloutStats, settings: RolloutSettings, nowMs: number): Judgement {
  if (state.status === 'promoted' || state.status === 'rolled-back') {
    return { state, decision: 'hold', reasons: [`the rollout is ${state.status}: ${state.reason}`] }
  }
  const step = settings.steps[state.stepIndex]!
  const reasons: string[] = []
  const elapsed = nowMs - state.stepStartedAtMs
  if (elapsed < step.minDurationMs) reasons.push(`step ${step.percent} %: ${elapsed} of ${step.minDurationMs} ms`)
  for (const arm of ['stable', 'canary'] as const) {
    const n = stats[arm].requests
    if (n < step.minSamplesPerArm) reasons.push(`step ${step.percent} %: ${arm} has ${n} of ${step.minSamplesPerArm} requests`)
  }
  // The promotion sequences are read only when they could matter: progressing, minimums met.
  const health = judgeHealth(stats, settings.health, state.status === 'progressing' && reasons.length === 0)
  if (health.worse) {
    const worse = [
      ...(health.hardStop === undefined ? [] : [`hard stop: ${health.hardStop}`]),
      ...health.metrics.filter((m) => m.verdict === 'worse').map((m) => `${m.metric} worse: ${m.reason}`),
    ]
    return { state: { ...state, status: 'rolled-back', reason: worse.join('; ') }, decision: 'rollback', reasons: worse, health }
  }
  if (state.status === 'paused') return { state, decision: 'hold', reasons: [`paused: ${state.reason}`], health }
  for (const m of health.metrics) if (m.verdict !== 'not-worse') reasons.push(`${m.metric} not yet shown not worse: ${m.reason}`)
  if (reasons.length > 0) return { state, decision: 'hold', reasons, health }
  const passed = `step ${step.percent} % passed`
  const next = advance(state, settings, nowMs, passed)
  return { state: next, decision: next.status === 'promoted' ? 'complete' : 'promote', reasons: [passed], health }
}

function advance(state: RolloutState, settings: RolloutSettings, nowMs: number, reason: string): RolloutState {
  const stepIndex = state.stepIndex + 1
  if (stepIndex >= settings.steps.length - 1) return { stepIndex: settings.steps.length - 1, stepStartedAtMs: nowMs, status: 'promoted', reason }
  return { stepIndex, stepStartedAtMs: nowMs, status: 'progressing', reason }
}

// Manual actions: pure transitions. Each throws when the action makes no sense in the state, so an
// admin API can answer 409 with the message.

export function pause(state: RolloutState, reason = 'paused by an operator'): RolloutState {
  if (state.status !== 'progressing') throw new Error(`cannot pause a rollout that is ${state.status}`)
  return { ...state, status: 'paused', reason }
}

/** Resuming keeps the step's start: the time paused counts toward its minimum duration. */
export function resume(state: RolloutState, reason = 'resumed by an operator'): RolloutState {
  if (state.status !== 'paused') throw new Error(`cannot resume a rollout that is ${state.status}`)
  return { ...state, status: 'progressing', reason }
}

/** Skip the current step's checks: to the next step (or complete), from progressing or paused; the result is progressing. */
export function promote(state: RolloutState, settings: RolloutSettings, nowMs: number, reason = 'promoted by an operator'): RolloutState {
  if (state.status !== 'progressing' && state.status !== 'paused') throw new Error(`cannot promote a rollout that is ${state.status}`)
  return advance(state, settings, nowMs, reason)
}

export function rollback(state: RolloutState, reason = 'rolled back by an operator'): RolloutState {
  if (state.status === 'rolled-back') throw new Error('the rollout is already rolled back')
  return { ...state, status: 'rolled-back', reason }
}
