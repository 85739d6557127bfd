// AWS Bedrock Runtime: `POST /model/{modelId}/{action}`. The AWS SDK percent-encodes the model id
// into one path segment (`…-v1%3A0`, ARNs with `%2F`), so the id is decoded from that segment and
// the path itself is forwarded and re-signed untouched (bedrock-auth.ts). Streaming actions answer
// `application/vnd.amazon.eventstream`.
import type { PresentedCredential, Recognition, RenderedError } from '../core/wire.js'
import type { ProviderAdapter } from './adapter.js'
import type { ErrorKind, SluiceError } from '../core/errors.js'
import { bedrockExceptionFrame } from './stream-errors.js'
import { headerValue, parseSigV4 } from './sigv4-header.js'
import { createBedrockAuth, DEFAULT_REGION } from './bedrock-auth.js'
import { bedrockUsageReader } from './bedrock-usage.js'
import { errorMessage } from './error-message.js'
import { type ParamFields, applyParams, withBodyParams, withNestedParams } from './params.js'
import { MALFORMED_BODY, type JsonObject, bearerCredential, decodeModel, isObject, modelInvalid, parseJsonObject, recognised, tokenCount, unsupported } from './request.js'
import { createEventDecoder } from './streams/events.js'

const PREFIX = '/model/'
/** Bedrock's embedding model ids name themselves: `amazon.titan-embed-text-v2:0`, `cohere.embed-english-v3`, `…-embeddings-v1:0`. */
const EMBEDDING_MODEL = /[.-]embed/i

/** Path action → operation name; `invoke-with-response-stream` is shortened like the others. */
const ACTIONS = new Map([
  ['converse', 'converse'],
  ['converse-stream', 'converse-stream'],
  ['invoke', 'invoke'],
  ['invoke-with-response-stream', 'invoke-stream'],
  ['count-tokens', 'count-tokens'],
])

/** InvokeModel bodies are the model's own format; these are the common ways to cap output. */
function invokeMaxTokens(body: JsonObject): number | undefined {
  const inference = isObject(body.inferenceConfig) ? body.inferenceConfig : undefined // Amazon Nova
  const titan = isObject(body.textGenerationConfig) ? body.textGenerationConfig : undefined
  return (
    tokenCount(body.max_tokens) ?? // Anthropic, Mistral, Cohere
    tokenCount(body.max_gen_len) ?? // Meta Llama
    tokenCount(inference?.max_new_tokens) ??
    tokenCount(titan?.maxTokenCount)
  )
}

/** Converse's sampling params, in `inferenceConfig` (a model-agnostic shape). */
const CONVERSE_PARAM_FIELDS: ParamFields = { temperature: ['temperature'], topP: ['topP'], maxTokens: ['maxTokens'] }
/** An InvokeModel body in Anthropic's messages shape (the one told by `anthropic_version`). */
const ANTHROPIC_PARAM_FIELDS: ParamFields = { temperature: ['temperature'], topP: ['top_p'], maxTokens: ['max_tokens'] }

function recognise(method: string, path: string, body: Buffer): Recognition {
  const slash = path.lastIndexOf('/')
  if (method !== 'POST' || !path.startsWith(PREFIX) || slash <= PREFIX.length) return unsupported(method, path)
  const name = ACTIONS.get(path.slice(slash + 1))
  const rawModel = path.slice(PREFIX.length, slash)
  if (name === undefined || rawModel.includes('/')) return unsupported(method, path)
  const model = decodeModel(rawModel)
  if (model === undefined) return modelInvalid(`The model id ${rawModel} is not valid percent-encoding.`)
  switch (name) {
    case 'converse':
    case 'converse-stream': {
      const json = parseJsonObject(body)
      if (json === undefined) return MALFORMED_BODY
      const inference = isObject(json.inferenceConfig) ? json.inferenceConfig : undefined
      const stream = name === 'converse-stream'
      return recognised(name, model, stream, stream ? 'eventstream' : 'none', tokenCount(inference?.maxTokens), json)
    }
    case 'invoke':
    case 'invoke-stream': {
      // Best effort: only a body that opens like a JSON object is parsed; others are the model's business.
      const json = body[0] === 0x7b ? parseJsonObject(body) : undefined
      const stream = name === 'invoke-stream'
      // An embedding model (Titan, Cohere, Nova embeddings…) generates nothing: no output to reserve.
      const maxTokens = EMBEDDING_MODEL.test(model) ? 0 : json === undefined ? undefined : invokeMaxTokens(json)
      return recognised(name, model, stream, stream ? 'eventstream' : 'none', maxTokens, json)
    }
    default:
      return recognised(name, model, false, 'none', undefined)
  }
}

