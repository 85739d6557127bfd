// The one place a request's candidate targets are filtered: the kill-switch gate drops
// killed providers and models, the control-flags gate switched-off providers. Nothing downstream
// checks a candidate again.
import type { Refusal } from './decision.js'
import type { RequestFacts } from './facts.js'
import type { Candidate } from './plan.js'

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
