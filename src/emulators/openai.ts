// OpenAI emulator: `POST /v1/chat/completions`, `/v1/responses` and `/v1/embeddings`, `GET
// /v1/models` and `/v1/models/{id}` (models-list.ts), with
// `Authorization: Bearer <apiKey>` and OpenAI's `{"error":{message,type,param,code}}` errors.
import { countInputTokens, embed, intField } from './content.js'
import { checkBearer, type KeyAuth } from './key-auth.js'
import { chatCompletion, openaiError, openaiStatusError } from './openai-chat.js'
import { responsesAnswer } from './openai-responses.js'
import { OPENAI_MODELS, modelsPathId, openAiModels } from './models-list.js'
import { jsonReply, type ProviderEmulator, type Reply } from './server.js'

type Operation = 'chat.completions' | 'responses' | 'embeddings' | 'models.list' | 'models.get'

interface OpenAIRoute {
  readonly operation: Operation
}

const ROUTES: Readonly<Record<string, OpenAIRoute>> = {
  '/v1/chat/completions': { operation: 'chat.completions' },
  '/v1/responses': { operation: 'responses' },
  '/v1/embeddings': { operation: 'embeddings' },
}

/** Default embedding width when the request names no `dimensions`. */
const EMBEDDING_DIMENSIONS = 16

function embeddings(body: Record<string, unknown>): Reply {
  const model = typeof body.model === 'string' ? body.model : ''
  // One string or one token-id array is one input; an array of either is a batch.
  const one = typeof body.input === 'string' || (Array.isArray(body.input) && body.input.length > 0 && body.input.every((t) => typeof t === 'number'))
  const inputs = one ? [body.input] : Array.isArray(body.input) ? body.input : undefined
  if (model === '' || inputs === undefined || inputs.length === 0) return openaiStatusError(400, "'input' and 'model' are required.")
  // Token-id arrays count one token per id; strings by the shared character rule.
  const texts = inputs.map((input) => (typeof input === 'string' ? input : JSON.stringify(input)))
  const promptTokens = inputs.reduce<number>((sum, input, i) => sum + (Array.isArray(input) ? input.length : countInputTokens(texts[i]!)), 0)
  const dimensions = intField(body.dimensions) ?? EMBEDDING_DIMENSIONS
  const base64 = body.encoding_format === 'base64'
  const data = texts.map((text, index) => {
    const vector = embed(text, dimensions)
    // The SDK asks for base64 by default: little-endian float32s.
    const embedding = base64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector
    return { object: 'embedding', index, embedding }
  })
  return jsonReply(200, { object: 'list', data, model, usage: { prompt_tokens: promptTokens, total_tokens: promptTokens } })
}

export function createOpenAIEmulator(auth: KeyAuth | undefined): ProviderEmulator<OpenAIRoute> {
  return {
    match(method, path) {
      if (method === 'POST') return ROUTES[path]
      const id = method === 'GET' ? modelsPathId(path, '/v1') : undefined
      return id === undefined ? undefined : { operation: id === '' ? 'models.list' : 'models.get' }
    },
    authenticate: (request) =>
      auth === undefined ? undefined : checkBearer(request, auth.apiKey, (message) => openaiError(401, message, 'invalid_request_error', 'invalid_api_key')),
    error: openaiStatusError,
    answer(route, body, request, plan) {
      if (route.operation === 'chat.completions') return chatCompletion(body, plan)
      if (route.operation === 'responses') return responsesAnswer(body, plan)
      if (route.operation === 'embeddings') return embeddings(body)
      const notFound = (message: string) => openaiError(404, message, 'invalid_request_error', 'model_not_found')
      return openAiModels(OPENAI_MODELS, 'openai', modelsPathId(request.path, '/v1') ?? '', notFound)
    },
  }
}
