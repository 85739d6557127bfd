// Steering (SPEC §5 step 7): turns the candidates the gates left into a route plan. A native request
// keeps its order (its own model, then its alternates); a virtual model's first target is picked
// by weight among the usable ones and the others follow in the order config lists them. A gate may
// already have routed the request (a budget downgrade): its plan stands. Experiments, canaries and
// bandits plug in here.
import type { RequestFacts } from '../core/facts.js'
import type { Candidate, RoutePlan } from '../core/plan.js'
import { nativeChain, type Routing, type Target } from '../core/target.js'
import { pickByWeight } from './weighted.js'

export function steer(facts: RequestFacts, random: () => number): RoutePlan {
  const { candidates, virtualModel } = facts
  if (virtualModel === undefined || candidates.length < 2) return { candidates, by: 'static', tags: undefined, credit: undefined }
  const weights = candidates.map((c) => weightOf(virtualModel.targets, virtualModel.weights, c.target))
  const first = pickByWeight(weights, random())
  if (first <= 0) return { candidates, by: 'weighted', tags: undefined, credit: undefined }
  const ordered = [candidates[first]!]
  for (let i = 0; i < candidates.length; i++) if (i !== first) ordered.push(candidates[i]!)
  return { candidates: ordered, by: 'weighted', tags: undefined, credit: undefined }
}

function weightOf(targets: readonly Target[], weights: readonly number[], target: Target): number {
  const i = targets.indexOf(target)
  return i === -1 ? 0 : weights[i]!
}

/**
 * The request moved to `model` on its first candidate's provider (SPEC §8 `downgrade`): a native
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
