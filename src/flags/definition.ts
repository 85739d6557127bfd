// Shape checks for flagd flag definitions (https://flagd.dev/schema/v0/flags.json). Stricter than
// the schema in two ways, both so a typo is a load problem instead of a silently ignored field:
// unknown keys are rejected everywhere (STYLE.md, Config), and `variants` is required with at
// least one entry. Targeting that flagd loads and answers at evaluation time loads here with a
// warning (rules.ts).
import { isMapping, unknownKeys, type PathSegment, type Problem } from './problems.js'
import { resolveEvaluators, resolveRule, unknownVariantResults, type Findings, type RefLookup } from './rules.js'
import type { FlagDefinition, FlagMetadata, FlagType, FlagValue, JsonObject } from './types.js'

const FLAG_KEYS = ['state', 'variants', 'defaultVariant', 'targeting', 'metadata'] as const
const DOCUMENT_KEYS = ['$schema', 'flags', '$evaluators', 'metadata'] as const

export interface CheckedFlag {
  /** A detached copy with `$ref`s resolved: safe to freeze and to show through the admin API. */
  definition: FlagDefinition
  type: FlagType
  warnings: Problem[]
  /**
   * Set when the targeting still holds a `$ref` to a missing `$evaluators` entry: flagd loads the
   * flag and answers every evaluation with ERROR/PARSE_ERROR, and so does Sluice.
   */
  parseError?: string
}

export type FlagCheck = { ok: true; flag: CheckedFlag } | { ok: false; problems: Problem[] }

function valueType(value: unknown): FlagType | undefined {
  if (typeof value === 'boolean') return 'boolean'
  if (typeof value === 'string') return 'string'
  if (typeof value === 'number') return Number.isFinite(value) ? 'number' : undefined
  return isMapping(value) && isJson(value) ? 'object' : undefined
}

function isJson(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true
  if (typeof value === 'number') return Number.isFinite(value)
  if (Array.isArray(value)) return value.every(isJson)
  return isMapping(value) && Object.getPrototypeOf(value) === Object.prototype && Object.values(value).every(isJson)
}

function metadataProblems(metadata: unknown, at: PathSegment[]): Problem[] {
  if (!isMapping(metadata)) return [{ at, problem: 'must be a mapping of name to string, number or boolean', got: metadata }]
  return Object.entries(metadata)
    .filter(([, v]) => !['string', 'number', 'boolean'].includes(typeof v))
    .map(([name, v]) => ({ at: [...at, name], problem: 'must be a string, number or boolean', got: v }))
}

