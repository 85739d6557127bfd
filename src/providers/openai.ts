// OpenAI (and any OpenAI-compatible endpoint): Chat Completions, Responses and Embeddings, and the
// reads `GET /v1/models` and `/v1/models/{id}`.
// Streams are SSE; usage arrives in the last chat chunk (with `stream_options.include_usage`) or
// in the Responses API's `response.completed` event, as `response.usage`.
import type { ProviderAdapter } from './adapter.js'
import { headerValue } from './sigv4-header.js'
import { CHAT_PARAM_FIELDS, USAGE_KEY, openAiUsage, recogniseModelBody, recogniseModelsRead, renderOpenAiError, renderOpenAiStreamError } from './openai-dialect.js'
import { type ParamFields, withTopLevelParams } from './params.js'
import { bearerCredential, unsupported, withBodyModel } from './request.js'
import { bearerAuth } from './upstream-auth.js'
import { openAiContent } from './streams/content-probe.js'
import { NO_USAGE, jsonUsageReader, readableBody, streamedUsageReader } from './usage.js'
import { createEventDecoder } from './streams/events.js'
import { withStreamUsage } from './openai-stream-usage.js'

interface Route {
  readonly name: string
  readonly streamable: boolean
}

const ROUTES = new Map<string, Route>([
  ['/v1/chat/completions', { name: 'chat.completions', streamable: true }],
  ['/v1/responses', { name: 'responses', streamable: true }],
  ['/v1/embeddings', { name: 'embeddings', streamable: false }],
])

/** Where each generation operation takes sampling params; embeddings have none. */
const PARAM_FIELDS = new Map<string, ParamFields>([
  ['chat.completions', CHAT_PARAM_FIELDS],
  ['responses', { temperature: ['temperature'], topP: ['top_p'], maxTokens: ['max_output_tokens'] }],
])

export const openai: ProviderAdapter = {
  type: 'openai',
  defaultEndpoint: () => 'https://api.openai.com',
  recognise(request) {
    const route = request.method === 'POST' ? ROUTES.get(request.path) : undefined
    if (route === undefined) return recogniseModelsRead(request, '/v1') ?? unsupported(request.method, request.path)
    const recognition = recogniseModelBody(request, route.name, route.streamable)
    // An embedding generates nothing: no output tokens to reserve.
    return route.name === 'embeddings' && recognition.ok ? { ok: true, operation: { ...recognition.operation, maxTokens: 0 } } : recognition
  },
  presentedCredential: (request) => bearerCredential(headerValue(request.headers.authorization)),
  clientAuthHeaders: ['authorization'],
  clientAuthQuery: [],
  createUpstreamAuth: (config) => bearerAuth(config.apiKey),
  createUsageReader(operation, status, headers) {
    if (operation.read === true || !readableBody(status, headers)) return NO_USAGE
    return operation.stream ? streamedUsageReader(USAGE_KEY, openAiUsage, 'sse', openAiContent) : jsonUsageReader(USAGE_KEY, openAiUsage)
  },
  renderError: renderOpenAiError,
  createEventDecoder: (operation, onEvent) => createEventDecoder(operation.streamFormat, onEvent),
  renderStreamError: renderOpenAiStreamError,
  // The Responses API's stream always ends in `response.completed` with usage: nothing to ask.
  withStreamUsage: (request, operation) => (operation.stream && operation.name === 'chat.completions' ? withStreamUsage(request, operation) : undefined),
  // A model lookup is about the model it names: it never moves to another.
  withModel: (request, operation, model) => (operation.read === true ? undefined : withBodyModel(request, model)),
  withParams(request, operation, params) {
    const fields = PARAM_FIELDS.get(operation.name)
    return fields === undefined ? undefined : withTopLevelParams(request, params, fields)
  },
}
