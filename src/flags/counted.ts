// Flag evaluation as the data plane uses it (the gates' view, OFREP): evaluate, then count by
// flag/variant/reason. Results of static and matched variants are precomputed frozen objects, so the
// count for each is cached against the result object itself: counting allocates nothing and adds
// to a plain number, flushed to the metric when it is collected (core/metrics.ts `LocalCount`).
import { evaluate } from './evaluate.js'
import type { FlagSet } from './flag-set.js'
import type { EvaluationContext, EvaluationResult } from './types.js'
import { countedLabels, metrics, type LocalCount } from '../core/metrics.js'

const counts = countedLabels(metrics.flagEvaluations)
const children = new WeakMap<object, LocalCount>()

export function countEvaluation(result: EvaluationResult<unknown>): void {
  let child = children.get(result)
  if (child === undefined) {
    const flag = result.errorCode === 'FLAG_NOT_FOUND' ? '(not found)' : result.key
    child = counts(flag, result.variant ?? '', result.reason)
    if (Object.isFrozen(result)) children.set(result, child)
  }
  child.inc()
}

export function stringFlag(flags: FlagSet, key: string, defaultValue: string, context: EvaluationContext): string {
  const result = evaluate(flags, key, 'string', defaultValue, context)
  countEvaluation(result)
  return result.value
}

export function booleanFlag(flags: FlagSet, key: string, defaultValue: boolean, context: EvaluationContext): boolean {
  const result = evaluate(flags, key, 'boolean', defaultValue, context)
  countEvaluation(result)
  return result.value
}
