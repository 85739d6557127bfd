// Targeting rules compile to plain functions with json-logic-engine's `build` (generated code, no
// interpreter per call). flagd's custom operators and context variables are added here; a rule is
// called with the caller's context object as-is, so an evaluation allocates no wrapper:
//   - `$flagd.flagKey` compiles to a string literal (one engine per flag knows its key);
//   - `$flagd.timestamp` compiles to a call that reads the evaluation's clock, set just before
//     the rule runs and read at most once per evaluation;
//   - `in` against a literal list compiles to a Set lookup instead of rebuilding the array;
//   - `fractional` with literal buckets precomputes its bucket table.
import { Constants, LogicEngine, defaultMethods } from 'json-logic-engine'
import { fractionalAt, isLiteralBucket, pickBucket, targetingKeyOf, toBucketTable } from './fractional.js'
import { murmur3Utf8 } from '../core/murmur3.js'
import { semVer } from './semver.js'
import type { EvaluationContext } from './types.js'

export type CompiledRule = (context: EvaluationContext) => unknown

/** Operators of flagd's targeting schema (https://flagd.dev/schema/v0/targeting.json), plus `/`. */
export const TARGETING_OPERATORS: ReadonlySet<string> = new Set([
  'var', 'missing', 'missing_some', 'if', '==', '===', '!=', '!==', '!', '!!', 'or', 'and',
  '>', '>=', '<', '<=', 'max', 'min', '+', '-', '*', '/', '%', 'in', 'cat', 'substr', 'merge',
  'map', 'reduce', 'filter', 'all', 'none', 'some', 'starts_with', 'ends_with', 'sem_ver', 'fractional',
])

/** The template tag json-logic-engine hands to `compile` hooks; values become literals, functions calls. */
interface BuildState {
  compile(strings: TemplateStringsArray, ...items: unknown[]): unknown
}
type Method = (args: unknown, context: unknown, above?: unknown, engine?: unknown) => unknown
type Compile = (data: unknown, buildState: BuildState) => unknown
interface BaseMethod {
  method: Method
  compile: Compile
  deterministic: boolean | ((data: unknown, buildState: BuildState) => boolean)
}

/** Functions spliced into generated code must be marked synchronous, or the engine emits `await`. */
function sync<F extends (...args: never[]) => unknown>(fn: F): F {
  return Object.assign(fn, { [Constants.Sync]: true })
}

let evaluationSeconds = Number.NaN

/** Pins `$flagd.timestamp` for the next rule call; undefined means the wall clock, read lazily. */
export function setEvaluationTime(nowSeconds: number | undefined): void {
  evaluationSeconds = nowSeconds === undefined ? Number.NaN : Math.floor(nowSeconds)
}

const timestamp = sync((): number => {
  if (Number.isNaN(evaluationSeconds)) evaluationSeconds = Math.floor(Date.now() / 1000)
  return evaluationSeconds
})

const isFlagdPath = (path: unknown): path is string =>
  typeof path === 'string' && (path === '$flagd' || path.startsWith('$flagd.'))

const baseVar = defaultMethods.var as unknown as BaseMethod
const baseIn = defaultMethods.in as unknown as BaseMethod & Method

function flagdVar(flagKey: string): BaseMethod & { optimizeUnary: boolean } {
  const read = (path: string): unknown => {
    if (path === '$flagd.flagKey') return flagKey
    if (path === '$flagd.timestamp') return timestamp()
    return path === '$flagd' ? { flagKey, timestamp: timestamp() } : null
  }
  // Deliberately not marked as the engine's original `var`: the interpreter would then read
  // `context.$flagd` directly, which the caller's context does not (and must not) carry.
  return {
    optimizeUnary: true,
    method(args, context, above, engine) {
      const path: unknown = Array.isArray(args) ? args[0] : args
      if (!isFlagdPath(path)) return baseVar.method(args, context, above, engine)
      return read(path) ?? (Array.isArray(args) ? (args[1] ?? null) : null)
    },
    compile(data, buildState) {
      const path: unknown = Array.isArray(data) ? data[0] : data
      if (path === '$flagd.flagKey') return buildState.compile`${flagKey}`
      if (path === '$flagd.timestamp') return buildState.compile`${timestamp}()`
      return isFlagdPath(path) ? false : baseVar.compile(data, buildState)
    },
    deterministic: (data, buildState) =>
      !JSON.stringify(data ?? null).includes('$flagd') &&
      (typeof baseVar.deterministic === 'function' ? baseVar.deterministic(data, buildState) : baseVar.deterministic),
  }
}

function fractional(flagKey: string): BaseMethod {
  return {
    method: (args, context) => fractionalAt(flagKey, args, context),
    deterministic: false,
    compile(data, buildState) {
      if (!Array.isArray(data) || data.length === 0) return false
      const from = Array.isArray(data[0]) ? 0 : 1
      const buckets = data.slice(from)
      const table = buckets.every(isLiteralBucket) ? toBucketTable(buckets, 0) : undefined
      if (table === undefined) return false
      if (from === 0) {
        const byTargetingKey = sync((context: unknown) => {
          const targetingKey = targetingKeyOf(context)
          return targetingKey === undefined ? null : pickBucket(table, murmur3Utf8(flagKey, targetingKey))
        })
        return buildState.compile`${byTargetingKey}(context)`
      }
      const byValue = sync((value: unknown, context: unknown) =>
        typeof value === 'string' ? pickBucket(table, murmur3Utf8(value)) : fractionalAt(flagKey, [value, ...buckets], context),
      )
      return buildState.compile`${byValue}(${data[0]}, context)`
    },
  }
}

const isPrimitive = (value: unknown): boolean => value === null || typeof value !== 'object'

const inList: BaseMethod = {
  method: baseIn,
  deterministic: true,
  compile(data, buildState) {
    if (Array.isArray(data) && data.length === 2 && Array.isArray(data[1]) && data[1].every(isPrimitive)) {
      // Same SameValueZero matching as Array.prototype.includes, in O(1) and without a new array.
      const members = new Set<unknown>(data[1])
      return buildState.compile`${sync((item: unknown) => members.has(item))}(${data[0]})`
    }
    return baseIn.compile(data, buildState)
  },
}

function stringTest(test: (subject: string, affix: string) => boolean): Method {
  return (args) => {
    if (!Array.isArray(args) || args.length !== 2) return null
    const [subject, affix]: unknown[] = args
    return typeof subject === 'string' && typeof affix === 'string' ? test(subject, affix) : null
  }
}

const shared = new LogicEngine()
shared.addMethod('in', inList)
shared.addMethod('starts_with', { method: stringTest((s, a) => s.startsWith(a)), deterministic: true })
shared.addMethod('ends_with', { method: stringTest((s, a) => s.endsWith(a)), deterministic: true })
shared.addMethod('sem_ver', { method: semVer, deterministic: true })

/** Compiles a resolved, validated rule for one flag. Throws what json-logic-engine throws. */
export function buildRule(flagKey: string, logic: unknown): CompiledRule {
  const engine = new LogicEngine(shared.methods)
  engine.addMethod('var', flagdVar(flagKey))
  engine.addMethod('fractional', fractional(flagKey))
  return engine.build(logic) as CompiledRule
}
