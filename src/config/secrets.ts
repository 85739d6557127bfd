// The schema's secret marks (core/secret.ts), walked: the list of secret paths, and a
// config value — or a problem's `got` — with every marked value redacted. GET /v1/config, the
// logger's redact paths and the loader's problems all derive from here, so marking a field in the
// schema is the one step that keeps it out of every output, and no key name is ever guessed at.
import { KindGuard, Type, type TSchema } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import type { ConfigProblem, PathSegment } from '../core/problems.js'
import { REDACTED, redactUserinfo, Secret, secretMark, type SecretMark } from '../core/secret.js'
import { ConfigSchema } from './schema.js'

/** In a secret path, `*` stands for any key of a mapping and `[]` for any item of a list. */
export const ANY_KEY = '*'
export const ANY_ITEM = '[]'

export interface SecretPath {
  readonly segments: readonly string[]
  readonly mark: SecretMark
}

/** Every marked field under `schema`, e.g. `providers.*.apiKey` or `clients[].credentials.apiKey`. */
export function secretPaths(schema: TSchema = ConfigSchema): SecretPath[] {
  const found = new Map<string, SecretPath>()
  const collect = (node: TSchema, at: string[]): void => {
    const mark = secretMark(node)
    if (mark !== undefined) found.set(formatSecretPath(at), { segments: at, mark })
    else for (const [segment, child] of children(node)) collect(child, segment === undefined ? at : [...at, segment])
  }
  collect(schema, [])
  return [...found.values()]
}

export function formatSecretPath(segments: readonly string[]): string {
  return segments.reduce((out, s) => (s === ANY_ITEM ? `${out}[]` : out === '' ? s : `${out}.${s}`), '')
}

/**
 * `value` with every secret `schema` marks replaced by `<redacted>` (a URL's userinfo only, for
 * `userinfo`). Below keys the schema does not know, and in values of the wrong kind, every string
 * is redacted too wherever a secret may live: a misspelt `apikey` or a string in place of
 * `credentials` is as likely a secret as not.
 */
export function redactBySchema(schema: TSchema, value: unknown): unknown {
  const mark = secretMark(schema)
  if (mark === 'value') return REDACTED
  if (mark === 'userinfo') return typeof value === 'string' ? redactUserinfo(value) : masked(value)
  if (!holdsSecrets(schema)) return value
  if (KindGuard.IsUnion(schema)) {
    const variant = schema.anyOf.find((v) => Value.Check(v, value))
    return variant === undefined ? masked(value) : redactBySchema(variant, value)
  }
  if (KindGuard.IsObject(schema) && isMapping(value)) {
    return mapValues(value, (key, v) => {
      const property = schema.properties[key]
      return property === undefined ? masked(v) : redactBySchema(property, v)
    })
  }
  if (KindGuard.IsRecord(schema) && isMapping(value)) {
    const inner = recordValues(schema)
    return mapValues(value, (_key, v) => redactBySchema(inner, v))
  }
  if (KindGuard.IsArray(schema) && Array.isArray(value)) return value.map((item) => redactBySchema(schema.items, item))
  return masked(value)
}

/**
 * The config schema as redaction reads it: each of `environments` is a partial config (an
 * overlay), not the opaque mapping the loader validates it as.
 */
const REDACTION_SCHEMA = Type.Object(
  { ...ConfigSchema.properties, environments: Type.Record(Type.String(), ConfigSchema) },
  { additionalProperties: false },
)

/** A config (or overlay-bearing document) with every secret redacted: what GET /v1/config serves. */
export function redactConfig(config: unknown): unknown {
  return redactBySchema(REDACTION_SCHEMA, config)
}

/** A problem whose `got` shows no secret, judged by the schema at its path. */
export function redactProblem(problem: ConfigProblem): ConfigProblem {
  if (problem.got === undefined) return problem
  const segments = parsePath(problem.path)
  const schema = segments === undefined ? SECRET : schemaAt(segments)
  return { ...problem, got: redactBySchema(schema, problem.got) }
}

const SECRET = Secret(Type.Unknown())
const SHOWN = Type.Unknown()

/** The schema at a config path; a key it does not know is secret where a secret may live. */
function schemaAt(segments: readonly PathSegment[]): TSchema {
  let schema: TSchema = REDACTION_SCHEMA
  for (const segment of segments) {
    const next = childAt(schema, segment)
    if (next === undefined) return holdsSecrets(schema) ? SECRET : SHOWN
    schema = next
  }
  return schema
}

function childAt(schema: TSchema, segment: PathSegment): TSchema | undefined {
  if (KindGuard.IsUnion(schema)) {
    const found = schema.anyOf.map((v) => childAt(v, segment)).filter((c) => c !== undefined)
    return found.find(holdsSecrets) ?? found[0]
  }
  if (KindGuard.IsObject(schema)) return typeof segment === 'string' ? schema.properties[segment] : undefined
  if (KindGuard.IsRecord(schema)) return recordValues(schema)
  if (KindGuard.IsArray(schema)) return typeof segment === 'number' ? schema.items : undefined
  return undefined
}

/** The segments of a path as core/problems.ts `formatPath` writes it; undefined if it is not one. */
export function parsePath(path: string): PathSegment[] | undefined {
  if (path === '(root)') return []
  const token = /\.?([A-Za-z_$][A-Za-z0-9_$-]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/y
  const segments: PathSegment[] = []
  while (token.lastIndex < path.length) {
    const m = token.exec(path)
    if (m === null) return undefined
    segments.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : (JSON.parse(m[3]!) as string)))
  }
  return segments
}

/** A union is walked through each of its variants (segment `undefined`: the same place). */
function children(schema: TSchema): Array<[string | undefined, TSchema]> {
  if (KindGuard.IsUnion(schema)) return schema.anyOf.map((v) => [undefined, v])
  if (KindGuard.IsObject(schema)) return Object.entries(schema.properties)
  if (KindGuard.IsRecord(schema)) return [[ANY_KEY, recordValues(schema)]]
  if (KindGuard.IsArray(schema)) return [[ANY_ITEM, schema.items]]
  return []
}

const holds = new WeakMap<TSchema, boolean>()

function holdsSecrets(schema: TSchema): boolean {
  let known = holds.get(schema)
  if (known === undefined) {
    known = secretMark(schema) !== undefined || children(schema).some(([, child]) => holdsSecrets(child))
    holds.set(schema, known)
  }
  return known
}

function recordValues(schema: TSchema): TSchema {
  return (Object.values(schema['patternProperties'] as Record<string, TSchema>)[0] ?? SHOWN)
}

/** In a secret's place, every string may be one (`credentials: "sk-…"`); the shape, numbers and booleans are kept. */
function masked(value: unknown): unknown {
  if (typeof value === 'string') return REDACTED
  if (Array.isArray(value)) return value.map(masked)
  return isMapping(value) ? mapValues(value, (_key, v) => masked(v)) : value
}

const isMapping = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

const mapValues = (value: Record<string, unknown>, fn: (key: string, v: unknown) => unknown): Record<string, unknown> =>
  Object.fromEntries(Object.entries(value).map(([key, v]) => [key, fn(key, v)]))
