// Meta's Llama API. The native API (`/v1/chat/completions`) reports usage as a `metrics` array of
// `{metric: 'num_prompt_tokens' | 'num_completion_tokens' | …, value}`, in the JSON body and in the
// stream's `event.metrics` (its SSE stream ends without `[DONE]`). The OpenAI-compatible API under
// `/compat/v1/` speaks the OpenAI dialect, usage included.
import type { Usage } from '../core/wire.js'
import type { ProviderAdapter } from './adapter.js'
import { headerValue } from './sigv4-header.js'
import { CHAT_PARAM_FIELDS, USAGE_KEY, openAiUsage, recogniseModelBody, recogniseModelsRead, renderOpenAiError, renderOpenAiStreamError } from './openai-dialect.js'
import { type ParamFields, withTopLevelParams } from './params.js'
import { bearerCredential, isObject, tokenCount, unsupported, withBodyModel } from './request.js'
import { bearerAuth } from './upstream-auth.js'
import { llamaContent, openAiContent } from './streams/content-probe.js'
import { NO_USAGE, jsonUsageReader, readableBody, streamedUsageReader, usageKey, type UsageShape } from './usage.js'
import { createEventDecoder } from './streams/events.js'
import { withStreamUsage } from './openai-stream-usage.js'

const NATIVE = 'chat.completions'
const COMPAT = 'compat.chat.completions'
const METRICS_KEY = usageKey('metrics')
/** The native API's sampling params (it has no `max_tokens`); the compat API takes OpenAI's. */
const NATIVE_PARAM_FIELDS: ParamFields = { temperature: ['temperature'], topP: ['top_p'], maxTokens: ['max_completion_tokens'] }

/** A Llama answer's `metrics` array (also read by the unified translator). */
export function llamaMetrics(value: unknown): Usage | undefined {
  if (!Array.isArray(value)) return undefined
  let input: number | undefined
  let output: number | undefined
  for (const item of value) {
    if (!isObject(item)) continue
    if (item.metric === 'num_prompt_tokens') input = tokenCount(item.value)
    else if (item.metric === 'num_completion_tokens') output = tokenCount(item.value)
  }
  if (input === undefined && output === undefined) return undefined
  return { inputTokens: input ?? 0, outputTokens: output ?? 0, cachedTokens: 0, reasoningTokens: 0 }
}

export const llama: ProviderAdapter = {
  type: 'llama',
  defaultEndpoint: () => 'https://api.llama.com',
  recognise(request) {
    if (request.method === 'POST') {
      if (request.path === '/v1/chat/completions') return recogniseModelBody(request, NATIVE, true)
      if (request.path === '/compat/v1/chat/completions') return recogniseModelBody(request, COMPAT, true)
    }
    // Model lists and lookups, native (`/v1/models`) and compat (`/compat/v1/models`).
    return recogniseModelsRead(request, '/v1') ?? recogniseModelsRead(request, '/compat/v1') ?? unsupported(request.method, request.path)
  },
  presentedCredential: (request) => bearerCredential(headerValue(request.headers.authorization)),
  clientAuthHeaders: ['authorization'],
  clientAuthQuery: [],
  createUpstreamAuth: (config) => bearerAuth(config.apiKey),
  createUsageReader(operation, status, headers) {
    if (operation.read === true || !readableBody(status, headers)) return NO_USAGE
    const compat = operation.name === COMPAT
    const key = compat ? USAGE_KEY : METRICS_KEY
    const shape: UsageShape = compat ? openAiUsage : llamaMetrics
    return operation.stream ? streamedUsageReader(key, shape, 'sse', compat ? openAiContent : llamaContent) : jsonUsageReader(key, shape)
  },
  renderError: renderOpenAiError,
  createEventDecoder: (operation, onEvent) => createEventDecoder(operation.streamFormat, onEvent),
  renderStreamError: renderOpenAiStreamError,
  // The native stream always ends with its metrics; the compat one is OpenAI's, usage on request.
  withStreamUsage: (request, operation) => (operation.stream && operation.name === COMPAT ? withStreamUsage(request, operation) : undefined),
  withModel: (request, operation, model) => (operation.read === true ? undefined : withBodyModel(request, model)),
  withParams(request, operation, params) {
    const fields = operation.name === NATIVE ? NATIVE_PARAM_FIELDS : operation.name === COMPAT ? CHAT_PARAM_FIELDS : undefined
    return fields === undefined ? undefined : withTopLevelParams(request, params, fields)
  },
}
