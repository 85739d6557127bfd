// The route plan (docs/lifecycle.md step 7): who may serve a request, in the order they are tried,
// with what the steering decision tags the response with and which arm its outcome credits.
// Identify lists the candidates; gates 2–3 narrow them (kill switches, provider switches) through
// `narrowCandidates` (core/narrow.ts), the one place candidates are filtered; steering orders them
// into a plan; the exchange (upstream/) walks the plan.
import type { Credit, Target, TargetParams } from './target.js'

/** A target, and the native model this request would use on it (a wildcard target serves any). */
export interface Candidate {
  readonly target: Target
  readonly model: string
  /** Parameters forced on a native request sent to this candidate (a native experiment's variant). */
  readonly params?: TargetParams
  /** Listed only so the gates check a native experiment's variant targets; steering drops it unless the user's variant is routed to it. */
  readonly experimentOnly?: true
}

export interface RoutePlan {
  /** In the order they are tried; [0] is the primary, the rest are fallbacks. */
  readonly candidates: readonly Candidate[]
  /** What chose this order: `static` (native), `weighted` (a virtual model's weights), or a gate's name. */
  readonly by: string
  /** Response headers naming the steering decision (experiment, variant, arm, rollout step). */
  readonly tags: Readonly<Record<string, string>> | undefined
  /** Headers the upstream request carries too (an experiment's `tagUpstream`); undefined for none. */
  readonly upstreamTags?: Readonly<Record<string, string>>
  /** The arm whose outcome must be credited (bandits, experiments, canaries); undefined when none learns. */
  readonly credit: Credit | undefined
}
