// The route plan (SPEC §5 step 7, issue #9): who may serve a request, in the order they are tried,
// with what the steering decision tags the response with and which arm its outcome credits.
// Identify lists the candidates; gates 2–3 narrow them (kill switches, provider switches) through
// `narrowCandidates`, the one place candidates are filtered; steering orders them into a plan;
// the exchange (upstream/) walks the plan.
import type { Refusal } from './decision.js'
import type { RequestFacts } from './facts.js'
import type { Target } from './target.js'

/** A target, and the native model this request would use on it (a wildcard target serves any). */
export interface Candidate {
  readonly target: Target
  readonly model: string
}

export interface RoutePlan {
  /** In the order they are tried; [0] is the primary, the rest are fallbacks. */
  readonly candidates: readonly Candidate[]
  /** What chose this order: `static` (native), `weighted` (a virtual model's weights), or a gate's name. */
  readonly by: string
  /** Response headers naming the steering decision (experiment, variant, arm, rollout step). */
  readonly tags: Readonly<Record<string, string>> | undefined
  /** The arm whose outcome must be credited (bandits, experiments, canaries); undefined when none learns. */
  readonly credit: string | undefined
}

/**
 * Drops the candidates `refuse` refuses. A request that names its model (`facts.pinned`, native) is
 * refused when its own candidate is; any request is refused when no candidate is left. Returns the
 * refusal that ends the request, or undefined when it may go on (possibly with fewer candidates).
 */
export function narrowCandidates(facts: RequestFacts, refuse: (candidate: Candidate) => Refusal | undefined): Refusal | undefined {
  const { candidates } = facts
  let first: Refusal | undefined
  let kept = 0
  for (let i = 0; i < candidates.length; i++) {
    const candidate = candidates[i]!
    const refusal = refuse(candidate)
    if (refusal === undefined) {
      candidates[kept++] = candidate
      continue
    }
    if (i === 0 && facts.pinned) return refusal
    first ??= refusal
  }
  if (kept === 0) return first
  candidates.length = kept
  return undefined
}
