// Experiments compiled for a snapshot (docs/experiments.md): each running one's bucket
// table (steering/experiments/assign.ts), its eligibility rule — a flagd JsonLogic rule compiled
// as a boolean flag `experiment:<key>` with flagd's own checks, so a rule that would not load as
// flag targeting refuses the config — its variants' targets and credits, and a concluded one's
// promoted winner. Lifecycle changes from the admin API are folded into the config first
// (steering/experiments/lifecycle.ts).
import type { Config } from '../config/schema.js'
import type { AuditInput } from '../core/store.js'
import type { Experiment, ExperimentVariant, Target } from '../core/target.js'
import { compileFlagSet, evaluate, type EvaluationContext, type FlagSet } from '../flags/index.js'
import { assign, assignmentTable } from '../steering/experiments/assign.js'
import type { OutcomeRecorder } from '../steering/experiments/outcomes.js'
import { EXPERIMENT_HEADER, VARIANT_HEADER } from '../steering/plan.js'
import type { Bandits } from './bandits.js'
import type { Rollouts } from './rollouts.js'
import type { Shadows } from './shadows.js'
import type { ExperimentConfig } from '../steering/experiments/schema.js'

const ELIGIBLE = { in: true, out: false }
const flagKey = (experiment: string): string => `experiment:${experiment}`

/** What steering needs from the running Sluice besides the config: experiments' recorder and audit, and the bandits. */
export interface ExperimentHooks {
  readonly recorder: OutcomeRecorder
  readonly bandits: Bandits
  readonly rollouts: Rollouts
  readonly shadows: Shadows
  /** Appends an audit entry without waiting (a forced variant); failures are the hook's to report. */
  audit(entry: AuditInput): void
}

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

export interface ModelExperiment {
  readonly experiment: Experiment | undefined
  readonly promoted: ExperimentVariant | undefined
}

const NONE: ModelExperiment = { experiment: undefined, promoted: undefined }

/** Finds the target a variant's `{provider, model}` routes to. */
export type ResolveTarget = (provider: string, model: string) => Target

/**
 * The running experiment among `entries` (those of one virtual model, or of one native model on a
 * mount), or the latest concluded one's winner (config order) when none runs.
 */
export function buildExperiment(
  entries: ReadonlyArray<readonly [string, ExperimentConfig]>,
  resolve: ResolveTarget,
  targeting: FlagSet,
  hooks: ExperimentHooks,
): ModelExperiment {
  const running = entries.find(([, e]) => e.status === 'running')
  if (running === undefined) {
    const concluded = entries.filter(([, e]) => e.status === 'concluded' && e.winner !== undefined).pop()
    if (concluded === undefined) return NONE
    const [key, experiment] = concluded
    const winner = experiment.variants.find((v) => v.name === experiment.winner)
    return winner === undefined ? NONE : { experiment: undefined, promoted: variantOf(key, winner, resolve, hooks) }
  }
  const [key, experiment] = running
  const table = assignmentTable(experiment.seed ?? key, experiment.variants, experiment.allocationPercent)
  const variants = new Map<string, ExperimentVariant>()
  for (const v of experiment.variants) variants.set(v.name, variantOf(key, v, resolve, hooks))
  const rule = experiment.targeting === undefined ? undefined : flagKey(key)
  const mayForce = new Set(experiment.forceVariantClients)
  return {
    promoted: undefined,
    experiment: {
      kind: 'experiment',
      key,
      tagUpstream: experiment.tagUpstream,
      variants: [...variants.values()],
      assign(context) {
        if (rule !== undefined && !evaluate(targeting, rule, 'boolean', false, context as EvaluationContext).value) return undefined
        const name = assign(table, context.targetingKey)
        return name === undefined ? undefined : variants.get(name)
      },
      force(name, client, requestId) {
        const variant = variants.get(name)
        if (variant === undefined || client === undefined || !mayForce.has(client)) return undefined
        hooks.audit({ actor: `client:${client}`, action: 'experiment.force-variant', target: `experiments/${key}`, before: null, after: { variant: name, requestId }, reason: 'x-sluice-force-variant' })
        return variant
      },
    },
  }
}

function variantOf(key: string, v: ExperimentConfig['variants'][number], resolve: ResolveTarget, hooks: ExperimentHooks): ExperimentVariant {
  // Config checks guarantee the target exists (steering/experiments/semantic.ts).
  const base = resolve(v.target.provider, v.target.model)
  const target = v.params === undefined ? base : { ...base, params: { ...base.params, ...v.params } }
  const tags = Object.freeze({ [EXPERIMENT_HEADER]: key, [VARIANT_HEADER]: v.name })
  return { name: v.name, control: v.control, target, base, model: v.target.model, params: v.params, credit: hooks.recorder.credit(key, v.name), tags }
}
