// One embeddings translator per provider type (docs/unified.md#embeddings), looked up by a
// target's mount type as the chat translators are: `toNative` builds the target's native
// embeddings request from the checked OpenAI request, `vectors` reads a 2xx answer's embeddings in
// input order. Bedrock's InvokeModel takes the model's own body (Titan: one text per call;
// Cohere: up to 96 texts), Gemini takes `:embedContent` or `:batchEmbedContents`, an OpenAI target
// the client's body with its model. The Llama API has no embeddings; Vertex AI's (`:predict`) are
// not recognised by Sluice's Vertex adapter yet: both are refused with the reason.
import type { ProviderType } from '../../core/wire.js'
import { isObject, type JsonObject } from '../../providers/request.js'
import type { NativeRequestResult } from '../types.js'
import type { EmbeddingsRequest } from './request.js'

/** One input's embedding as the answer gives it: floats, or (OpenAI, when asked) already base64. */
export type NativeEmbedding = readonly number[] | string

export interface EmbeddingsTranslator {
  /** The target's native request for native model `model`; `{ok: false}` says why it cannot take this one. */
  toNative(request: EmbeddingsRequest, model: string): NativeRequestResult
  /** The embeddings of a 2xx JSON answer, one per input in order; a string says why they cannot be read. */
  vectors(body: JsonObject, request: EmbeddingsRequest): readonly NativeEmbedding[] | string
}

const COHERE_MAX_TEXTS = 96
const GEMINI_MAX_REQUESTS = 100
const TITAN_V2_DIMENSIONS = new Set([256, 512, 1024])
const COHERE_V4_DIMENSIONS = new Set([256, 512, 1024, 1536])

const isVector = (value: unknown): value is number[] => Array.isArray(value) && value.every((v) => typeof v === 'number')

const refuse = (message: string): NativeRequestResult => ({ ok: false, message })

const TEXT_ONLY = 'takes text only, and `input` is token ids.'

/** `amazon.titan-embed-text-v2:0`, also behind an ARN or a cross-region prefix. */
const family = (model: string): 'titan' | 'cohere' | undefined =>
  /(?:^|[./])amazon\.titan-embed/i.test(model) ? 'titan' : /(?:^|[./])cohere\.embed/i.test(model) ? 'cohere' : undefined

function invokePath(model: string): string {
  return `/model/${encodeURIComponent(model)}/invoke`
}

function titan(request: EmbeddingsRequest, model: string, texts: readonly string[]): NativeRequestResult {
  if (texts.length > 1) return refuse(`Titan embeds one text per call (InvokeModel), and \`input\` has ${texts.length}.`)
  const body: JsonObject = { inputText: texts[0] }
  const v2 = /titan-embed-text-v2/i.test(model)
  if (request.dimensions !== undefined) {
    if (!v2 || !TITAN_V2_DIMENSIONS.has(request.dimensions)) return refuse(`${model} takes no \`dimensions\` of ${request.dimensions} (Titan Text Embeddings V2 takes 256, 512 or 1024).`)
    body.dimensions = request.dimensions
  }
  // OpenAI's embeddings have length 1; so are Titan V2's when asked.
  if (v2) body.normalize = true
  return { ok: true, path: invokePath(model), body }
}

function cohere(request: EmbeddingsRequest, model: string, texts: readonly string[]): NativeRequestResult {
  if (texts.length > COHERE_MAX_TEXTS) return refuse(`Cohere embeds at most ${COHERE_MAX_TEXTS} texts per call, and \`input\` has ${texts.length}.`)
  const body: JsonObject = { texts, input_type: request.inputType ?? 'search_document' }
  if (request.dimensions !== undefined) {
    if (!/cohere\.embed-v4/i.test(model) || !COHERE_V4_DIMENSIONS.has(request.dimensions)) {
      return refuse(`${model} takes no \`dimensions\` of ${request.dimensions} (Cohere Embed v4 takes 256, 512, 1024 or 1536).`)
    }
    body.output_dimension = request.dimensions
  }
  return { ok: true, path: invokePath(model), body }
}

