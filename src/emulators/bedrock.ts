// Bedrock Runtime emulator (restJson1): Converse, ConverseStream, InvokeModel (Anthropic Messages
// bodies), InvokeModelWithResponseStream and CountTokens under `/model/{modelId}/...`. The SDK
// percent-encodes the model id (`:` → %3A, ARN `/` → %2F), so it is decoded here. Requests must
// carry a SigV4 signature by the configured key pair (checked with the same verifier Sluice uses),
// or `Authorization: Bearer <apiKey>` when a Bedrock API key is configured. Errors are Bedrock's:
// the type in `x-amzn-ErrorType`, `{"message":...}` as body. Converse and ConverseStream answer a
// tool call (scripted, or forced by `toolConfig.toolChoice`; see tool-call.ts) with a `toolUse`
// block and stop reason `tool_use`; InvokeModel answers text, or vectors on a Titan or Cohere
// embedding model (embeddings.ts).
import { verifySigV4 } from '../auth/sigv4-verify.js'
import { headerValue, parseSigV4 } from '../providers/sigv4-header.js'
import { buildReply, countInputTokens, intField, isRecord, textOf } from './content.js'
import { bedrockEmbedding } from './embeddings.js'
import { converseStreamFrames, converseToolUseFrames, invokeStreamFrames, TOOL_USE_FRAMING_EVENTS } from './bedrock-stream.js'
import { jsonReply, scriptedLatencyMs, type EmulatorRequest, type JsonReply, type ProviderEmulator, type Reply } from './server.js'
import type { Plan } from './script.js'
import { bedrockForcedTool, toolCallFor, type ToolCallReply } from './tool-call.js'

export interface BedrockAuth {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  /** Region the signature must be scoped to. */
  readonly region: string
  /** Bedrock API key also accepted as `Authorization: Bearer <apiKey>`. */
  readonly apiKey?: string
}

type Operation = 'converse' | 'converse-stream' | 'invoke' | 'invoke-with-response-stream' | 'count-tokens'

interface BedrockRoute {
  readonly operation: Operation
  readonly modelId: string
}

const ROUTE_RE = /^\/model\/([^/]+)\/(converse|converse-stream|invoke|invoke-with-response-stream|count-tokens)$/

const ERROR_TYPES: Readonly<Record<number, readonly [type: string, message: string]>> = {
  400: ['ValidationException', 'The request is invalid.'],
  403: ['AccessDeniedException', 'You do not have access to the model with the specified model ID.'],
  404: ['ResourceNotFoundException', 'The requested resource could not be found.'],
  408: ['ModelTimeoutException', 'The model took too long to respond.'],
  413: ['ValidationException', 'The request body is too large.'],
  424: ['ModelErrorException', 'The model returned an error.'],
  429: ['ThrottlingException', 'Too many requests, please wait before trying again.'],
  500: ['InternalServerException', 'An internal server error occurred.'],
  503: ['ServiceUnavailableException', 'The service is unavailable. Try again later.'],
}

// Ids come from a counter: the emulators are a benchmark baseline and stay off crypto where they can.
let idCounter = 0

export function bedrockError(status: number, type: string, message: string): JsonReply {
  return jsonReply(status, { message }, { 'x-amzn-errortype': type, 'x-amzn-requestid': `emu-${++idCounter}` })
}

const STREAM_HEADERS = { 'content-type': 'application/vnd.amazon.eventstream' }

const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.'