/** Checks one definition at `flags.<key>`; its targeting's `$ref`s resolve through `lookup`. */
export function checkFlagDefinition(key: string, def: unknown, lookup: RefLookup): FlagCheck {
  const at: PathSegment[] = ['flags', key]
  if (key === '') return { ok: false, problems: [{ at, problem: 'a flag key must not be empty' }] }
  if (!isMapping(def)) return { ok: false, problems: [{ at, problem: 'must be a mapping with state and variants', got: def }] }
  const problems = unknownKeys(def, FLAG_KEYS, at)
  if (def.state !== 'ENABLED' && def.state !== 'DISABLED') {
    problems.push({ at: [...at, 'state'], problem: 'must be ENABLED or DISABLED', got: def.state })
  }
  const variants = def.variants
  let type: FlagType | undefined
  if (!isMapping(variants) || Object.keys(variants).length === 0) {
    problems.push({ at: [...at, 'variants'], problem: 'must be a mapping of at least one variant name to its value', got: variants })
  } else {
    let first: string | undefined
    for (const [name, value] of Object.entries(variants)) {
      const here = [...at, 'variants', name]
      const t = valueType(value)
      if (name === '') problems.push({ at: here, problem: 'a variant name must not be empty' })
      if (t === undefined) problems.push({ at: here, problem: 'must be a boolean, string, finite number or mapping', got: value })
      else if (type === undefined) [type, first] = [t, name]
      else if (t !== type) {
        problems.push({ at: here, problem: `is a ${t}, but variant "${first}" is a ${type}; all variants of a flag have one type`, got: value })
      }
    }
  }
  const defaultVariant = def.defaultVariant
  if (defaultVariant !== undefined && defaultVariant !== null) {
    if (typeof defaultVariant !== 'string') {
      problems.push({ at: [...at, 'defaultVariant'], problem: 'must be a variant name or null', got: defaultVariant })
    } else if (isMapping(variants) && !Object.hasOwn(variants, defaultVariant)) {
      const names = Object.keys(variants).join(', ')
      problems.push({ at: [...at, 'defaultVariant'], problem: `names no variant (variants: ${names})`, got: defaultVariant })
    }
  }
  if (def.metadata !== undefined) problems.push(...metadataProblems(def.metadata, [...at, 'metadata']))
  let targeting: unknown
  const found: Findings = { problems, warnings: [], missing: [] }
  if (def.targeting !== undefined) {
    if (!isMapping(def.targeting)) {
      problems.push({ at: [...at, 'targeting'], problem: 'must be a JsonLogic rule (a mapping)', got: def.targeting })
    } else targeting = resolveRule(def.targeting, [...at, 'targeting'], lookup, found)
  }
  if (problems.length > 0 || type === undefined) return { ok: false, problems }

  const definition: FlagDefinition = {
    state: def.state as FlagDefinition['state'],
    variants: structuredClone(variants) as Record<string, FlagValue>,
  }
  if (defaultVariant !== undefined) definition.defaultVariant = defaultVariant as string | null
  if (isMapping(targeting) && Object.keys(targeting).length > 0) definition.targeting = structuredClone(targeting) as JsonObject
  if (def.metadata !== undefined) definition.metadata = { ...(def.metadata as FlagMetadata) }
  const { warnings } = found
  if (found.missing.length > 0) {
    const names = [...new Set(found.missing)].map((name) => JSON.stringify(name)).join(', ')
    const parseError = `Invalid targeting configuration for flag '${key}': $ref to no $evaluators entry (${names})`
    return { ok: true, flag: { definition, type, warnings, parseError } }
  }
  if (definition.targeting) {
    warnings.push(...unknownVariantResults(definition.targeting, [...at, 'targeting'], new Set(Object.keys(definition.variants))))
  }
  return { ok: true, flag: { definition, type, warnings } }
}

export interface CheckedDocument {
  flags: Array<[key: string, definition: CheckedFlag]>
  metadata: FlagMetadata
  problems: Problem[]
  warnings: Problem[]
}

/** Checks a whole flagd document: top-level keys, `$evaluators`, then every flag. */
export function checkDocument(document: unknown): CheckedDocument {
  const result: CheckedDocument = { flags: [], metadata: {}, problems: [], warnings: [] }
  const { problems } = result
  if (!isMapping(document)) {
    problems.push({ at: [], problem: 'must be a mapping with a `flags` mapping', got: document })
    return result
  }
  problems.push(...unknownKeys(document, DOCUMENT_KEYS, []))
  if (document.$schema !== undefined && typeof document.$schema !== 'string') {
    problems.push({ at: ['$schema'], problem: 'must be a string', got: document.$schema })
  }
  if (document.metadata !== undefined) {
    const found = metadataProblems(document.metadata, ['metadata'])
    if (found.length === 0) result.metadata = { ...(document.metadata as FlagMetadata) }
    problems.push(...found)
  }
  const evaluators = document.$evaluators ?? {}
  if (!isMapping(evaluators)) {
    problems.push({ at: ['$evaluators'], problem: 'must be a mapping of name to JsonLogic rule', got: evaluators })
  }
  const lookup = resolveEvaluators(isMapping(evaluators) ? evaluators : {}, result)
  if (!isMapping(document.flags)) {
    problems.push({ at: ['flags'], problem: 'must be a mapping of flag key to definition', got: document.flags })
    return result
  }
  for (const [key, def] of Object.entries(document.flags)) {
    const check = checkFlagDefinition(key, def, lookup)
    if (check.ok) {
      result.flags.push([key, check.flag])
      result.warnings.push(...check.flag.warnings)
    } else problems.push(...check.problems)
  }
  return result
}
