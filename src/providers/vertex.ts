// Vertex AI (aiplatform.googleapis.com) publisher-model paths (vertex-path.ts): Gemini's
// generateContent, streamGenerateContent (SSE with `?alt=sse`, else a JSON array) and countTokens
// on `publishers/google`, whose bodies, usage, streams and errors are the Gemini API's own (the
// gemini adapter handles them), and Anthropic's rawPredict and streamRawPredict on
// `publishers/anthropic` (vertex-anthropic.ts). Errors are rendered in Google's shape, as Vertex
// answers them. The client's credential (an API key, or a Bearer token from @google/genai's
// Google auth) never goes upstream; Sluice's own Google credentials do (vertex-auth.ts).
import type { NativeRequest, Recognition } from '../core/wire.js'
import type { ProviderAdapter } from './adapter.js'
import { gemini } from './gemini.js'
import { withTopLevelParams } from './params.js'
import { MALFORMED_BODY, bearerCredential, decodeModel, keyCredential, modelInvalid, parseJsonObject, recognised, tokenCount, unsupported } from './request.js'
import { headerValue } from './sigv4-header.js'
import { createEventDecoder } from './streams/events.js'
import { NO_USAGE, readableBody } from './usage.js'
import { ANTHROPIC_PARAM_FIELDS, anthropicStreamError, anthropicUsageReader } from './vertex-anthropic.js'
import { createVertexAuth, vertexEndpoint } from './vertex-auth.js'
import { parseVertexPath, vertexPublisher, withVertexModel } from './vertex-path.js'

const GEMINI_METHODS = new Set(['generateContent', 'streamGenerateContent', 'countTokens'])
const ANTHROPIC_METHODS = new Set(['rawPredict', 'streamRawPredict'])

function isAnthropic(operation: { readonly name: string }): boolean {
  return ANTHROPIC_METHODS.has(operation.name)
}

function recogniseAnthropic(method: string, model: string, body: Buffer): Recognition {
  const json = parseJsonObject(body)
  if (json === undefined) return MALFORMED_BODY
  // rawPredict streams too when the body asks for it; streamRawPredict always does.
  const stream = method === 'streamRawPredict' || json.stream === true
  return recognised(method, `anthropic/${model}`, stream, stream ? 'sse' : 'none', tokenCount(json.max_tokens), json)
}

function recognise(request: NativeRequest): Recognition {
  const parsed = request.method === 'POST' ? parseVertexPath(request.path) : undefined
  if (parsed === undefined) return unsupported(request.method, request.path)
  const { version, publisher, rawModel, method } = parsed
  const model = decodeModel(rawModel)
  if (model === undefined) return modelInvalid(`The model id ${rawModel} is not valid percent-encoding.`)
  if (model.includes('/')) return modelInvalid(`The model id ${model} must not contain '/'.`)
  if (publisher === 'google' && GEMINI_METHODS.has(method)) {
    // The Gemini API's own path for the same call: its body, query and stream format are read alike.
    return gemini.recognise({ ...request, path: `/${version}/models/${rawModel}:${method}` })
  }
  if (publisher === 'anthropic' && ANTHROPIC_METHODS.has(method)) return recogniseAnthropic(method, model, request.body)
  return unsupported(request.method, request.path)
}

export const vertex: ProviderAdapter = {
  type: 'vertex',
  defaultEndpoint: vertexEndpoint,
  recognise,
  presentedCredential(request) {
    const key = headerValue(request.headers['x-goog-api-key'])
    if (key !== undefined) return keyCredential(key)
    const authorization = headerValue(request.headers.authorization)
    return authorization === undefined ? gemini.presentedCredential(request) : bearerCredential(authorization)
  },
  clientAuthHeaders: ['x-goog-api-key', 'authorization'],
  clientAuthQuery: ['key'],
  createUpstreamAuth: createVertexAuth,
  createUsageReader(operation, status, headers) {
    if (!isAnthropic(operation)) return gemini.createUsageReader(operation, status, headers)
    return readableBody(status, headers) ? anthropicUsageReader(operation.stream) : NO_USAGE
  },
  renderError: gemini.renderError,
  createEventDecoder: (operation, onEvent) => createEventDecoder(operation.streamFormat, onEvent),
  renderStreamError: (error, operation) => (isAnthropic(operation) ? (operation.stream ? anthropicStreamError(error) : undefined) : gemini.renderStreamError(error, operation)),
  withModel(request, operation, model) {
    // A body is its publisher's own format: a Gemini request moves only to another Google model.
    const target = vertexPublisher(model)
    if (target.publisher !== (isAnthropic(operation) ? 'anthropic' : 'google')) return undefined
    const path = withVertexModel(request.path, target.publisher, target.model)
    return path === undefined ? undefined : { ...request, path }
  },
  withParams(request, operation, params) {
    if (isAnthropic(operation)) return withTopLevelParams(request, params, ANTHROPIC_PARAM_FIELDS)
    return gemini.withParams(request, operation, params)
  },
}