const bedrock: EmbeddingsTranslator = {
  toNative(request, model) {
    const kind = family(model)
    if (kind === undefined) return refuse(`${model} is not an embedding model Sluice can call on Bedrock (amazon.titan-embed-*, cohere.embed-*).`)
    if (request.texts === undefined) return refuse(`Bedrock ${TEXT_ONLY}`)
    return kind === 'titan' ? titan(request, model, request.texts) : cohere(request, model, request.texts)
  },
  vectors(body) {
    if (isVector(body.embedding)) return [body.embedding] // Titan
    let embeddings = body.embeddings // Cohere: floats, or by type when `embedding_types` was given
    if (isObject(embeddings)) embeddings = embeddings.float
    if (Array.isArray(embeddings) && embeddings.every(isVector)) return embeddings
    return 'the answer has no `embedding` (Titan) or `embeddings` (Cohere) vectors.'
  },
}

/** `gemini-embedding-001` → `models/gemini-embedding-001`; `models/…` and `tunedModels/…` are kept. */
function resource(model: string): string {
  if (/^(models|tunedModels)\/[^/]+$/.test(model)) return model
  return `models/${encodeURIComponent(model)}`
}

const gemini: EmbeddingsTranslator = {
  toNative(request, model) {
    // Every Gemini API embedding model names itself so (gemini-embedding-001, text-embedding-004).
    if (!model.includes('embedding')) return refuse(`${model} is not a Gemini embedding model (gemini-embedding-*, text-embedding-*).`)
    const { texts } = request
    if (texts === undefined) return refuse(`Gemini ${TEXT_ONLY}`)
    const name = resource(model)
    const one = (text: string): JsonObject => ({
      content: { parts: [{ text }] },
      ...(request.dimensions === undefined ? {} : { outputDimensionality: request.dimensions }),
    })
    if (request.single) return { ok: true, path: `/v1beta/${name}:embedContent`, body: one(texts[0]!) }
    if (texts.length > GEMINI_MAX_REQUESTS) return refuse(`Gemini embeds at most ${GEMINI_MAX_REQUESTS} texts per call, and \`input\` has ${texts.length}.`)
    return { ok: true, path: `/v1beta/${name}:batchEmbedContents`, body: { requests: texts.map((text) => ({ model: name, ...one(text) })) } }
  },
  vectors(body, request) {
    if (request.single) {
      const values = isObject(body.embedding) ? body.embedding.values : undefined
      return isVector(values) ? [values] : 'the answer has no `embedding.values`.'
    }
    const list = body.embeddings
    if (!Array.isArray(list)) return 'the answer has no `embeddings`.'
    const out: number[][] = []
    for (const item of list) {
      const values = isObject(item) ? item.values : undefined
      if (!isVector(values)) return 'an item of `embeddings` has no `values`.'
      out.push(values)
    }
    return out
  },
}

const openai: EmbeddingsTranslator = {
  toNative: (request, model) => ({ ok: true, path: '/v1/embeddings', body: { ...request.json, model } }),
  vectors(body) {
    const { data } = body
    if (!Array.isArray(data)) return 'the answer has no `data`.'
    const out: NativeEmbedding[] = []
    for (const [i, item] of data.entries()) {
      const embedding = isObject(item) ? item.embedding : undefined
      if (!isVector(embedding) && typeof embedding !== 'string') return `\`data[${i}]\` has no \`embedding\`.`
      // Answers are in input order, and say so by `index`; an upstream that reorders is put back.
      const index = isObject(item) && Number.isInteger(item.index) ? (item.index as number) : i
      out[index] = embedding
    }
    for (let i = 0; i < data.length; i++) if (out[i] === undefined) return `no item of \`data\` has index ${i}.`
    return out
  },
}

const unsupported = (message: string): EmbeddingsTranslator => ({ toNative: () => refuse(message), vectors: () => message })

export const embeddingsTranslators: Readonly<Record<ProviderType, EmbeddingsTranslator>> = {
  bedrock,
  gemini,
  openai,
  llama: unsupported('The Llama API has no embeddings endpoint.'),
  vertex: unsupported("Vertex AI's embedding models answer on `:predict`, which Sluice does not translate yet."),
}
