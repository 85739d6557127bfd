// Shapes shared by the flag engine (docs/flags.md). Definitions follow the flagd flag-definition schema
// (https://flagd.dev/reference/flag-definitions/); results follow OpenFeature's resolution details
// (https://openfeature.dev/specification/types#resolution-details), which OFREP serves as-is.

export type JsonPrimitive = string | number | boolean | null
export type JsonValue = JsonPrimitive | readonly JsonValue[] | JsonObject
export interface JsonObject {
  readonly [key: string]: JsonValue
}

/** A variant's value. flagd allows one type per flag; arrays and null are not variant values. */
export type FlagValue = boolean | string | number | JsonObject
export type FlagType = 'boolean' | 'string' | 'number' | 'object'
/** The value type `evaluate` returns for each requested FlagType. */
export interface FlagValueByType {
  boolean: boolean
  string: string
  number: number
  object: JsonObject
}
export type FlagMetadata = Readonly<Record<string, string | number | boolean>>

export interface FlagDefinition {
  state: 'ENABLED' | 'DISABLED'
  variants: Record<string, FlagValue>
  /** null or absent: no variant is served by default, so callers get their own code default. */
  defaultVariant?: string | null
  /** A JsonLogic rule (an object); `{}` means no targeting. */
  targeting?: JsonObject
  metadata?: FlagMetadata
}

export interface FlagDocument {
  $schema?: string
  flags: Record<string, FlagDefinition>
  /** Shared rules, referenced from targeting as `{ "$ref": "name" }`. */
  $evaluators?: Record<string, JsonObject>
  metadata?: FlagMetadata
}

export type EvaluationReason = 'STATIC' | 'TARGETING_MATCH' | 'DEFAULT' | 'DISABLED' | 'ERROR'
export type EvaluationErrorCode =
  | 'FLAG_NOT_FOUND'
  | 'PARSE_ERROR'
  | 'TYPE_MISMATCH'
  | 'TARGETING_KEY_MISSING'
  | 'INVALID_CONTEXT'
  | 'GENERAL'

/** Attributes of the subject being evaluated; `targetingKey` identifies it for `fractional`. */
export type EvaluationContext = Readonly<Record<string, unknown>>

export interface EvaluationResult<T = FlagValue> {
  readonly key: string
  readonly value: T
  readonly variant?: string
  readonly reason: EvaluationReason
  readonly errorCode?: EvaluationErrorCode
  readonly errorMessage?: string
  readonly flagMetadata: FlagMetadata
}

/** Every problem reads `source: path: problem (got value)`. */
export type FlagDocResult = { ok: true; document: FlagDocument } | { ok: false; problems: string[] }

export interface FlagSource {
  /** Names the document in problems: a file path as configured, or `inline` for config `flags:`. */
  source: string
  document: unknown
}
