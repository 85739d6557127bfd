// Flag evaluation as the data plane uses it (the gates' view, OFREP): evaluate, then count by
// flag/variant/reason. Results of static and matched variants are precomputed frozen objects, so the metric child for each is
// cached against the result object itself: counting allocates nothing on the hot path.
import { evaluate } from './evaluate.js'
import type { FlagSet } from './flag-set.js'
import type { EvaluationContext, EvaluationResult } from './types.js'
import { metrics } from '../core/metrics.js'

const children = new WeakMap<object, ReturnType<typeof metrics.flagEvaluations.labels>>()

export function countEvaluation(result: EvaluationResult<unknown>): void {
  let child = children.get(result)
  if (child === undefined) {
    const flag = result.errorCode === 'FLAG_NOT_FOUND' ? '(not found)' : result.key
    child = metrics.flagEvaluations.labels(flag, result.variant ?? '', result.reason)
    if (Object.isFrozen(result)) children.set(result, child)
  }
  child.inc()
}

export function booleanFlag(flags: FlagSet, key: string, defaultValue: boolean, context: EvaluationContext): boolean {
  const result = evaluate(flags, key, 'boolean', defaultValue, context)
  countEvaluation(result)
  return result.value
}
