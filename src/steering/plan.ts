// Steering (docs/lifecycle.md step 7): turns the candidates the gates left into a route plan. A native request
// keeps its order (its own model, then its alternates); a virtual model's first target is picked
// by weight among the usable ones and the others follow in the order config lists them — unless
// the model runs an experiment and the user is in it: then their variant's target goes first
// (the others follow as fallbacks), and the plan tags the response with the experiment and
// variant and credits the variant. Otherwise a bandit (when `ai.bandit.mode` is not off for the
// request) picks the first target, or records its pick while the weights route (shadow, and the
// rest of a canary share), and the target tried first is credited. A concluded experiment's
// winner goes first for everyone. A canary rollout is compiled into the same split (its arms are
// the two variants, `kind: 'rollout'`), so it steers exactly as an experiment does. A gate may
// already have routed the request (a budget downgrade): its plan stands.
import type { RequestFacts } from '../core/facts.js'
import type { Candidate, RoutePlan } from '../core/plan.js'
import { nativeChain, type Experiment, type ExperimentVariant, type Routing, type Target } from '../core/target.js'
import { countedLabels, metrics } from '../core/metrics.js'
import { pickByWeight } from './weighted.js'

/** Response headers naming an experiment and the user's variant (docs/experiments.md header tagging). */
export const EXPERIMENT_HEADER = 'x-sluice-experiment'
export const VARIANT_HEADER = 'x-sluice-variant'
/** Response headers naming a canary rollout and the user's arm (stable or canary). */
export const ROLLOUT_HEADER = 'x-sluice-rollout'
export const ROLLOUT_ARM_HEADER = 'x-sluice-rollout-arm'

const assignments = countedLabels(metrics.experimentAssignments)

export function steer(facts: RequestFacts, random: () => number): RoutePlan {
  const { candidates, virtualModel } = facts
  if (virtualModel === undefined) {
    if (facts.nativeExperiment === undefined) return { candidates, by: 'static', tags: undefined, credit: undefined }
    return experimentPlan(facts.nativeExperiment, facts) ?? { candidates: withoutVariants(candidates), by: 'static', tags: undefined, credit: undefined }
  }
  if (virtualModel.experiment !== undefined) {
    const plan = experimentPlan(virtualModel.experiment, facts)
    if (plan !== undefined) return plan
  } else if (virtualModel.promoted !== undefined) {
    const { base, target } = virtualModel.promoted
    const at = candidates.findIndex((c) => c.target === base)
    if (at !== -1) return { candidates: leading(candidates, at, { target, model: candidates[at]!.model }), by: 'promoted', tags: undefined, credit: undefined }
  }
  if (virtualModel.bandit !== undefined) {
    const choice = virtualModel.bandit.choose(targetsOf(candidates), facts.context, random)
    if (choice !== undefined) {
      const ordered = choice.routes ? leading(candidates, candidates.findIndex((c) => c.target === choice.target), undefined) : weighted(facts, random)
      const head = ordered[0]!.target
      const bandit = virtualModel.bandit
      return { candidates: ordered, by: choice.routes ? 'bandit' : 'weighted', tags: bandit.tagsFor(head, choice), credit: bandit.creditFor(head) }
    }
  }
  return { candidates: weighted(facts, random), by: candidates.length < 2 ? 'static' : 'weighted', tags: undefined, credit: undefined }
}

/** The first candidate by the virtual model's weights among the usable ones, the others in config order. */
function weighted(facts: RequestFacts, random: () => number): readonly Candidate[] {
  const { candidates, virtualModel } = facts
  if (candidates.length < 2 || virtualModel === undefined) return candidates
  const weights = candidates.map((c) => weightOf(virtualModel.targets, virtualModel.weights, c.target))
  const first = pickByWeight(weights, random())
  return first <= 0 ? candidates : leading(candidates, first, undefined)
}

function targetsOf(candidates: readonly Candidate[]): Target[] {
  const targets: Target[] = []
  for (const c of candidates) targets.push(c.target)
  return targets
}