const NO_CREDENTIAL: PresentedCredential = { kind: 'none' }

function presentedCredential(authorization: string | undefined): PresentedCredential {
  if (authorization === undefined) return NO_CREDENTIAL
  if (!authorization.startsWith('AWS4')) return bearerCredential(authorization) // Bedrock API keys
  const parsed = parseSigV4(authorization)
  return parsed === undefined
    ? { kind: 'malformed', detail: 'The SigV4 Authorization header could not be parsed.' }
    : { kind: 'sigv4', accessKeyId: parsed.accessKeyId, parsed }
}

// The AWS SDK takes the error name from `x-amzn-errortype` (it beats any `code` in the body) and
// retries throttling names and 500/502/503/504. Names are Bedrock Runtime's modeled exceptions,
// so callers get typed errors, except MissingAuthenticationTokenException, which is what AWS
// itself answers for an unsigned request. The HTTP status stays Sluice's own (401 for a missing
// credential where AWS says 403, 413 for a too-large body), so metrics agree across dialects.
const EXCEPTIONS: Record<ErrorKind, string> = {
  invalid_request: 'ValidationException',
  auth_missing: 'MissingAuthenticationTokenException',
  auth_invalid: 'AccessDeniedException',
  forbidden: 'AccessDeniedException',
  not_found: 'ResourceNotFoundException',
  too_large: 'ValidationException',
  rate_limited: 'ThrottlingException',
  // Modelled in the Bedrock Runtime API as a client fault and not on the SDK's retry lists.
  budget_exhausted: 'ServiceQuotaExceededException',
  unavailable: 'ServiceUnavailableException',
  // The AWS SDK retries every 500/502/503/504; a switched-off scope is access denied until an operator turns it back on.
  switched_off: 'AccessDeniedException',
  upstream: 'ServiceUnavailableException',
  timeout: 'ModelTimeoutException',
  internal: 'InternalServerException',
}

function renderError(error: SluiceError): RenderedError {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-amzn-errortype': EXCEPTIONS[error.kind],
    'x-amzn-requestid': error.requestId,
  }
  if (error.retryAfterSeconds !== undefined) headers['retry-after'] = String(error.retryAfterSeconds)
  const message = errorMessage(error)
  // The AWS SDK retries every 429 and 503; a spent budget must fail once (docs/budgets.md), so it
  // is a 400, and a kill switch (or egress or the provider switched off) a 403.
  const status = error.kind === 'budget_exhausted' ? 400 : error.kind === 'switched_off' ? 403 : error.status
  return { status, headers, body: JSON.stringify({ message, code: error.code, requestId: error.requestId }) }
}

export const bedrock: ProviderAdapter = {
  type: 'bedrock',
  defaultEndpoint: (config) => `https://bedrock-runtime.${config.region ?? DEFAULT_REGION}.amazonaws.com`,
  recognise: (request) => recognise(request.method, request.path, request.body),
  presentedCredential: (request) => presentedCredential(headerValue(request.headers.authorization)),
  clientAuthHeaders: ['authorization', 'x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256'],
  clientAuthQuery: [],
  createUpstreamAuth: createBedrockAuth,
  createUsageReader: bedrockUsageReader,
  renderError,
  createEventDecoder: (operation, onEvent) => createEventDecoder(operation.streamFormat, onEvent),
  renderStreamError: (error, operation) => (operation.streamFormat === 'eventstream' ? bedrockExceptionFrame(error) : undefined),
  withModel(request, operation, model) {
    // Converse is model-agnostic; an InvokeModel body is the model's own format and cannot move.
    if (operation.name !== 'converse' && operation.name !== 'converse-stream' && operation.name !== 'count-tokens') return undefined
    const action = request.path.slice(request.path.lastIndexOf('/'))
    return { ...request, path: `${PREFIX}${encodeURIComponent(model)}${action}` }
  },
  withParams(request, operation, params) {
    switch (operation.name) {
      case 'converse':
      case 'converse-stream':
        return withNestedParams(request, params, ['inferenceConfig'], CONVERSE_PARAM_FIELDS)
      case 'invoke':
      case 'invoke-stream':
        // An InvokeModel body is the model's own format. Only Anthropic's messages shape is known
        // here; for any other body (Llama's max_gen_len, Titan's textGenerationConfig, Nova,
        // Mistral, Cohere, images, …) the params' names and ranges are not ours to guess, so the
        // answer is undefined.
        return withBodyParams(request, (json) => {
          if (json.anthropic_version === undefined) return false
          applyParams(json, params, ANTHROPIC_PARAM_FIELDS)
          return true
        })
      default:
        return undefined // count-tokens
    }
  },
}
