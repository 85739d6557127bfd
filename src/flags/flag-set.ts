// A compiled flag set: what evaluation reads. Results that do not depend on the context are
// built here, once, so evaluating a static flag or a matched variant allocates nothing; the set
// is frozen and its flag map private, so nothing can change it after compilation.
import { createHash } from 'node:crypto'
import type { CheckedFlag } from './definition.js'
import { buildRule, type CompiledRule } from './operators.js'
import type { EvaluationReason, EvaluationResult, FlagDefinition, FlagMetadata, FlagType, FlagValue } from './types.js'

export interface CompiledFlag {
  readonly key: string
  readonly type: FlagType
  readonly enabled: boolean
  /** `builtin`, `overrides`, or the source name of the document that defined it. */
  readonly origin: string
  /** The definition as evaluated: `$ref`s resolved, deep-frozen. */
  readonly definition: Readonly<FlagDefinition>
  /** The document's metadata overlaid with the flag's own, as flagd merges them. */
  readonly metadata: FlagMetadata
  /** Undefined without targeting, and when the targeting cannot be parsed (see `staticResult`). */
  readonly rule: CompiledRule | undefined
  /**
   * The answer when no rule runs: STATIC, or DEFAULT without a value when defaultVariant is null;
   * for targeting that still holds a `$ref` to a missing evaluator, ERROR/PARSE_ERROR (flagd's answer).
   */
  readonly staticResult: EvaluationResult<FlagValue | undefined>
  /** The answer when targeting returns null. */
  readonly fallback: EvaluationResult<FlagValue | undefined>
  readonly matches: ReadonlyMap<string, EvaluationResult>
  /** Canonical JSON of definition and metadata, to tell which flags a reload changed. */
  readonly fingerprint: string
}

export interface FlagSet {
  /** Content hash of every flag; equal revisions evaluate identically (usable as an ETag). */
  readonly revision: string
  readonly metadata: FlagMetadata
  /** Sorted. */
  readonly keys: readonly string[]
  get(key: string): CompiledFlag | undefined
}

export function compileFlag(key: string, checked: CheckedFlag, origin: string, documentMetadata: FlagMetadata): CompiledFlag {
  const definition = deepFreeze(checked.definition)
  const metadata = Object.freeze({ ...documentMetadata, ...definition.metadata })
  const result = (reason: EvaluationReason, variant: string | undefined): EvaluationResult<FlagValue | undefined> =>
    Object.freeze(
      variant === undefined
        ? { key, value: undefined, reason, flagMetadata: metadata }
        : { key, value: definition.variants[variant], variant, reason, flagMetadata: metadata },
    )
  const defaultVariant = definition.defaultVariant ?? undefined
  const parseError: EvaluationResult<FlagValue | undefined> | undefined =
    checked.parseError === undefined
      ? undefined
      : Object.freeze({ key, value: undefined, reason: 'ERROR', errorCode: 'PARSE_ERROR', errorMessage: checked.parseError, flagMetadata: metadata })
  const matches = new Map<string, EvaluationResult>()
  for (const [variant, value] of Object.entries(definition.variants)) {
    matches.set(variant, Object.freeze({ key, value, variant, reason: 'TARGETING_MATCH', flagMetadata: metadata }))
  }
  return Object.freeze({
    key,
    type: checked.type,
    enabled: definition.state === 'ENABLED',
    origin,
    definition,
    metadata,
    rule: definition.targeting === undefined || parseError !== undefined ? undefined : buildRule(key, definition.targeting),
    staticResult: parseError ?? result(defaultVariant === undefined ? 'DEFAULT' : 'STATIC', defaultVariant),
    fallback: result('DEFAULT', defaultVariant),
    matches,
    fingerprint: canonicalJson({ definition, metadata }),
  })
}

export function createFlagSet(flags: ReadonlyMap<string, CompiledFlag>, metadata: FlagMetadata): FlagSet {
  const keys = Object.freeze([...flags.keys()])
  const hash = createHash('sha256')
  for (const key of keys) hash.update(`${JSON.stringify(key)}:${flags.get(key)!.fingerprint}\n`)
  hash.update(canonicalJson(metadata))
  return Object.freeze({
    revision: hash.digest('hex').slice(0, 32),
    metadata: Object.freeze({ ...metadata }),
    keys,
    get: (key: string) => flags.get(key),
  })
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined)
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value)
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child)
    Object.freeze(value)
  }
  return value
}