/**
 * The user's variant first, when they are in the experiment and its target is still a candidate
 * (a kill switch or a provider switch may have removed it: the request is then routed as if
 * there were no experiment, untagged and uncredited, so the variant's statistics only hold
 * requests it served). A forced variant (x-sluice-force-variant from an allowed client) is routed
 * and tagged the same way but credits nothing: it stays out of the statistics.
 */
function experimentPlan(experiment: Experiment, facts: RequestFacts): RoutePlan | undefined {
  const forced = facts.forceVariant === undefined ? undefined : experiment.force(facts.forceVariant, facts.client?.id, facts.requestId)
  const variant: ExperimentVariant | undefined = forced ?? experiment.assign(facts.context)
  if (variant === undefined) return undefined
  const { candidates } = facts
  const at = candidates.findIndex((c) => c.target === variant.base && (facts.virtualModel !== undefined || c.model === variant.model))
  if (at === -1) return undefined
  const own = candidates[at]!
  const native = facts.virtualModel === undefined
  let head: Candidate = own
  if (native) {
    if (variant.params !== undefined || own.experimentOnly === true) head = { target: own.target, model: own.model, params: variant.params }
  } else if (variant.target !== variant.base) head = { target: variant.target, model: own.model }
  if (forced === undefined && experiment.kind === 'experiment') assignments(experiment.key, variant.name).inc()
  // A native request falls back to the model it named (and its alternates), never to another
  // variant's model; a variant on the named model itself with params keeps it unchanged as the
  // first fallback (an operation that cannot take the params is then sent as it came).
  const ordered = native ? [head, ...withoutVariants(candidates).filter((c) => c !== own || head !== own)] : leading(candidates, at, head)
  return {
    candidates: ordered,
    by: forced === undefined ? experiment.kind : 'experiment-forced',
    tags: variant.tags,
    upstreamTags: experiment.tagUpstream ? variant.tags : undefined,
    credit: forced === undefined ? variant.credit : undefined,
  }
}

/** A native request's candidates without the ones listed only for its experiment's variants. */
function withoutVariants(candidates: readonly Candidate[]): readonly Candidate[] {
  return candidates.some((c) => c.experimentOnly === true) ? candidates.filter((c) => c.experimentOnly !== true) : candidates
}

/** `head` (default: the candidate at `at`) first, then the candidates other than the one at `at`, in order. */
function leading(candidates: readonly Candidate[], at: number, head: Candidate | undefined): readonly Candidate[] {
  const first = head ?? candidates[at]!
  if (at === 0 && first === candidates[0]) return candidates
  const ordered = [first]
  for (let i = 0; i < candidates.length; i++) if (i !== at) ordered.push(candidates[i]!)
  return ordered
}

function weightOf(targets: readonly Target[], weights: readonly number[], target: Target): number {
  const i = targets.indexOf(target)
  return i === -1 ? 0 : weights[i]!
}

/**
 * The request moved to `model` on its first candidate's provider (docs/budgets.md `downgrade`): a native
 * request to that model's own target and alternates, if its operation can change model (Bedrock
 * InvokeModel's body is the model's own and cannot); a unified one to that target, the other
 * candidates following as fallbacks. Undefined when it cannot move or is already there.
 */
export function retarget(routing: Routing, facts: RequestFacts, model: string, by: string): RoutePlan | undefined {
  const head = facts.candidates[0]
  if (head === undefined || head.model === model) return undefined
  const { mount } = head.target
  const chain = nativeChain(routing, mount, model)
  let candidates: Candidate[]
  if (facts.virtualModel === undefined) {
    if (mount.adapter.withModel(facts.request, facts.operation, model) === undefined) return undefined
    candidates = chain.map((target) => ({ target, model: target.model === '*' ? model : target.model }))
  } else {
    // An undeclared model shares the provider-wide target (model `*`) and its circuit.
    const chained = chain[0]!
    const target: Target = chained.model === model ? chained : { ...chained, model }
    candidates = [{ target, model }, ...facts.candidates.slice(1)]
  }
  return { candidates, by, tags: undefined, credit: undefined }
}
