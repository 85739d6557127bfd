// Schema-driven shaping before validation: types for environment values, then defaults.
import { KindGuard, type TSchema } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import type { PathSegment } from '../core/problems.js'
import { ConfigSchema } from './schema.js'

/**
 * A copy of `value` with every schema default filled in.
 *
 * Not TypeBox's Value.Default: it merges a default into a value of the wrong container kind
 * (`clients: {a: 1}` becomes an empty list that passes validation; value/default/default.mjs,
 * ValueOrDefault), and skips Record values whose schema has no default of its own, so
 * `providers.*` would miss their timeouts. Here a value that is present is never replaced; a
 * wrong kind is left for validation to report.
 */
export function withDefaults(value: unknown): unknown {
  return fill(ConfigSchema, Value.Clone(value))
}

function fill(schema: TSchema, value: unknown): unknown {
  const current = value === undefined && 'default' in schema ? Value.Clone(schema.default) : value
  if (KindGuard.IsObject(schema) && isMapping(current)) {
    for (const [key, property] of Object.entries(schema.properties)) {
      const filled = fill(property, current[key])
      if (filled !== undefined) current[key] = filled
    }
  } else if (KindGuard.IsRecord(schema) && isMapping(current)) {
    for (const [pattern, inner] of Object.entries(schema.patternProperties)) {
      const name = new RegExp(pattern)
      for (const key of Object.keys(current)) if (name.test(key)) current[key] = fill(inner, current[key])
    }
  } else if (KindGuard.IsArray(schema) && Array.isArray(current)) {
    current.forEach((item, i) => (current[i] = fill(schema.items, item)))
  }
  return current
}

const isMapping = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

/**
 * Environment variables are strings; where a value was exactly one reference (`port: ${PORT}`),
 * give it the type the schema expects there. Everything else keeps the type YAML gave it.
 */
export function typeEnvValues(value: unknown, wholeRefs: readonly PathSegment[][]): unknown {
  if (wholeRefs.length === 0) return value
  const converted = Value.Convert(ConfigSchema, Value.Clone(value))
  for (const path of wholeRefs) {
    // Only scalars: a string is never turned into a list or mapping.
    const typed = getAt(converted, path)
    if (typeof typed === 'number' || typeof typed === 'boolean') setAt(value, path, typed)
  }
  return value
}

type Container = Record<PathSegment, unknown>

function getAt(root: unknown, path: readonly PathSegment[]): unknown {
  return path.reduce<unknown>((node, segment) => (node as Container | undefined)?.[segment], root)
}

function setAt(root: unknown, path: readonly PathSegment[], replacement: unknown): void {
  const parent = getAt(root, path.slice(0, -1)) as Container
  const last = path.at(-1)
  if (last !== undefined) parent[last] = replacement
}
