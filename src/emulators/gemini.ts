// Gemini Developer API emulator: `POST /{version}/models/{model}:generateContent`,
// `:streamGenerateContent` and `:countTokens`. Streaming is SSE (`data: {...}\r\n\r\n`) with
// `?alt=sse`, as @google/genai asks, and otherwise a JSON array sent element by element
// (`[{...}` then `\n,\r\n{...}` ... `]`), as the REST API does. Every chunk carries the running
// usageMetadata; the last one is final. The key comes in `x-goog-api-key` or `?key=`. A tool call
// (scripted, or forced by `toolConfig.functionCallingConfig`; see tool-call.ts) answers a
// `functionCall` part with finishReason STOP, streamed as a single chunk. `:embedContent` and
// `:batchEmbedContents` answer vectors (embeddings.ts); `GET /{version}/models` lists models and
// `GET /{version}/models/{model}` looks one up (models-list.ts).
import { headerValue } from '../providers/sigv4-header.js'
import { buildReply, countInputTokens, intField, isRecord, textOf, type TextReply } from './content.js'
import type { KeyAuth } from './key-auth.js'
import { geminiEmbedding } from './embeddings.js'
import { geminiModels } from './models-list.js'
import { jsonReply, type JsonReply, type ProviderEmulator, type Reply } from './server.js'
import type { Plan } from './script.js'
import { geminiForcedTool, toolCallFor } from './tool-call.js'

type Operation = 'generateContent' | 'streamGenerateContent' | 'countTokens' | 'embedContent' | 'batchEmbedContents' | 'models.list' | 'models.get'

interface GeminiRoute {
  readonly operation: Operation
  readonly model: string
}

const ROUTE_RE = /^\/(v1|v1beta|v1alpha)\/models\/([^/:]+):(generateContent|streamGenerateContent|countTokens|embedContent|batchEmbedContents)$/
const MODELS_RE = /^\/(v1|v1beta|v1alpha)\/models(?:\/([^/:]+))?$/

const STATUSES: Readonly<Record<number, readonly [status: string, message: string]>> = {
  400: ['INVALID_ARGUMENT', 'Request contains an invalid argument.'],
  401: ['UNAUTHENTICATED', 'Request had invalid authentication credentials.'],
  403: ['PERMISSION_DENIED', 'The caller does not have permission.'],
  404: ['NOT_FOUND', 'Requested entity was not found.'],
  413: ['INVALID_ARGUMENT', 'Request payload size exceeds the limit.'],
  429: ['RESOURCE_EXHAUSTED', 'Resource has been exhausted (e.g. check quota).'],
  500: ['INTERNAL', 'An internal error has occurred.'],
  503: ['UNAVAILABLE', 'The service is currently unavailable.'],
  504: ['DEADLINE_EXCEEDED', 'The request timed out.'],
}

function geminiError(status: number, message?: string): JsonReply {
  const [code, text] = STATUSES[status] ?? (status >= 500 ? STATUSES[500]! : STATUSES[400]!)
  return jsonReply(status, { error: { code: status, message: message ?? text, status: code } })
}

function queryKey(query: string): string | undefined {
  return query === '' ? undefined : (new URLSearchParams(query).get('key') ?? undefined)
}

function candidate(part: Record<string, unknown>, finishReason: string | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = { content: { parts: [part], role: 'model' }, index: 0 }
  if (finishReason !== undefined) out.finishReason = finishReason
  return out
}

function usageMetadata(promptTokens: number, outputTokens: number): Record<string, unknown> {
  return {
    promptTokenCount: promptTokens,
    candidatesTokenCount: outputTokens,
    totalTokenCount: promptTokens + outputTokens,
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: promptTokens }],
  }
}

/** One response object per delta; word counts so far make each chunk's running usage. */
function streamChunks(model: string, reply: TextReply, promptTokens: number, responseId: string): Record<string, unknown>[] {
  let words = 0
  return reply.deltas.map((text, i) => {
    words += text.split(' ').filter((w) => w !== '').length
    const last = i === reply.deltas.length - 1
    return {
      candidates: [candidate({ text }, last ? (reply.truncated ? 'MAX_TOKENS' : 'STOP') : undefined)],
      usageMetadata: usageMetadata(promptTokens, words),
      modelVersion: model,
      responseId,
    }
  })
}

