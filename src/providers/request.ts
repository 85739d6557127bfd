// Reading a native request, shared by the adapters: one JSON.parse per body, token counts, the
// Bearer scheme, and the Recognition values every adapter answers with.
import type { NativeRequest, Operation, PresentedCredential, Recognition, StreamFormat } from '../core/wire.js'
import { BACKSLASH, CLOSE_BRACE, CLOSE_BRACKET, OPEN_BRACE, OPEN_BRACKET, QUOTE } from './streams/json-bytes.js'

export type JsonObject = Record<string, unknown>

/**
 * How deeply a client's JSON may nest (objects and arrays), in its body and in the JSON strings a
 * unified request carries (tool arguments, tool results). Real requests — tool schemas included —
 * stay far below it; past it a value could exhaust the stack when Sluice serialises it again
 * (a model rewrite on a fallback, a translation), so such a request is refused before anything
 * is forwarded (400 SLUICE_ERR_REQUEST_TOO_DEEP).
 */
export const MAX_JSON_DEPTH = 128


/**
 * True when `text` (JSON or not) opens more than `limit` objects/arrays inside each other outside
 * strings. One pass over the bytes, no allocation, stops at the first level past the limit.
 */
export function jsonTooDeep(text: Buffer | string, limit = MAX_JSON_DEPTH): boolean {
  const isString = typeof text === 'string'
  const length = text.length
  let depth = 0
  let inString = false
  for (let i = 0; i < length; i++) {
    const c = isString ? text.charCodeAt(i) : text[i]!
    if (inString) {
      if (c === BACKSLASH) i++
      else if (c === QUOTE) inString = false
    } else if (c === QUOTE) inString = true
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > limit) return true
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--
  }
  return false
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The body as a JSON object, parsed once; undefined when it is empty, not JSON or not an object. */
export function parseJsonObject(body: Buffer): JsonObject | undefined {
  if (body.length === 0) return undefined
  try {
    const value: unknown = JSON.parse(body.toString('utf8'))
    return isObject(value) ? value : undefined
  } catch {
    return undefined
  }
}

/**
 * An upstream's JSON object, refused (undefined) past MAX_JSON_DEPTH like a client's: a value
 * Sluice re-serialises (a unified translation) must not be able to exhaust the stack.
 */
export function parseBoundedJsonObject(body: Buffer): JsonObject | undefined {
  return jsonTooDeep(body) ? undefined : parseJsonObject(body)
}

/**
 * A token count as a provider states it: a non-negative number no larger than 2^53 − 1, else
 * undefined. The bound keeps sums of counts (cached into input, thoughts into output) finite, so a
 * hostile or broken upstream cannot make a metric or a cost Infinity.
 */
export function tokenCount(value: unknown): number | undefined {
  return typeof value === 'number' && value >= 0 && value <= Number.MAX_SAFE_INTEGER ? value : undefined
}

export function recognised(
  name: string,
  model: string,
  stream: boolean,
  streamFormat: StreamFormat,
  maxTokens: number | undefined,
  body?: JsonObject,
): Recognition {
  const operation: { -readonly [K in keyof Operation]: Operation[K] } = { name, model, stream, streamFormat }
  if (maxTokens !== undefined) operation.maxTokens = maxTokens
  if (body !== undefined) operation.body = body
  return { ok: true, operation }
}

/** A read (a model list or lookup): no body to read, no stream, nothing billed. */
export function recognisedRead(name: string, model: string): Recognition {
  return { ok: true, operation: { name, model, stream: false, streamFormat: 'none', read: true } }
}

export function unsupported(method: string, path: string): Recognition {
  return { ok: false, code: 'SLUICE_ERR_OPERATION_UNSUPPORTED', detail: `${method} ${path}` }
}

export const MALFORMED_BODY: Recognition = {
  ok: false,
  code: 'SLUICE_ERR_REQUEST_MALFORMED',
  detail: 'The body must be a JSON object.',
}

export function modelInvalid(detail: string): Recognition {
  return { ok: false, code: 'SLUICE_ERR_MODEL_INVALID', detail }
}

/** Percent-decodes a model id from a path segment; undefined when the encoding is broken. */
export function decodeModel(raw: string): string | undefined {
  if (raw.indexOf('%') === -1) return raw
  try {
    return decodeURIComponent(raw)
  } catch {
    return undefined
  }
}

/** A JSON body with its `model` field replaced (the OpenAI and Llama dialects name the model there). */
export function withBodyModel(request: NativeRequest, model: string): NativeRequest | undefined {
  const json = parseJsonObject(request.body)
  if (json === undefined) return undefined
  json.model = model
  return { ...request, body: Buffer.from(JSON.stringify(json)) }
}

const NO_CREDENTIAL: PresentedCredential = { kind: 'none' }

/** `Authorization: Bearer <token>` (scheme case-insensitive, RFC 6750 §2.1). */
export function bearerCredential(authorization: string | undefined): PresentedCredential {
  if (authorization === undefined) return NO_CREDENTIAL
  if (authorization.length < 7 || authorization.slice(0, 7).toLowerCase() !== 'bearer ') {
    return { kind: 'malformed', detail: 'The Authorization header is not a Bearer token.' }
  }
  const key = authorization.slice(7).trim()
  return key === '' ? { kind: 'malformed', detail: 'The Bearer token is empty.' } : { kind: 'key', key }
}

/** The key from the first header or query value that carries one. */
export function keyCredential(key: string | undefined): PresentedCredential {
  if (key === undefined) return NO_CREDENTIAL
  return key === '' ? { kind: 'malformed', detail: 'The API key is empty.' } : { kind: 'key', key }
}
