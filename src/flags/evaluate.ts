// Flag evaluation with flagd-core's semantics (`FlagdCore.resolve` and `FeatureFlag.evaluate`):
// missing flag → ERROR/FLAG_NOT_FOUND; disabled → DISABLED with the caller's default; targeting
// null → DEFAULT; targeting naming no variant → ERROR/GENERAL; a rule that throws → ERROR/GENERAL;
// targeting with a `$ref` to a missing evaluator → ERROR/PARSE_ERROR (prebuilt: no rule runs);
// a value of another type → ERROR/TYPE_MISMATCH. Nothing here throws. The caller's context is
// passed to the compiled rule untouched (see operators.ts), and results that do not depend on
// it are prebuilt, so the common paths allocate nothing.
import type { CompiledFlag, FlagSet } from './flag-set.js'
import { setEvaluationTime } from './operators.js'
import type { EvaluationContext, EvaluationErrorCode, EvaluationResult, FlagType, FlagValue, FlagValueByType } from './types.js'

const EMPTY_CONTEXT: EvaluationContext = Object.freeze({})

function failure<T>(
  key: string,
  value: T,
  errorCode: EvaluationErrorCode,
  errorMessage: string,
  flagMetadata: CompiledFlag['metadata'],
): EvaluationResult<T> {
  return { key, value, reason: 'ERROR', errorCode, errorMessage, flagMetadata }
}

/**
 * The flag's value for `context`, when it is of `type`; otherwise `defaultValue` with the reason.
 * `nowSeconds` pins `$flagd.timestamp` (default: the wall clock).
 */
export function evaluate<K extends FlagType>(
  flagSet: FlagSet,
  key: string,
  type: K,
  defaultValue: FlagValueByType[K],
  context: EvaluationContext = EMPTY_CONTEXT,
  nowSeconds?: number,
): EvaluationResult<FlagValueByType[K]> {
  const flag = flagSet.get(key)
  if (flag === undefined) return failure(key, defaultValue, 'FLAG_NOT_FOUND', `flag '${key}' not found`, flagSet.metadata)
  if (!flag.enabled) return { key, value: defaultValue, reason: 'DISABLED', flagMetadata: flag.metadata }
  const result = resolve(flag, context, nowSeconds)
  // No value: an error, or a null defaultVariant; either way the caller's default is the answer.
  if (result.value === undefined) return { ...result, value: defaultValue }
  if (flag.type !== type) {
    const message = `Evaluated type of the flag ${key} does not match. Expected ${type}, got ${flag.type}`
    return failure(key, defaultValue, 'TYPE_MISMATCH', message, flag.metadata)
  }
  return result as EvaluationResult<FlagValueByType[K]>
}

/**
 * The flag's value whatever its type, for OFREP; `value` is undefined on errors and when no
 * variant applies (a null defaultVariant), leaving the choice to the caller's code default.
 */
export function evaluateAny(
  flagSet: FlagSet,
  key: string,
  context: EvaluationContext = EMPTY_CONTEXT,
  nowSeconds?: number,
): EvaluationResult<FlagValue | undefined> {
  const flag = flagSet.get(key)
  if (flag === undefined) return failure(key, undefined, 'FLAG_NOT_FOUND', `flag '${key}' not found`, flagSet.metadata)
  if (!flag.enabled) return { key, value: undefined, reason: 'DISABLED', flagMetadata: flag.metadata }
  return resolve(flag, context, nowSeconds)
}

/**
 * Every enabled flag, in key order. Disabled flags are left out, as flagd treats them as absent
 * in bulk evaluation; errors are kept so OFREP can report them per flag.
 */
export function evaluateAll(
  flagSet: FlagSet,
  context: EvaluationContext = EMPTY_CONTEXT,
  nowSeconds?: number,
): Array<EvaluationResult<FlagValue | undefined>> {
  const results: Array<EvaluationResult<FlagValue | undefined>> = []
  for (const key of flagSet.keys) {
    const flag = flagSet.get(key)!
    if (flag.enabled) results.push(resolve(flag, context, nowSeconds))
  }
  return results
}

function resolve(flag: CompiledFlag, context: unknown, nowSeconds: number | undefined): EvaluationResult<FlagValue | undefined> {
  const { rule } = flag
  if (rule === undefined) return flag.staticResult
  if (context === null || typeof context !== 'object' || Array.isArray(context)) {
    return failure(flag.key, undefined, 'INVALID_CONTEXT', 'the evaluation context must be an object', flag.metadata)
  }
  const targetingKey = (context as EvaluationContext).targetingKey
  if (targetingKey !== undefined && targetingKey !== null && typeof targetingKey !== 'string') {
    return failure(flag.key, undefined, 'INVALID_CONTEXT', 'targetingKey must be a string', flag.metadata)
  }
  let variant: string
  try {
    setEvaluationTime(nowSeconds)
    const out = rule(context as EvaluationContext)
    if (out === null || out === undefined) return flag.fallback
    // flagd turns any other result into a variant name: true → "true", 1 → "1".
    variant = typeof out === 'string' ? out : String(out)
  } catch {
    const message = `Error evaluating targeting rule for flag '${flag.key}'`
    return failure(flag.key, undefined, 'GENERAL', message, flag.metadata)
  }
  return (
    flag.matches.get(variant) ??
    failure(flag.key, undefined, 'GENERAL', `Variant '${variant}' not found in flag with key '${flag.key}'`, flag.metadata)
  )
}
