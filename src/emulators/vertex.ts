// Vertex AI emulator: the publisher-model paths (providers/vertex-path.ts) for Google's models —
// generateContent, streamGenerateContent (SSE with `?alt=sse`, else a JSON array), countTokens,
// answered as the Gemini emulator answers them — and Anthropic's rawPredict / streamRawPredict
// (an Anthropic message, or its SSE events with usage in message_start and message_delta), plus
// Google's token endpoint (`POST /token`, vertex-token.ts) and the metadata server's token path
// (`GET /computeMetadata/v1/instance/service-accounts/default/token`). With auth, model calls need a Bearer
// token the endpoint issued (or the express-mode key in x-goog-api-key); errors are Google's shape.
import { headerValue } from '../providers/sigv4-header.js'
import { parseVertexPath } from '../providers/vertex-path.js'
import { buildReply, countInputTokens, intField, textOf, type TextReply } from './content.js'
import { createGeminiEmulator } from './gemini.js'
import { jsonReply, type JsonReply, type ProviderEmulator, type Reply } from './server.js'
import type { Plan } from './script.js'
import type { VertexTokens } from './vertex-token.js'

export interface VertexAuth {
  readonly tokens: VertexTokens
  /** An express-mode API key accepted in x-goog-api-key instead of a token. */
  readonly apiKey?: string
}

type GeminiOperation = 'generateContent' | 'streamGenerateContent' | 'countTokens'
type Operation = GeminiOperation | 'rawPredict' | 'streamRawPredict' | 'token' | 'metadata-token'

interface VertexRoute {
  readonly operation: Operation
  readonly model: string
}

const GEMINI = new Set<string>(['generateContent', 'streamGenerateContent', 'countTokens'])
const ANTHROPIC = new Set<string>(['rawPredict', 'streamRawPredict'])
const gemini = createGeminiEmulator(undefined)
let messageCounter = 0

/** The metadata server's token path (gcp-metadata asks for the default service account's). */
const METADATA_TOKEN = '/computeMetadata/v1/instance/service-accounts/default/token'

function match(method: string, path: string): VertexRoute | undefined {
  if (method === 'GET' && path === METADATA_TOKEN) return { operation: 'metadata-token', model: '' }
  if (method !== 'POST') return undefined
  if (path === '/token') return { operation: 'token', model: '' }
  const parsed = parseVertexPath(path)
  if (parsed === undefined) return undefined
  const known = parsed.publisher === 'google' ? GEMINI : parsed.publisher === 'anthropic' ? ANTHROPIC : undefined
  if (known === undefined || !known.has(parsed.method)) return undefined
  try {
    return { operation: parsed.method as Operation, model: decodeURIComponent(parsed.rawModel) }
  } catch {
    return undefined
  }
}

function unauthenticated(message: string): JsonReply {
  return gemini.error(401, message)
}

function sse(type: string, data: unknown): string {
  return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`
}

function anthropicStream(id: string, model: string, reply: TextReply, inputTokens: number): string[] {
  const frames = [
    sse('message_start', {
      type: 'message_start',
      message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: inputTokens, output_tokens: 1 } },
    }),
    sse('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
  ]
  for (const text of reply.deltas) frames.push(sse('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } }))
  frames.push(
    sse('content_block_stop', { type: 'content_block_stop', index: 0 }),
    sse('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: reply.truncated ? 'max_tokens' : 'end_turn', stop_sequence: null },
      usage: { output_tokens: reply.outputTokens },
    }),
    sse('message_stop', { type: 'message_stop' }),
  )
  return frames
}

function anthropicAnswer(route: VertexRoute, body: Record<string, unknown>, plan: Plan): Reply {
  if (body.anthropic_version !== 'vertex-2023-10-16') return gemini.error(400, 'anthropic_version: vertex-2023-10-16 is required.')
  if (body.model !== undefined) return gemini.error(400, 'model: Extra inputs are not permitted (the model is in the path).')
  const inputTokens = countInputTokens(textOf(body.system) + textOf(body.messages))
  const reply = buildReply(route.model, plan.outputTokens, plan.chunks, intField(body.max_tokens), plan.text)
  const id = `msg_vrtx_emu${++messageCounter}`
  if (route.operation === 'streamRawPredict' || body.stream === true) {
    return { kind: 'stream', headers: { 'content-type': 'text/event-stream' }, frames: anthropicStream(id, route.model, reply, inputTokens) }
  }
  return jsonReply(200, {
    id,
    type: 'message',
    role: 'assistant',
    model: route.model,
    content: [{ type: 'text', text: reply.text }],
    stop_reason: reply.truncated ? 'max_tokens' : 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: inputTokens, output_tokens: reply.outputTokens },
  })
}

export function createVertexEmulator(auth: VertexAuth | undefined): ProviderEmulator<VertexRoute> {
  return {
    match,
    authenticate(request, route) {
      if (route.operation === 'token') {
        // The grant is form-encoded, not JSON, so it is answered here rather than by `answer`.
        const answer = auth === undefined ? { status: 200, body: { access_token: 'ya29.emulator-any', expires_in: 3600, token_type: 'Bearer' } } : auth.tokens.grant(request.rawBody.toString('utf8'))
        return jsonReply(answer.status, answer.body)
      }
      if (route.operation === 'metadata-token') {
        // Only requests that say they mean the metadata server get an answer (SSRF protection, as on GCE).
        if (headerValue(request.headers['metadata-flavor']) !== 'Google') return jsonReply(403, { error: 'Missing Metadata-Flavor: Google header.' })
        const answer = auth === undefined ? { status: 200, body: { access_token: 'ya29.emulator-any', expires_in: 3600, token_type: 'Bearer' } } : auth.tokens.issue()
        return jsonReply(answer.status, answer.body, { 'metadata-flavor': 'Google' })
      }
      if (auth === undefined) return undefined
      const key = headerValue(request.headers['x-goog-api-key'])
      if (key !== undefined) return key === auth.apiKey ? undefined : gemini.error(400, 'API key not valid. Please pass a valid API key.')
      const authorization = headerValue(request.headers.authorization)
      if (authorization === undefined || !authorization.startsWith('Bearer ')) {
        return unauthenticated('Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential.')
      }
      return auth.tokens.valid(authorization.slice(7)) ? undefined : unauthenticated('Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.')
    },
    error: (status, message) => gemini.error(status, message),
    answer(route, body, request, plan) {
      if (route.operation === 'rawPredict' || route.operation === 'streamRawPredict') return anthropicAnswer(route, body, plan)
      if (route.operation === 'token' || route.operation === 'metadata-token') return gemini.error(400)
      return gemini.answer({ operation: route.operation, model: route.model }, body, request, plan)
    },
  }
}
