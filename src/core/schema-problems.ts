// Turns TypeBox's validation errors into human problems: every error, not just the first, with
// paths in config notation and messages that say what is expected.
import { KindGuard, type TSchema } from '@sinclair/typebox'
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors'
import { Value } from '@sinclair/typebox/value'
import { formatProblem, problemAt, type ConfigProblem, type PathSegment } from './problems.js'

export function schemaProblems(schema: TSchema, value: unknown, prefix: readonly PathSegment[] = []): ConfigProblem[] {
  const errors = [...Value.Errors(schema, value)]
  // A missing required key also yields a type error for `undefined` at the same path: drop it.
  const missing = new Set(errors.filter((e) => e.type === ValueErrorType.ObjectRequiredProperty).map((e) => e.path))
  const seen = new Set<string>()
  const problems: ConfigProblem[] = []
  for (const error of errors) {
    if (error.type !== ValueErrorType.ObjectRequiredProperty && missing.has(error.path)) continue
    for (const problem of translate(error, value, prefix)) {
      const line = formatProblem(problem)
      if (seen.has(line)) continue
      seen.add(line)
      problems.push(problem)
    }
  }
  return problems
}

function translate(error: ValueError, root: unknown, prefix: readonly PathSegment[]): ConfigProblem[] {
  const segments = pointerSegments(error.path, root)
  const at = (problem: string): ConfigProblem[] => [problemAt([...prefix, ...segments], problem, error.value)]
  // Missing keys have nothing to show; misspelt ones are often secrets under a name we don't know.
  const bare = (problem: string): ConfigProblem[] => [problemAt([...prefix, ...segments], problem)]
  const { schema } = error
  switch (error.type) {
    case ValueErrorType.ObjectRequiredProperty:
      return bare('is required')
    case ValueErrorType.ObjectAdditionalProperties:
      return KindGuard.IsRecord(schema) ? badNames(schema, root, segments, prefix) : bare(unknownKey(schema, segments))
    case ValueErrorType.Object:
      return at('must be a mapping')
    case ValueErrorType.Array:
      return at('must be a list')
    case ValueErrorType.String:
      return at('must be a string')
    case ValueErrorType.Integer:
      return at('must be an integer')
    case ValueErrorType.Number:
      return at('must be a number')
    case ValueErrorType.Boolean:
      return at('must be true or false')
    case ValueErrorType.IntegerMinimum:
    case ValueErrorType.NumberMinimum:
      return at(`must be at least ${String(schema['minimum'])}`)
    case ValueErrorType.IntegerMaximum:
    case ValueErrorType.NumberMaximum:
      return at(`must be at most ${String(schema['maximum'])}`)
    case ValueErrorType.StringMinLength:
      return at(schema['minLength'] === 1 ? 'must not be empty' : `must be at least ${String(schema['minLength'])} characters`)
    case ValueErrorType.StringMaxLength:
      return at(`must be at most ${String(schema['maxLength'])} characters`)
    case ValueErrorType.StringPattern:
      return at(typeof schema['patternErrorMessage'] === 'string' ? schema['patternErrorMessage'] : `must match ${String(schema['pattern'])}`)
    case ValueErrorType.Union:
      return at(describeUnion(schema))
    case ValueErrorType.Literal:
      return at(`must be ${JSON.stringify(schema['const'])}`)
    default:
      return at(error.message.replace(/^Expected/, 'expected'))
  }
}

/** JSON pointer → segments; a segment is a number only where the value there is a list. */
function pointerSegments(pointer: string, root: unknown): PathSegment[] {
  const segments: PathSegment[] = []
  let node = root
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    const segment = Array.isArray(node) && /^\d+$/.test(key) ? Number(key) : key
    segments.push(segment)
    node = node !== null && typeof node === 'object' ? (node as Record<PathSegment, unknown>)[segment] : undefined
  }
  return segments
}

/** TypeBox stops at the first key a Record rejects; report every one. */
function badNames(schema: TSchema, root: unknown, segments: PathSegment[], prefix: readonly PathSegment[]): ConfigProblem[] {
  const parent = segments.slice(0, -1)
  const container = parent.reduce<unknown>((node, s) => (node as Record<PathSegment, unknown>)[s], root)
  const pattern = Object.keys(schema['patternProperties'] as object)[0] ?? ''
  const regex = new RegExp(pattern)
  return Object.keys(container as object)
    .filter((key) => !regex.test(key))
    .map((key) => problemAt([...prefix, ...parent, key], `is not a valid name (must match ${pattern})`))
}

function unknownKey(schema: TSchema, segments: PathSegment[]): string {
  const key = String(segments.at(-1))
  const known = Object.keys((schema['properties'] as object | undefined) ?? {})
  const near = known.find((k) => k.toLowerCase() === key.toLowerCase()) ?? known.find((k) => editDistance(k, key) <= (key.length >= 4 ? 2 : 1))
  return near === undefined ? 'unknown key' : `unknown key, did you mean ${near}?`
}

function describeUnion(schema: TSchema): string {
  const variants = (schema['anyOf'] as TSchema[] | undefined) ?? []
  if (variants.every((v) => 'const' in v)) return `must be one of ${variants.map((v) => String(v['const'])).join(', ')}`
  const kinds = variants.map((v) => {
    const type = String(v['type'])
    return `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`
  })
  return `must be ${kinds.slice(0, -1).join(', ')}${kinds.length > 1 ? ' or ' : ''}${kinds.at(-1) ?? ''}`
}

/** Levenshtein distance, for "did you mean" on misspelt keys. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution)
    }
    previous = current
  }
  return previous[b.length] ?? 0
}
