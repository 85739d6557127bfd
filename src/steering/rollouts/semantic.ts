// Cross-field checks of `rollouts:` (config/semantic.ts and the runtime's lifecycle checks run
// them): the model or mount exists, stable and canary are different targets the split can use,
// the steps make a valid machine, and no model runs two splits at once (two rollouts, or a
// rollout and a running experiment).
import { problemAt, type ConfigProblem } from '../../core/problems.js'
import type { ExperimentsConfig } from '../experiments/semantic.js'
import type { RolloutConfig } from './schema.js'

export interface RolloutsConfig extends ExperimentsConfig {
  readonly rollouts: Readonly<Record<string, RolloutConfig>>
}

/** The split a rollout or experiment occupies: a virtual model, or a native model on a mount. */
export const splitOf = (s: { readonly model: string; readonly mount?: string | undefined }): string => (s.mount === undefined ? s.model : `${s.mount}/${s.model}`)

/**
 * Activation sequences a rollout reacts to that the config does not define: a warning, not a
 * problem, because the default reaction (canary, active, dark) stays in place when an operator
 * renames the sequences.
 */
export function rolloutWarnings(config: Pick<RolloutsConfig, 'rollouts'> & { readonly activation: { readonly sequences: Readonly<Record<string, unknown>> } }): string[] {
  const warnings: string[] = []
  for (const [id, rollout] of Object.entries(config.rollouts)) {
    for (const sequence of Object.keys(rollout.activation)) {
      if (!Object.hasOwn(config.activation.sequences, sequence)) warnings.push(`rollouts.${id}.activation.${sequence}: no such activation sequence; this reaction never runs`)
    }
  }
  return warnings
}

export function rolloutProblems(config: RolloutsConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = []
  const taken = new Map<string, string>()
  for (const [key, e] of Object.entries(config.experiments)) if (e.status === 'running') taken.set(splitOf(e), `experiment ${key}`)
  for (const [id, rollout] of Object.entries(config.rollouts)) {
    const at = (path: (string | number)[], problem: string, got?: unknown): void => void problems.push(problemAt(['rollouts', id, ...path], problem, got))
    const mount = rollout.mount === undefined ? undefined : config.providers[rollout.mount]
    if (rollout.mount !== undefined && mount === undefined) at(['mount'], 'is not a key of providers', rollout.mount)
    const model = rollout.mount === undefined ? config.models[rollout.model] : undefined
    if (rollout.mount === undefined && model === undefined) at(['model'], 'is not a key of models', rollout.model)
    for (const arm of ['stable', 'canary'] as const) {
      const { provider, model: native } = rollout[arm]
      if (model !== undefined && !model.targets.some((t) => t.provider === provider && t.model === native)) {
        at([arm], `is not one of ${rollout.model}'s targets`, `${provider}/${native}`)
      }
      if (mount !== undefined && config.providers[provider]?.type !== mount.type) {
        at([arm, 'provider'], `must be a ${mount.type} provider like ${rollout.mount} (a native request keeps its dialect)`, provider)
      }
    }
    if (rollout.stable.provider === rollout.canary.provider && rollout.stable.model === rollout.canary.model) at(['canary'], 'is the stable target itself')
    try {
      validateSteps(rollout.steps.map((s) => ({ percent: s.percent, minDurationMs: s.minDurationSeconds * 1000, minSamplesPerArm: s.minSamplesPerArm })))
    } catch (err) {
      at(['steps'], (err as Error).message)
    }
    const split = splitOf(rollout)
    const other = taken.get(split)
    if (other !== undefined) at(['model'], `${split} already runs ${other}; a model runs one split at a time`)
    else taken.set(split, `rollout ${id}`)
  }
  return problems
}

/** Throws on what config validation should refuse: no steps, percents not increasing in (0, 100] or not ending at 100. */
export function validateSteps(steps: readonly { readonly percent: number; readonly minDurationMs: number; readonly minSamplesPerArm: number }[]): void {
  if (steps.length < 2) throw new Error('a rollout needs at least one canary step and the final 100 % step')
  let previous = 0
  for (const step of steps) {
    if (!(step.percent > previous && step.percent <= 100)) throw new Error(`step percents must increase within (0, 100] (got ${step.percent} after ${previous})`)
    if (!(step.minDurationMs >= 0) || !(Number.isInteger(step.minSamplesPerArm) && step.minSamplesPerArm >= 0)) {
      throw new Error(`step ${step.percent} %: minDurationMs and minSamplesPerArm must be non-negative`)
    }
    previous = step.percent
  }
  if (previous !== 100) throw new Error('the last step must be 100 %')
}

