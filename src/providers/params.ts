// Forcing an experiment variant's sampling params into a native JSON body (Dialect.withParams),
// shared by the adapters: `temperature` and `topP` replace what the client sent, `maxTokens` caps
// it (and is used when the client sent none), like the unified translators do (unified/translators.ts).
import type { NativeRequest, RequestParams } from '../core/wire.js'
import { type JsonObject, isObject, parseJsonObject, tokenCount } from './request.js'

/**
 * A param's field names in one dialect, the canonical one first. Every name the client sent is
 * overwritten (or capped), so a body never ends up with two spellings of one field; when the
 * client sent none, the first name is set.
 */
export type FieldNames = readonly [string, ...string[]]

export interface ParamFields {
  readonly temperature: FieldNames
  readonly topP: FieldNames
  readonly maxTokens: FieldNames
}

/** `null` is how JSON clients spell "not set"; the providers read it as absent. */
function sent(target: JsonObject, name: string): boolean {
  return target[name] !== undefined && target[name] !== null
}

function namesToWrite(target: JsonObject, names: FieldNames): readonly string[] {
  const present = names.filter((name) => sent(target, name))
  return present.length === 0 ? [names[0]] : present
}

/** The client's token limit capped at `cap`; a value that is not a token count is replaced. */
function capped(value: unknown, cap: number): number {
  const asked = tokenCount(value)
  return asked === undefined ? cap : Math.min(asked, cap)
}

/** Writes `params` into `target` in place under `fields`' names; undefined params are left alone. */
export function applyParams(target: JsonObject, params: RequestParams, fields: ParamFields): void {
  const { temperature, topP, maxTokens } = params
  if (temperature !== undefined) for (const name of namesToWrite(target, fields.temperature)) target[name] = temperature
  if (topP !== undefined) for (const name of namesToWrite(target, fields.topP)) target[name] = topP
  if (maxTokens !== undefined) for (const name of namesToWrite(target, fields.maxTokens)) target[name] = capped(target[name], maxTokens)
}

/**
 * The object at one of `names` in `body` (created under the first name when the client sent
 * none); undefined when the client sent something there that is not an object.
 */
export function nestedObject(body: JsonObject, names: FieldNames): JsonObject | undefined {
  const name = names.find((candidate) => sent(body, candidate))
  if (name === undefined) {
    const created: JsonObject = {}
    body[names[0]] = created
    return created
  }
  const value = body[name]
  return isObject(value) ? value : undefined
}

/**
 * The request with `params` written into its JSON object body by `apply` and the body
 * re-serialised; everything else (method, path, query, headers) is kept, content-length is set
 * from the body when it is forwarded. Undefined when the body is not a JSON object or `apply`
 * finds no place for the params (answers false).
 */
export function withBodyParams(request: NativeRequest, apply: (body: JsonObject) => boolean): NativeRequest | undefined {
  const json = parseJsonObject(request.body)
  if (json === undefined || !apply(json)) return undefined
  return { ...request, body: Buffer.from(JSON.stringify(json)) }
}

/** `withBodyParams` for a dialect whose params sit at the top of the body (OpenAI, Llama). */
export function withTopLevelParams(request: NativeRequest, params: RequestParams, fields: ParamFields): NativeRequest | undefined {
  return withBodyParams(request, (json) => {
    applyParams(json, params, fields)
    return true
  })
}

/** `withBodyParams` for a dialect whose params sit in one object of the body (Gemini, Bedrock Converse). */
export function withNestedParams(
  request: NativeRequest,
  params: RequestParams,
  container: FieldNames,
  fields: ParamFields,
): NativeRequest | undefined {
  return withBodyParams(request, (json) => {
    const target = nestedObject(json, container)
    if (target === undefined) return false
    applyParams(target, params, fields)
    return true
  })
}
