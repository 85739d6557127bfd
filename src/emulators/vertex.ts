// Vertex AI emulator: the publisher-model paths (providers/vertex-path.ts) for Google's models —
// generateContent, streamGenerateContent (SSE with `?alt=sse`, else a JSON array), countTokens,
// answered as the Gemini emulator answers them — and Anthropic's rawPredict / streamRawPredict
// (vertex-anthropic.ts: an Anthropic message or its SSE events, text or a tool call), plus
// Google's token endpoint (`POST /token`, vertex-token.ts) and the metadata server's token path
// (`GET /computeMetadata/v1/instance/service-accounts/default/token`). With auth, model calls need a Bearer
// token the endpoint issued (or the express-mode key in x-goog-api-key); errors are Google's shape.
import { headerValue } from '../providers/sigv4-header.js'
import { parseVertexPath } from '../providers/vertex-path.js'
import { createGeminiEmulator } from './gemini.js'
import { jsonReply, type JsonReply, type ProviderEmulator } from './server.js'
import { anthropicAnswer } from './vertex-anthropic.js'
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
      if (route.operation === 'rawPredict' || route.operation === 'streamRawPredict') {
        return anthropicAnswer(route.model, route.operation === 'streamRawPredict', body, plan)
      }
      if (route.operation === 'token' || route.operation === 'metadata-token') return gemini.error(400)
      return gemini.answer({ operation: route.operation, model: route.model }, body, request, plan)
    },
  }
}
