// Cross-field checks of `experiments:` (config/semantic.ts runs them): the model exists, each
// variant's target is one of its targets, exactly one control, unique variant names, weights that
// assignment can use, metric names that resolve, and at most one running experiment per model. The targeting rule is checked
// where flag rules are compiled (runtime), with flagd's own rules.
import { problemAt, type ConfigProblem } from '../../core/problems.js'
import { BUILTIN_METRIC_NAMES, type ExperimentConfig } from './schema.js'

/** The parts of a config these checks read (the whole config satisfies it). */
export interface ExperimentsConfig {
  readonly providers: Readonly<Record<string, { readonly type: string }>>
  readonly models: Readonly<Record<string, { readonly targets: readonly { readonly provider: string; readonly model: string }[] }>>
  readonly experiments: Readonly<Record<string, ExperimentConfig>>
}

/** flagd's total weight is at most 2^31 − 1, and allocation multiplies weights by 10,000 (assign.ts). */
const MAX_WEIGHT_SUM = 214_748

export function experimentProblems(config: ExperimentsConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = []
  const runningFor = new Map<string, string>()
  for (const [key, experiment] of Object.entries(config.experiments)) {
    const at = (path: (string | number)[], problem: string, got?: unknown): void => {
      problems.push(problemAt(['experiments', key, ...path], problem, got))
    }
    const mount = experiment.mount === undefined ? undefined : config.providers[experiment.mount]
    if (experiment.mount !== undefined && mount === undefined) at(['mount'], 'is not a key of providers', experiment.mount)
    const model = experiment.mount === undefined ? config.models[experiment.model] : undefined
    if (experiment.mount === undefined && model === undefined) at(['model'], 'is not a key of models', experiment.model)
    const names = new Set<string>()
    let controls = 0
    let sum = 0
    experiment.variants.forEach((variant, i) => {
      if (names.has(variant.name)) at(['variants', i, 'name'], 'duplicates an earlier variant', variant.name)
      names.add(variant.name)
      if (variant.control) controls++
      sum += variant.weight
      const { provider, model: native } = variant.target
      if (model !== undefined && !model.targets.some((t) => t.provider === provider && t.model === native)) {
        at(['variants', i, 'target'], `is not one of ${experiment.model}'s targets`, `${provider}/${native}`)
      }
      if (mount !== undefined && config.providers[provider]?.type !== mount.type) {
        at(['variants', i, 'target', 'provider'], `must be a ${mount.type} provider like ${experiment.mount} (a native request keeps its dialect)`, provider)
      }
    })
    const builtin: readonly string[] = BUILTIN_METRIC_NAMES
    for (const name of Object.keys(experiment.metrics)) {
      if (builtin.includes(name)) at(['metrics', name], `is a built-in metric (${builtin.join(', ')}); choose another name`)
    }
    const known = (name: string): boolean => builtin.includes(name) || Object.hasOwn(experiment.metrics, name)
    if (!known(experiment.primaryMetric)) at(['primaryMetric'], 'is neither a built-in metric nor a key of metrics', experiment.primaryMetric)
    experiment.guardrailMetrics.forEach((name, i) => {
      if (!known(name)) at(['guardrailMetrics', i], 'is neither a built-in metric nor a key of metrics', name)
    })
    if (experiment.winner !== undefined) {
      if (experiment.status !== 'concluded') at(['winner'], 'is only meaningful for a concluded experiment', experiment.winner)
      else if (!names.has(experiment.winner)) at(['winner'], 'is not one of the variants', experiment.winner)
    }
    if (controls !== 1) at(['variants'], `needs exactly one control variant (has ${controls})`)
    if (sum === 0) at(['variants'], 'needs at least one variant with a weight above 0')
    if (sum > MAX_WEIGHT_SUM) at(['variants'], `weights sum to ${sum}; at most ${MAX_WEIGHT_SUM}`)
    if (experiment.status === 'running') {
      const split = experiment.mount === undefined ? experiment.model : `${experiment.mount}/${experiment.model}`
      const other = runningFor.get(split)
      if (other !== undefined) at(['status'], `${split} already runs experiment ${other}; one at a time`)
      else runningFor.set(split, key)
    }
  }
  return problems
}
