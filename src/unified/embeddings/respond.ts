// A target's 2xx embeddings answer, whole, as OpenAI's embeddings response
// (docs/unified.md#embeddings): `{object: "list", data: [{object: "embedding", index, embedding}],
// model, usage: {prompt_tokens, total_tokens}}`, with the virtual model's name as `model` and each
// embedding as floats or, for `encoding_format: "base64"`, little-endian float32 bytes in base64
// (what OpenAI sends and its SDKs decode).
import type { ProviderType } from '../../core/wire.js'
import { parseBoundedJsonObject } from '../../providers/request.js'
import type { EmbeddingsRequest, EncodingFormat } from './request.js'
import { embeddingsTranslators, type NativeEmbedding } from './translators.js'

export interface EmbeddingItem {
  object: 'embedding'
  index: number
  embedding: readonly number[] | string
}

export interface EmbeddingsResponse {
  object: 'list'
  data: EmbeddingItem[]
  model: string
  usage: { prompt_tokens: number; total_tokens: number }
}

export type EmbeddingsResult = { readonly ok: true; readonly body: string } | { readonly ok: false; readonly message: string }

/** Float32, little-endian, base64: OpenAI's `encoding_format: "base64"`. */
export function base64Embedding(vector: readonly number[]): string {
  const bytes = Buffer.allocUnsafe(vector.length * 4)
  for (let i = 0; i < vector.length; i++) bytes.writeFloatLE(vector[i]!, i * 4)
  return bytes.toString('base64')
}

/** Base64 float32s back to numbers (an OpenAI-compatible target that answers base64 unasked). */
function floats(base64: string): number[] {
  const bytes = Buffer.from(base64, 'base64')
  const out: number[] = []
  for (let at = 0; at + 4 <= bytes.length; at += 4) out.push(bytes.readFloatLE(at))
  return out
}

/** The client gets the encoding it asked for, whichever the target answered in. */
function encoded(embedding: NativeEmbedding, format: EncodingFormat): readonly number[] | string {
  if (typeof embedding === 'string') return format === 'base64' ? embedding : floats(embedding)
  return format === 'base64' ? base64Embedding(embedding) : embedding
}

/**
 * The client's answer from `provider`'s native JSON `body`; `promptTokens` is the usage Sluice
 * counts for it (read from the answer, or estimated when it states none). A string failure
 * names what was wrong with the body.
 */
export function embeddingsAnswer(provider: ProviderType, body: Buffer, request: EmbeddingsRequest, promptTokens: number): EmbeddingsResult {
  const json = parseBoundedJsonObject(body)
  if (json === undefined) return { ok: false, message: `${provider}: the response body is not a JSON object.` }
  const embeddings = embeddingsTranslators[provider].vectors(json, request)
  if (typeof embeddings === 'string') return { ok: false, message: `${provider}: ${embeddings}` }
  if (embeddings.length !== request.count) {
    return { ok: false, message: `${provider}: the answer has ${embeddings.length} embeddings for ${request.count} inputs.` }
  }
  const response: EmbeddingsResponse = {
    object: 'list',
    data: embeddings.map((embedding, index) => ({ object: 'embedding', index, embedding: encoded(embedding, request.encodingFormat) })),
    model: request.model,
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  }
  return { ok: true, body: JSON.stringify(response) }
}
