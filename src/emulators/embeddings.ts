// Embeddings the emulators answer, with the shared deterministic vectors (content.ts `embed`) and
// token rule (`countInputTokens`). Gemini's `:embedContent` answers `{embedding: {values}}` and
// `:batchEmbedContents` `{embeddings: [{values}]}` — the Gemini API reports no usage for either.
// Bedrock's InvokeModel on a Titan embedding model takes `{inputText, dimensions?}` and answers
// `{embedding, inputTextTokenCount}`; on a Cohere one `{texts, input_type}` →
// `{embeddings, id, response_type: 'embeddings_floats', texts}`; both with Bedrock's
// `x-amzn-bedrock-input-token-count` header, as every InvokeModel answer has.
import { countInputTokens, embed, intField, isRecord, textOf } from './content.js'
import { jsonReply, type JsonReply, type Reply } from './server.js'

const GEMINI_DIMENSIONS = 16
const TITAN_DIMENSIONS = 16
const COHERE_DIMENSIONS = 16

/** One Gemini `{content, outputDimensionality}` as a vector; undefined when it has no text part. */
function geminiVector(request: Record<string, unknown>): { values: number[] } | undefined {
  const content = request.content
  if (!isRecord(content) || !Array.isArray(content.parts)) return undefined
  const text = textOf(content.parts)
  return { values: embed(text, intField(request.outputDimensionality) ?? GEMINI_DIMENSIONS) }
}

/** `:embedContent` (`batch` false) or `:batchEmbedContents` for `models/{model}`. */
export function geminiEmbedding(model: string, batch: boolean, body: Record<string, unknown>, error: (status: number, message: string) => JsonReply): Reply {
  if (!batch) {
    const vector = geminiVector(body)
    return vector === undefined ? error(400, '* EmbedContentRequest.content: contents must not be empty') : jsonReply(200, { embedding: vector })
  }
  if (!Array.isArray(body.requests) || body.requests.length === 0) return error(400, '* BatchEmbedContentsRequest.requests: must not be empty')
  const embeddings: { values: number[] }[] = []
  for (const [i, request] of body.requests.entries()) {
    if (!isRecord(request)) return error(400, `* BatchEmbedContentsRequest.requests[${i}]: must be an object`)
    // The API refuses a batch whose requests name another model than the path.
    if (request.model !== undefined && request.model !== `models/${model}`) {
      return error(400, `* BatchEmbedContentsRequest.requests[${i}].model: unexpected model name format`)
    }
    const vector = geminiVector(request)
    if (vector === undefined) return error(400, `* BatchEmbedContentsRequest.requests[${i}].content: contents must not be empty`)
    embeddings.push(vector)
  }
  return jsonReply(200, { embeddings })
}

let idCounter = 0

function tokenHeaders(inputTokens: number): Record<string, string> {
  return { 'x-amzn-bedrock-input-token-count': String(inputTokens), 'x-amzn-bedrock-output-token-count': '0', 'x-amzn-bedrock-invocation-latency': '0' }
}

/**
 * InvokeModel on an embedding model (Titan `amazon.titan-embed-*`, Cohere `cohere.embed-*`);
 * undefined for any other model, which answers text.
 */
export function bedrockEmbedding(modelId: string, body: Record<string, unknown>, error: (message: string) => JsonReply): Reply | undefined {
  if (modelId.includes('amazon.titan-embed')) {
    if (typeof body.inputText !== 'string' || body.inputText === '') return error('Malformed input request: #: required key [inputText] not found')
    const inputTokens = countInputTokens(body.inputText)
    const embedding = embed(body.inputText, intField(body.dimensions) ?? TITAN_DIMENSIONS)
    return jsonReply(200, { embedding, inputTextTokenCount: inputTokens }, tokenHeaders(inputTokens))
  }
  if (modelId.includes('cohere.embed')) {
    const texts = body.texts
    if (!Array.isArray(texts) || texts.length === 0 || !texts.every((t) => typeof t === 'string')) return error('Malformed input request: texts must be a non-empty array of strings')
    if (typeof body.input_type !== 'string') return error('Malformed input request: #: required key [input_type] not found')
    const inputTokens = texts.reduce<number>((sum, text) => sum + countInputTokens(text), 0)
    const embeddings = texts.map((text) => embed(text, COHERE_DIMENSIONS))
    return jsonReply(200, { embeddings, id: `emb-emu${++idCounter}`, response_type: 'embeddings_floats', texts }, tokenHeaders(inputTokens))
  }
  return undefined
}
