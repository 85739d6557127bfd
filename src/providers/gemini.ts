// Google Gemini API (generativelanguage.googleapis.com): `POST /{version}/models/{model}:{method}`
// (generation, countTokens, embeddings), and the reads `GET /{version}/models[/{model}]`.
// streamGenerateContent answers SSE with `?alt=sse` and a streamed JSON array without it; every
// chunk may carry the running `usageMetadata`, so the last one wins. Errors use Google's
// `{"error":{"code","message","status","details"}}` shape (https://google.aip.dev/193).
import type { Recognition, RenderedError, StreamFormat, Usage } from '../core/wire.js'
import type { ProviderAdapter } from './adapter.js'
import type { ErrorKind, SluiceError } from '../core/errors.js'
import { sseErrorEvent } from './stream-errors.js'
import { headerValue } from './sigv4-header.js'
import { errorMessage } from './error-message.js'
import { MALFORMED_BODY, decodeModel, isObject, keyCredential, modelInvalid, parseJsonObject, recognised, recognisedRead, tokenCount, unsupported } from './request.js'
import { type FieldNames, type ParamFields, withNestedParams } from './params.js'
import { headerAuth } from './upstream-auth.js'
import { geminiContent } from './streams/content-probe.js'
import { NO_USAGE, count, jsonUsageReader, readableBody, streamedUsageReader, usageKey } from './usage.js'
import { createEventDecoder } from './streams/events.js'

const EMBED_METHODS = new Set(['embedContent', 'batchEmbedContents'])
const METHODS = new Set(['generateContent', 'streamGenerateContent', 'countTokens', ...EMBED_METHODS])
const COLLECTIONS = ['models/', 'tunedModels/'] as const
const USAGE_KEY = usageKey('usageMetadata')
/**
 * Where generateContent takes sampling params. Google's JSON mapping also accepts the proto field
 * names (`generation_config`, `top_p`, …), and a field sent under both spellings is an error, so
 * a snake_case spelling the client used is written to instead of adding the camelCase one.
 */
const GENERATION_CONFIG: FieldNames = ['generationConfig', 'generation_config']
const PARAM_FIELDS: ParamFields = {
  temperature: ['temperature'],
  topP: ['topP', 'top_p'],
  maxTokens: ['maxOutputTokens', 'max_output_tokens'],
}

/** A query parameter's decoded value (form encoding, as URLSearchParams reads it). */
function queryParam(query: string, name: string): string | undefined {
  if (query === '') return undefined
  for (const part of query.split('&')) {
    const eq = part.indexOf('=')
    if ((eq === -1 ? part : part.slice(0, eq)) !== name) continue
    const raw = eq === -1 ? '' : part.slice(eq + 1).replaceAll('+', ' ')
    try {
      return decodeURIComponent(raw)
    } catch {
      return raw
    }
  }
  return undefined
}

/**
 * `GET /{version}/models` or `/tunedModels` (`models.list`, no model; `pageSize` and `pageToken`
 * go upstream with the rest of the query) and `GET /{version}/models/{model}` (`models.get`).
 */
function recogniseRead(path: string, rest: string): Recognition {
  if (rest === 'models' || rest === 'tunedModels') return recognisedRead('models.list', '')
  const collection = COLLECTIONS.find((c) => rest.startsWith(c))
  const raw = collection === undefined ? '' : rest.slice(collection.length)
  if (raw === '' || raw.includes('/') || raw.includes(':')) return unsupported('GET', path)
  const decoded = decodeModel(raw)
  if (decoded === undefined) return modelInvalid(`The model id ${raw} is not valid percent-encoding.`)
  return recognisedRead('models.get', collection === 'models/' ? decoded : `tunedModels/${decoded}`)
}

function recognise(method: string, path: string, query: string, body: Buffer): Recognition {
  // /{version}/{collection}{model}:{method}; split with indexOf, never a backtracking regex.
  const versionEnd = path.indexOf('/', 1)
  if (method === 'GET' && versionEnd >= 2) return recogniseRead(path, path.slice(versionEnd + 1))
  if (method !== 'POST' || versionEnd < 2) return unsupported(method, path)
  const rest = path.slice(versionEnd + 1)
  const collection = COLLECTIONS.find((c) => rest.startsWith(c))
  const colon = rest.lastIndexOf(':')
  if (collection === undefined || colon <= collection.length) return unsupported(method, path)
  const name = rest.slice(colon + 1)
  const rawModel = rest.slice(collection.length, colon)
  if (!METHODS.has(name) || rawModel.includes('/')) return unsupported(method, path)
  const decoded = decodeModel(rawModel)
  if (decoded === undefined) return modelInvalid(`The model id ${rawModel} is not valid percent-encoding.`)
  const model = collection === 'models/' ? decoded : `tunedModels/${decoded}`
  if (name === 'countTokens') return recognised(name, model, false, 'none', undefined)
  const json = parseJsonObject(body)
  if (json === undefined) return MALFORMED_BODY
  // Embeddings: the Gemini API's answers carry vectors only, no usageMetadata, so their input is
  // estimated from the request like any answer without usage (docs/usage.md); they generate
  // nothing, so no output is reserved (maxTokens 0).
  if (EMBED_METHODS.has(name)) return recognised(name, model, false, 'none', 0)
  const config = isObject(json.generationConfig) ? json.generationConfig : undefined
  const maxTokens = tokenCount(config?.maxOutputTokens)
  if (name === 'generateContent') return recognised(name, model, false, 'none', maxTokens, json)
  const format: StreamFormat = queryParam(query, 'alt') === 'sse' ? 'sse' : 'json-array'
  return recognised(name, model, true, format, maxTokens, json)
}

