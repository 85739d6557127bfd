// Input checks shared by every engine, so all of them refuse the same garbage. Each parser takes
// `unknown` (admin API bodies arrive as parsed JSON, not trusted types) and returns a typed copy.
// The same parsers decode stored values on read, where a failure means `corrupt`, not bad input.
import { StateError } from './errors.js'
import {
  killScopes,
  type Attribution,
  type FlagOverrideInput,
  type JsonObject,
  type JsonValue,
  type KillScope,
  type KillSwitchInput,
} from '../core/store.js'

export const maxReasonLength = 1000
const maxNameLength = 256
// Deeper than any flag definition needs, shallow enough to never overflow the stack.
const maxJsonDepth = 64
export const defaultAuditLimit = 100
export const maxAuditLimit = 1000

function invalid(message: string): StateError {
  return new StateError('invalid_input', message)
}

function fieldOf(value: unknown, name: string): unknown {
  if (typeof value !== 'object' || value === null) throw invalid(`expected an object with ${name}`)
  return (value as Record<string, unknown>)[name]
}

export function text(value: unknown, name: string, options: { max?: number; empty?: boolean } = {}): string {
  const max = options.max ?? maxNameLength
  if (typeof value !== 'string') throw invalid(`${name} must be a string`)
  if (!options.empty && value.trim() === '') throw invalid(`${name} must not be empty`)
  if (value.length > max) throw invalid(`${name} must be at most ${max} characters (got ${value.length})`)
  return value
}

/** Normalised to `Date#toISOString` form, so string order is time order in every engine. */
export function isoTime(value: unknown, name: string): string {
  const time = typeof value === 'string' ? Date.parse(value) : Number.NaN
  if (Number.isNaN(time)) throw invalid(`${name} must be an ISO-8601 timestamp`)
  return new Date(time).toISOString()
}

function checkJson(value: unknown, path: string, ancestors: object[]): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw invalid(`${path} is not a finite number`)
    return
  }
  if (typeof value !== 'object') throw invalid(`${path} is not JSON (got ${typeof value})`)
  if (ancestors.includes(value)) throw invalid(`${path} is circular`)
  if (ancestors.length >= maxJsonDepth) throw invalid(`${path} nests deeper than ${maxJsonDepth}`)
  const inner = [...ancestors, value]
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) checkJson(value[i], `${path}[${i}]`, inner)
    return
  }
  const proto: unknown = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) throw invalid(`${path} is not a plain object`)
  for (const [key, item] of Object.entries(value)) checkJson(item, `${path}.${key}`, inner)
}

/** A deep copy, so later changes to the caller's object cannot reach the store. */
export function jsonValue(value: unknown, name: string): JsonValue {
  checkJson(value, name, [])
  return JSON.parse(JSON.stringify(value)) as JsonValue
}

export function jsonObject(value: unknown, name: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(`${name} must be a JSON object`)
  return jsonValue(value, name) as JsonObject
}

export function killScope(value: unknown): KillScope {
  const scope = killScopes.find((s) => s === value)
  if (scope === undefined) throw invalid(`scope must be one of ${killScopes.join(', ')}`)
  return scope
}

export function killTarget(scope: KillScope, value: unknown): string {
  const target = text(value, 'target')
  if (scope === 'global' && target !== '*') throw invalid('target of a global kill switch must be "*"')
  return target
}

export function attribution(value: unknown): Attribution {
  return {
    actor: text(fieldOf(value, 'actor'), 'actor'),
    reason: text(fieldOf(value, 'reason'), 'reason', { max: maxReasonLength, empty: true }),
  }
}

export function overrideInput(value: unknown): FlagOverrideInput {
  return {
    key: text(fieldOf(value, 'key'), 'key'),
    definition: jsonObject(fieldOf(value, 'definition'), 'definition'),
    ...attribution(value),
  }
}

export function killSwitchInput(value: unknown): KillSwitchInput {
  const scope = killScope(fieldOf(value, 'scope'))
  // docs/admin-api.md: a switch is set "with a reason"; an empty one helps nobody during an incident.
  const reason = text(fieldOf(value, 'reason'), 'reason', { max: maxReasonLength })
  return { scope, target: killTarget(scope, fieldOf(value, 'target')), reason, actor: text(fieldOf(value, 'actor'), 'actor') }
}

/** Lower-case words joined by `-`, so namespaces are safe as Redis key segments and SQL values. */
export function namespaceName(value: unknown): string {
  const name = text(value, 'namespace', { max: 64 })
  if (!/^[a-z][a-z0-9-]*$/.test(name)) throw invalid('namespace must match ^[a-z][a-z0-9-]*$')
  return name
}

export function auditLimit(value: unknown): number {
  if (value === undefined) return defaultAuditLimit
  if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > maxAuditLimit) {
    throw invalid(`limit must be an integer from 1 to ${maxAuditLimit}`)
  }
  return value as number
}

/** Runs a parser over stored data; a failure there is corruption, not the caller's fault. */
export function decodeStored<T>(parse: () => T, what: string): T {
  try {
    return parse()
  } catch (err) {
    if (!(err instanceof StateError) || err.code !== 'invalid_input') throw err
    throw new StateError('corrupt', `stored ${what} is malformed: ${err.message}`, { cause: err })
  }
}
