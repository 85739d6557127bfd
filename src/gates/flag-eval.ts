// Flag evaluation as gates (and OFREP) use it: evaluate, then count by flag/variant/reason. Results
// of static and matched variants are precomputed frozen objects, so the metric child for each is
// cached against the result object itself: counting allocates nothing on the hot path.
import { evaluate, type EvaluationContext, type EvaluationResult, type FlagSet } from '../flags/index.js'
import { metrics } from '../metrics.js'

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