let responseCounter = 0

/** The response objects: one whole response for generateContent or a tool call, one per delta when streaming text. */
function responses(route: GeminiRoute, body: Record<string, unknown>, plan: Plan, promptTokens: number): Record<string, unknown>[] {
  const responseId = `emu-${++responseCounter}`
  const whole = (part: Record<string, unknown>, finishReason: string, outputTokens: number): Record<string, unknown> => ({
    candidates: [candidate(part, finishReason)],
    usageMetadata: usageMetadata(promptTokens, outputTokens),
    modelVersion: route.model,
    responseId,
  })
  const call = toolCallFor(plan, geminiForcedTool(body))
  // Gemini sends a function call whole, in one chunk, and finishes it with STOP.
  if (call !== undefined) return [whole({ functionCall: { name: call.name, args: call.arguments } }, 'STOP', call.outputTokens)]
  const maxTokens = isRecord(body.generationConfig) ? intField(body.generationConfig.maxOutputTokens) : undefined
  const reply = buildReply(route.model, plan.outputTokens, plan.chunks, maxTokens, plan.text)
  if (route.operation === 'generateContent') return [whole({ text: reply.text }, reply.truncated ? 'MAX_TOKENS' : 'STOP', reply.outputTokens)]
  return streamChunks(route.model, reply, promptTokens, responseId)
}

function answer(route: GeminiRoute, body: Record<string, unknown>, query: string, plan: Plan): Reply {
  const promptTokens = countInputTokens(textOf(body.systemInstruction) + textOf(body.contents))
  if (route.operation === 'countTokens') return jsonReply(200, { totalTokens: promptTokens })
  if (route.operation === 'models.list' || route.operation === 'models.get') return geminiModels(route.model, query, (message) => geminiError(404, message))
  if (route.operation === 'embedContent' || route.operation === 'batchEmbedContents') {
    return geminiEmbedding(route.model, route.operation === 'batchEmbedContents', body, geminiError)
  }
  const chunks = responses(route, body, plan, promptTokens)
  if (route.operation === 'generateContent') return jsonReply(200, chunks[0])
  return streamReply(chunks.map((c) => JSON.stringify(c)), query)
}

/** SSE with `?alt=sse`, otherwise a JSON array sent element by element. */
function streamReply(chunks: string[], query: string): Reply {
  if (new URLSearchParams(query).get('alt') === 'sse') {
    return { kind: 'stream', headers: { 'content-type': 'text/event-stream' }, frames: chunks.map((c) => `data: ${c}\r\n\r\n`) }
  }
  const frames = chunks.map((c, i) => (i === 0 ? `[${c}` : `\n,\r\n${c}`))
  frames[frames.length - 1] += ']'
  return { kind: 'stream', headers: { 'content-type': 'application/json' }, frames }
}

export function createGeminiEmulator(auth: KeyAuth | undefined): ProviderEmulator<GeminiRoute> {
  return {
    match(method, path) {
      const read = method === 'GET' ? MODELS_RE.exec(path) : null
      const m = method === 'POST' ? ROUTE_RE.exec(path) : null
      try {
        if (read !== null) return read[2] === undefined ? { operation: 'models.list', model: '' } : { operation: 'models.get', model: decodeURIComponent(read[2]) }
        if (m === null) return undefined
        return { operation: m[3] as Operation, model: decodeURIComponent(m[2]!) }
      } catch {
        return undefined
      }
    },
    authenticate(request) {
      if (auth === undefined) return undefined
      const key = headerValue(request.headers['x-goog-api-key']) ?? queryKey(request.query)
      if (key === auth.apiKey) return undefined
      return geminiError(403, key === undefined ? "Method doesn't allow unregistered callers. Please use an API key." : 'API key not valid. Please pass a valid API key.')
    },
    error: geminiError,
    answer: (route, body, request, plan) => answer(route, body, request.query, plan),
  }
}