async function authenticate(auth: BedrockAuth, request: EmulatorRequest): Promise<JsonReply | undefined> {
  const authorization = headerValue(request.headers.authorization)
  if (authorization === undefined) return bedrockError(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token')
  if (authorization.startsWith('Bearer ')) {
    return auth.apiKey !== undefined && authorization.slice(7) === auth.apiKey
      ? undefined
      : bedrockError(403, 'UnrecognizedClientException', 'Invalid API Key format: Must start with pre-defined prefix')
  }
  const parsed = parseSigV4(authorization)
  if (parsed === undefined) return bedrockError(403, 'IncompleteSignatureException', 'Authorization header is not a valid SigV4 signature.')
  if (parsed.accessKeyId !== auth.accessKeyId) return bedrockError(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.')
  if (parsed.region !== auth.region || parsed.service !== 'bedrock') {
    return bedrockError(403, 'InvalidSignatureException', `Credential should be scoped to a valid region and service (got ${parsed.region}/${parsed.service}).`)
  }
  const verdict = await verifySigV4(parsed, { ...request, body: request.rawBody, secretAccessKey: auth.secretAccessKey })
  return verdict.ok ? undefined : bedrockError(403, 'InvalidSignatureException', `${SIGNATURE_MISMATCH} (${verdict.reason})`)
}

/** Prompt text of a Converse request or of an InvokeModel body (Anthropic, or `prompt`/`inputText` models). */
function promptText(body: Record<string, unknown>): string {
  return textOf(body.system) + textOf(body.messages) + textOf(body.prompt) + textOf(body.inputText)
}

function countTokensInput(body: Record<string, unknown>): Record<string, unknown> | undefined {
  const input = body.input
  if (!isRecord(input)) return undefined
  if (isRecord(input.converse)) return input.converse
  // InvokeModel bodies are blobs, so the JSON carries them base64-encoded.
  if (isRecord(input.invokeModel) && typeof input.invokeModel.body === 'string') {
    try {
      const inner: unknown = JSON.parse(Buffer.from(input.invokeModel.body, 'base64').toString('utf8'))
      return isRecord(inner) ? inner : undefined
    } catch {
      return undefined
    }
  }
  return undefined
}

/** Converse / ConverseStream answering with a `toolUse` block and stop reason `tool_use`. */
function toolUseAnswer(stream: boolean, call: ToolCallReply, inputTokens: number, plan: Plan): Reply {
  const toolUseId = `tooluse_emu${++idCounter}`
  const { outputTokens } = call
  if (!stream) {
    return jsonReply(200, {
      output: { message: { role: 'assistant', content: [{ toolUse: { toolUseId, name: call.name, input: call.arguments } }] } },
      stopReason: 'tool_use',
      usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens },
      metrics: { latencyMs: scriptedLatencyMs(plan) },
    })
  }
  const frameCount = call.pieces.length + TOOL_USE_FRAMING_EVENTS
  const usage = { inputTokens, outputTokens, latencyMs: scriptedLatencyMs(plan, frameCount), firstByteLatencyMs: scriptedLatencyMs(plan, 1) }
  return { kind: 'stream', headers: STREAM_HEADERS, frames: converseToolUseFrames(toolUseId, call, usage) }
}

function answer(route: BedrockRoute, body: Record<string, unknown>, plan: Plan): Reply {
  const { operation, modelId } = route
  if (operation === 'count-tokens') {
    const input = countTokensInput(body)
    if (input === undefined) return bedrockError(400, 'ValidationException', 'input must hold converse or invokeModel.')
    return jsonReply(200, { inputTokens: countInputTokens(promptText(input)) })
  }
  if (operation === 'invoke') {
    const embedding = bedrockEmbedding(modelId, body, (message) => bedrockError(400, 'ValidationException', message))
    if (embedding !== undefined) return embedding
  }
  const inputTokens = countInputTokens(promptText(body))
  const isConverse = operation === 'converse' || operation === 'converse-stream'
  const call = isConverse ? toolCallFor(plan, bedrockForcedTool(body)) : undefined
  if (call !== undefined) return toolUseAnswer(operation === 'converse-stream', call, inputTokens, plan)
  const maxTokens = isConverse ? (isRecord(body.inferenceConfig) ? intField(body.inferenceConfig.maxTokens) : undefined) : intField(body.max_tokens)
  const reply = buildReply(modelId, plan.outputTokens, plan.chunks, maxTokens, plan.text)
  const outputTokens = reply.outputTokens
  const stopReason = reply.truncated ? 'max_tokens' : 'end_turn'

  if (operation === 'converse') {
    return jsonReply(200, {
      output: { message: { role: 'assistant', content: [{ text: reply.text }] } },
      stopReason,
      usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens },
      metrics: { latencyMs: scriptedLatencyMs(plan) },
    })
  }
  const id = `msg_bdrk_emu${++idCounter}`
  if (operation === 'invoke') {
    const latencyMs = scriptedLatencyMs(plan)
    const message = {
      id,
      type: 'message',
      role: 'assistant',
      model: modelId,
      content: [{ type: 'text', text: reply.text }],
      stop_reason: stopReason,
      stop_sequence: null,
      usage: { input_tokens: inputTokens, output_tokens: outputTokens },
    }
    return jsonReply(200, message, {
      'x-amzn-bedrock-input-token-count': String(inputTokens),
      'x-amzn-bedrock-output-token-count': String(outputTokens),
      'x-amzn-bedrock-invocation-latency': String(latencyMs),
    })
  }
  // Frame counts are fixed by the encoders: deltas plus 4 (converse) or 5 (invoke) framing events.
  const frameCount = reply.deltas.length + (operation === 'converse-stream' ? 4 : 5)
  const usage = { inputTokens, outputTokens, latencyMs: scriptedLatencyMs(plan, frameCount), firstByteLatencyMs: scriptedLatencyMs(plan, 1) }
  const frames = operation === 'converse-stream' ? converseStreamFrames(reply, usage) : invokeStreamFrames(id, modelId, reply, usage)
  return { kind: 'stream', headers: STREAM_HEADERS, frames }
}

export function createBedrockEmulator(auth: BedrockAuth | undefined): ProviderEmulator<BedrockRoute> {
  return {
    match(method, path) {
      const m = method === 'POST' ? ROUTE_RE.exec(path) : null
      if (m === null) return undefined
      try {
        return { operation: m[2] as Operation, modelId: decodeURIComponent(m[1]!) }
      } catch {
        return undefined
      }
    },
    authenticate: (request) => (auth === undefined ? undefined : authenticate(auth, request)),
    error(status, message) {
      const [type, text] = ERROR_TYPES[status] ?? (status >= 500 ? ERROR_TYPES[500]! : ERROR_TYPES[400]!)
      return bedrockError(status, type, message ?? text)
    },
    answer: (route, body, _request, plan) => answer(route, body, plan),
  }
}
