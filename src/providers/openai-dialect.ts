// The OpenAI wire dialect, spoken by the OpenAI mount and by Llama (whose SDK is generated from the
// same Stainless template): model and stream in the JSON body, `usage` objects, and
// `{"error":{"message","type","param","code"}}` errors that the SDKs map to typed errors by status.
import type { NativeRequest, Operation, Recognition, RenderedError, Usage } from '../core/wire.js'
import { sseErrorEvent } from './stream-errors.js'
import type { ErrorKind, SluiceError } from '../core/errors.js'
import { errorMessage } from './error-message.js'
import type { ParamFields } from './params.js'
import { MALFORMED_BODY, decodeModel, isObject, modelInvalid, parseJsonObject, recognised, recognisedRead, tokenCount } from './request.js'
import { count, usageKey } from './usage.js'

/** Recognises an operation whose body names `model` (and `stream` when `streamable`). */
export function recogniseModelBody(request: NativeRequest, name: string, streamable: boolean): Recognition {
  const body = parseJsonObject(request.body)
  if (body === undefined) return MALFORMED_BODY
  const model = body.model
  if (typeof model !== 'string' || model === '') return modelInvalid('`model` must be a non-empty string.')
  const stream = streamable && body.stream === true
  const maxTokens =
    tokenCount(body.max_completion_tokens) ?? tokenCount(body.max_tokens) ?? tokenCount(body.max_output_tokens)
  return recognised(name, model, stream, stream ? 'sse' : 'none', maxTokens, body)
}

/**
 * `GET {base}/models` (`models.list`, no model) and `GET {base}/models/{id}` (`models.get`, the id
 * percent-decoded) as the OpenAI and Llama SDKs send them; undefined when the request is neither.
 */
export function recogniseModelsRead(request: NativeRequest, base: string): Recognition | undefined {
  const { method, path } = request
  if (method !== 'GET' || !path.startsWith(base)) return undefined
  const rest = path.slice(base.length)
  if (rest === '/models') return recognisedRead('models.list', '')
  if (!rest.startsWith('/models/')) return undefined
  const raw = rest.slice('/models/'.length)
  if (raw === '' || raw.includes('/')) return undefined
  const id = decodeModel(raw)
  return id === undefined ? modelInvalid(`The model id ${raw} is not valid percent-encoding.`) : recognisedRead('models.get', id)
}

export const USAGE_KEY = usageKey('usage')

/**
 * Chat Completions' sampling params: the token limit is `max_completion_tokens`, but a client that
 * still sends the deprecated `max_tokens` has that one capped instead (never both added).
 */
export const CHAT_PARAM_FIELDS: ParamFields = {
  temperature: ['temperature'],
  topP: ['top_p'],
  maxTokens: ['max_completion_tokens', 'max_tokens'],
}

/**
 * Chat Completions and Embeddings (`prompt_tokens`, `completion_tokens`) or Responses
 * (`input_tokens`, `output_tokens`) usage; both count cached and reasoning tokens inside the totals.
 */
export function openAiUsage(value: unknown): Usage | undefined {
  if (!isObject(value)) return undefined
  if (tokenCount(value.prompt_tokens) !== undefined) {
    const prompt = isObject(value.prompt_tokens_details) ? value.prompt_tokens_details : undefined
    const completion = isObject(value.completion_tokens_details) ? value.completion_tokens_details : undefined
    return {
      inputTokens: count(value.prompt_tokens),
      outputTokens: count(value.completion_tokens),
      cachedTokens: count(prompt?.cached_tokens),
      reasoningTokens: count(completion?.reasoning_tokens),
    }
  }
  if (tokenCount(value.input_tokens) !== undefined) {
    const input = isObject(value.input_tokens_details) ? value.input_tokens_details : undefined
    const output = isObject(value.output_tokens_details) ? value.output_tokens_details : undefined
    return {
      inputTokens: count(value.input_tokens),
      outputTokens: count(value.output_tokens),
      cachedTokens: count(input?.cached_tokens),
      reasoningTokens: count(output?.reasoning_tokens),
    }
  }
  return undefined
}

// The SDKs pick the error class from the status (400 BadRequest, 401 Authentication, 403
// PermissionDenied, 404 NotFound, 429 RateLimit, 5xx InternalServer); `type` mirrors it for people
// reading logs. An unknown key or bad signature is reported as authentication, not permission.
const ERROR_TYPES: Record<ErrorKind, string> = {
  invalid_request: 'invalid_request_error',
  auth_missing: 'authentication_error',
  auth_invalid: 'authentication_error',
  forbidden: 'permission_error',
  not_found: 'not_found_error',
  too_large: 'invalid_request_error',
  rate_limited: 'rate_limit_error',
  // OpenAI's own out-of-credit answer, which applications already handle.
  budget_exhausted: 'insufficient_quota',
  unavailable: 'server_error',
  switched_off: 'server_error',
  upstream: 'server_error',
  timeout: 'server_error',
  internal: 'server_error',
}

/** A failed OpenAI-style SSE stream's last event: `{"error": {...}}`, which the OpenAI SDK throws on. */
export function renderOpenAiStreamError(error: SluiceError, operation: Operation): Buffer | undefined {
  if (operation.streamFormat !== 'sse') return undefined
  return sseErrorEvent({ error: { message: errorMessage(error), type: ERROR_TYPES[error.kind], code: error.code, param: null } })
}

export function renderOpenAiError(error: SluiceError): RenderedError {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-request-id': error.requestId }
  if (error.retryAfterSeconds !== undefined) headers['retry-after'] = String(error.retryAfterSeconds)
  const body = JSON.stringify({
    error: {
      message: errorMessage(error),
      type: ERROR_TYPES[error.kind],
      param: null,
      code: error.code,
      request_id: error.requestId,
    },
  })
  // The Stainless SDKs (openai, llama-api-client) read x-should-retry before the status, and would
  // otherwise retry a 429 after an uncapped Retry-After, or a deliberate 503 twice more.
  if (error.kind === 'budget_exhausted' || error.kind === 'switched_off') headers['x-should-retry'] = 'false'
  return { status: error.status, headers, body }
}
