// Running experiments compiled for a snapshot (SPEC §9, docs/experiments.md): each one's bucket
// table (steering/experiments/assign.ts) and its eligibility rule, a flagd JsonLogic rule
// compiled as a boolean flag `experiment:<key>` with flagd's own checks, so a rule that would not
// load as flag targeting refuses the config.
import type { Config } from '../config/schema.js'
import type { Experiment, ExperimentVariant, Target } from '../core/target.js'
import { compileFlagSet, evaluate, type EvaluationContext, type FlagSet } from '../flags/index.js'
import { assign, assignmentTable } from '../steering/experiments/assign.js'

const ELIGIBLE = { in: true, out: false }
const flagKey = (experiment: string): string => `experiment:${experiment}`

export type TargetingResult = { ok: true; flagSet: FlagSet } | { ok: false; problems: string[] }

/** The targeting rules of every experiment as one flag set; problems name the experiment. */
export function compileExperimentTargeting(config: Readonly<Pick<Config, 'experiments'>>): TargetingResult {
  const flags: Record<string, unknown> = {}
  for (const [key, experiment] of Object.entries(config.experiments)) {
    if (experiment.targeting === undefined) continue
    flags[flagKey(key)] = { state: 'ENABLED', variants: ELIGIBLE, defaultVariant: 'out', targeting: { if: [experiment.targeting, 'in', 'out'] } }
  }
  const compiled = compileFlagSet([{ source: 'experiments', document: { flags } }], {}, { builtins: {} })
  if (!compiled.ok) return { ok: false, problems: compiled.problems.map((p) => `experiments targeting: ${p}`) }
  return { ok: true, flagSet: compiled.flagSet }
}

/** The running experiment of virtual model `model` over its compiled `targets`, if there is one. */
export function buildExperiment(config: Readonly<Pick<Config, 'experiments'>>, model: string, targets: readonly Target[], targeting: FlagSet): Experiment | undefined {
  const entry = Object.entries(config.experiments).find(([, e]) => e.model === model && e.status === 'running')
  if (entry === undefined) return undefined
  const [key, experiment] = entry
  const table = assignmentTable(experiment.seed ?? key, experiment.variants, experiment.allocationPercent)
  const variants = new Map<string, ExperimentVariant>()
  for (const v of experiment.variants) {
    // Config checks guarantee the target is one of the model's (steering/experiments/semantic.ts).
    const target = targets.find((t) => t.mount.name === v.target.provider && t.model === v.target.model)!
    variants.set(v.name, { name: v.name, control: v.control, target })
  }
  const rule = experiment.targeting === undefined ? undefined : flagKey(key)
  return {
    key,
    assign(context) {
      if (rule !== undefined && !evaluate(targeting, rule, 'boolean', false, context as EvaluationContext).value) return undefined
      const name = assign(table, context.targetingKey)
      return name === undefined ? undefined : variants.get(name)
    },
  }
}
