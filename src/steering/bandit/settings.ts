// A bandit's settings, their defaults and their checks. The defaults are tuned on the issue's
// simulation (three arms at 0.70 / 0.75 / 0.80 that drift at request 3,000); docs/bandits.md has
// the measurements behind each. Checks report every problem as `path: problem (got value)`, for
// the config loader to prefix with where the bandit sits in the file.
import { problemAt, type ConfigProblem, type PathSegment } from '../../core/problems.js'
import { DEFAULT_CONSTRAINTS, type ConstraintSettings } from './constraints.js'
import { DEFAULT_REWARD_WEIGHTS, rewardWeightsProblems, type RewardWeights } from './reward.js'
import type { PolicySettings } from './thompson.js'

export interface BanditSettings extends PolicySettings {
  readonly reward: RewardWeights
  readonly constraints: ConstraintSettings
}

export const DEFAULT_BANDIT_SETTINGS: BanditSettings = {
  priorAlpha: 1,
  priorBeta: 1,
  evidenceWeight: 8,
  discount: 0.998,
  halfLifeMs: 3_600_000,
  floor: 0.02,
  reward: DEFAULT_REWARD_WEIGHTS,
  constraints: DEFAULT_CONSTRAINTS,
}

export type BanditOverrides = Partial<PolicySettings> & {
  readonly reward?: Partial<RewardWeights>
  readonly constraints?: Partial<ConstraintSettings>
}

/** The defaults with `overrides` on top, one level deep for `reward` and `constraints`. */
export function banditSettings(overrides: BanditOverrides = {}): BanditSettings {
  return {
    ...DEFAULT_BANDIT_SETTINGS,
    ...overrides,
    reward: { ...DEFAULT_REWARD_WEIGHTS, ...overrides.reward },
    constraints: { ...DEFAULT_CONSTRAINTS, ...overrides.constraints },
  }
}

/** Every problem with `settings` for a bandit over `arms` arms (the floor must fit: floor × arms ≤ 1). */
export function banditSettingsProblems(settings: BanditSettings, arms: number, at: readonly PathSegment[] = []): ConfigProblem[] {
  const problems: ConfigProblem[] = []
  const positive = (key: keyof BanditSettings & keyof PolicySettings, value: number | undefined): void => {
    if (value === undefined || !Number.isFinite(value) || value <= 0) problems.push(problemAt([...at, key], 'must be a positive number', value))
  }
  if (arms < 2) problems.push(problemAt(at, 'a bandit needs at least 2 arms', arms))
  positive('priorAlpha', settings.priorAlpha)
  positive('priorBeta', settings.priorBeta)
  positive('evidenceWeight', settings.evidenceWeight)
  if (settings.halfLifeMs !== undefined) positive('halfLifeMs', settings.halfLifeMs)
  const { discount, floor } = settings
  if (!Number.isFinite(discount) || discount <= 0 || discount > 1) problems.push(problemAt([...at, 'discount'], 'must be a number above 0 and at most 1', discount))
  if (!Number.isFinite(floor) || floor < 0) problems.push(problemAt([...at, 'floor'], 'must be a number ≥ 0', floor))
  else if (floor * arms > 1) problems.push(problemAt([...at, 'floor'], `floor × arms must be at most 1 (${arms} arms)`, floor))
  problems.push(...rewardWeightsProblems(settings.reward, [...at, 'reward']))
  problems.push(...constraintProblems(settings.constraints, [...at, 'constraints']))
  return problems
}

function constraintProblems(c: ConstraintSettings, at: readonly PathSegment[]): ConfigProblem[] {
  const problems: ConfigProblem[] = []
  const { maxErrorRate, maxLatencyMs, latencyQuantile, halfLifeMs, minSamples } = c
  if (maxErrorRate !== undefined && !(maxErrorRate >= 0 && maxErrorRate <= 1)) problems.push(problemAt([...at, 'maxErrorRate'], 'must be a number from 0 to 1', maxErrorRate))
  if (maxLatencyMs !== undefined && !(Number.isFinite(maxLatencyMs) && maxLatencyMs > 0)) problems.push(problemAt([...at, 'maxLatencyMs'], 'must be a positive number', maxLatencyMs))
  if (!(latencyQuantile > 0 && latencyQuantile < 1)) problems.push(problemAt([...at, 'latencyQuantile'], 'must be a number between 0 and 1', latencyQuantile))
  if (!(Number.isFinite(halfLifeMs) && halfLifeMs > 0)) problems.push(problemAt([...at, 'halfLifeMs'], 'must be a positive number', halfLifeMs))
  if (!(Number.isFinite(minSamples) && minSamples >= 1)) problems.push(problemAt([...at, 'minSamples'], 'must be a number ≥ 1', minSamples))
  return problems
}