/**
 * A `usageMetadata` object: `promptTokenCount` already includes cached tokens, tool-use prompt
 * tokens are input too, and thinking tokens are billed as output but reported apart from
 * `candidatesTokenCount`. The unified translator reads usage with this too.
 */
export function geminiUsage(value: unknown): Usage | undefined {
  if (!isObject(value)) return undefined
  const prompt = tokenCount(value.promptTokenCount)
  const candidates = tokenCount(value.candidatesTokenCount)
  if (prompt === undefined && candidates === undefined) return undefined
  const thoughts = count(value.thoughtsTokenCount)
  return {
    inputTokens: (prompt ?? 0) + count(value.toolUsePromptTokenCount),
    outputTokens: (candidates ?? 0) + thoughts,
    cachedTokens: count(value.cachedContentTokenCount),
    reasoningTokens: thoughts,
  }
}

// google.rpc.Code names (https://cloud.google.com/apis/design/errors#handling_errors). The HTTP
// status stays Sluice's own; 413 has no canonical code, INVALID_ARGUMENT is the nearest.
const STATUS_NAMES: Record<ErrorKind, string> = {
  invalid_request: 'INVALID_ARGUMENT',
  auth_missing: 'UNAUTHENTICATED',
  auth_invalid: 'PERMISSION_DENIED',
  forbidden: 'PERMISSION_DENIED',
  not_found: 'NOT_FOUND',
  too_large: 'INVALID_ARGUMENT',
  rate_limited: 'RESOURCE_EXHAUSTED',
  // What the Gemini API uses for billing preconditions; @google/genai never retries a 400.
  budget_exhausted: 'FAILED_PRECONDITION',
  unavailable: 'UNAVAILABLE',
  // google.rpc.Code: "the system is not in a state required for the operation … do not retry until
  // the system state has been explicitly fixed" — what a kill switch is.
  switched_off: 'FAILED_PRECONDITION',
  upstream: 'UNAVAILABLE',
  timeout: 'DEADLINE_EXCEEDED',
  internal: 'INTERNAL',
}

function renderError(error: SluiceError): RenderedError {
  // @google/genai retries 429 and 5xx once retryOptions are set; a spent budget and a switched-off
  // scope must fail once: 400, as FAILED_PRECONDITION is.
  const status = error.kind === 'budget_exhausted' || error.kind === 'switched_off' ? 400 : error.status
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=UTF-8' }
  const details: object[] = [
    {
      '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
      reason: error.code,
      domain: 'sluice',
      metadata: { requestId: error.requestId },
    },
  ]
  if (error.retryAfterSeconds !== undefined) {
    headers['retry-after'] = String(error.retryAfterSeconds)
    details.push({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${error.retryAfterSeconds}s` })
  }
  const body = JSON.stringify({
    error: {
      code: status,
      message: errorMessage(error),
      status: STATUS_NAMES[error.kind],
      details,
    },
  })
  return { status, headers, body }
}

export const gemini: ProviderAdapter = {
  type: 'gemini',
  defaultEndpoint: () => 'https://generativelanguage.googleapis.com',
  recognise: (request) => recognise(request.method, request.path, request.query, request.body),
  presentedCredential: (request) =>
    keyCredential(headerValue(request.headers['x-goog-api-key']) ?? queryParam(request.query, 'key')),
  clientAuthHeaders: ['x-goog-api-key'],
  clientAuthQuery: ['key'],
  createUpstreamAuth: (config) => headerAuth('x-goog-api-key', config.apiKey),
  createUsageReader(operation, status, headers) {
    if (!readableBody(status, headers) || operation.name === 'countTokens' || operation.read === true) return NO_USAGE
    if (operation.streamFormat === 'sse' || operation.streamFormat === 'json-array') {
      return streamedUsageReader(USAGE_KEY, geminiUsage, operation.streamFormat, geminiContent)
    }
    return jsonUsageReader(USAGE_KEY, geminiUsage)
  },
  renderError,
  createEventDecoder: (operation, onEvent) => createEventDecoder(operation.streamFormat, onEvent),
  renderStreamError: (error, operation) =>
    operation.streamFormat === 'sse' ? sseErrorEvent({ error: { code: error.status, message: errorMessage(error), status: 'UNAVAILABLE' } }) : undefined,
  withModel(request, operation, model) {
    // A lookup is about its own model; another model's embeddings live in another vector space.
    if (operation.read === true || EMBED_METHODS.has(operation.name)) return undefined
    // /{version}/models/{model}:{method}: the version stays, the model segment changes.
    const versionEnd = request.path.indexOf('/', 1)
    const method = request.path.slice(request.path.lastIndexOf(':'))
    const resource = model.startsWith('tunedModels/') ? `tunedModels/${encodeURIComponent(model.slice(12))}` : `models/${encodeURIComponent(model)}`
    return { ...request, path: `${request.path.slice(0, versionEnd + 1)}${resource}${method}` }
  },
  withParams(request, operation, params) {
    // countTokens has no generationConfig to honour.
    if (operation.name !== 'generateContent' && operation.name !== 'streamGenerateContent') return undefined
    return withNestedParams(request, params, GENERATION_CONFIG, PARAM_FIELDS)
  },
}
