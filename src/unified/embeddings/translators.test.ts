// The embeddings translators, pure: each provider type's native request from a checked OpenAI
// embeddings request (or the reason it cannot take it), and its answer read back.
import { describe, expect, it } from 'vitest'
import type { ProviderType } from '../../core/wire.js'
import { parseEmbeddingsRequest, type EmbeddingsRequest } from './request.js'
import { base64Embedding, embeddingsAnswer } from './respond.js'
import { embeddingsTranslators } from './translators.js'

/** An array of `n` texts that prints short in a test's name. */
function many(n: number): string[] {
  const texts = Array.from({ length: n }, () => 'a')
  Object.defineProperty(texts, 'toJSON', { value: () => `<${n} texts>` })
  return texts
}

function request(json: Record<string, unknown>): EmbeddingsRequest {
  const parsed = parseEmbeddingsRequest({ model: 'vm', ...json })
  if (!parsed.ok) throw new Error(parsed.message)
  return parsed.request
}

describe('parseEmbeddingsRequest', () => {
  it.each([
    [{ input: 'a' }, { texts: ['a'], single: true, count: 1, encodingFormat: 'float' }],
    [{ input: ['a', 'b'], encoding_format: 'base64' }, { texts: ['a', 'b'], single: false, count: 2, encodingFormat: 'base64' }],
    [{ input: [1, 2, 3] }, { texts: undefined, single: true, count: 1 }],
    [{ input: [[1, 2], [3]] }, { texts: undefined, single: false, count: 2 }],
    [{ input: 'a', dimensions: 256, input_type: 'search_query', user: 'u' }, { dimensions: 256, inputType: 'search_query' }],
  ])('%j', (json, expected) => {
    expect(request(json)).toMatchObject(expected)
  })

  it.each([
    [{ model: 'vm' }, '`input` must be'],
    [{ model: '', input: 'a' }, '`model`'],
    [{ model: 'vm', input: [[1], 'a'] }, '`input` must be'],
    [{ model: 'vm', input: [[]] }, '`input` must be'],
    [{ model: 'vm', input: [-1] }, '`input` must be'],
    [{ model: 'vm', input: many(2049) }, 'at most 2048'],
    [{ model: 'vm', input: 'a', dimensions: 1.5 }, '`dimensions`'],
    [{ model: 'vm', input: 'a', input_type: 'poetry' }, '`input_type`'],
    [{ model: 'vm', input: 'a', encoding_format: 'float16' }, '`encoding_format`'],
  ])('refuses %j', (json, message) => {
    const parsed = parseEmbeddingsRequest(json)
    expect(parsed.ok).toBe(false)
    if (!parsed.ok) expect(parsed.message).toContain(message)
  })
})

describe('toNative', () => {
  it.each<[ProviderType, string, Record<string, unknown>, string, Record<string, unknown>]>([
    ['bedrock', 'amazon.titan-embed-text-v2:0', { input: 'hi', dimensions: 512 }, '/model/amazon.titan-embed-text-v2%3A0/invoke', { inputText: 'hi', dimensions: 512, normalize: true }],
    ['bedrock', 'amazon.titan-embed-text-v1', { input: 'hi' }, '/model/amazon.titan-embed-text-v1/invoke', { inputText: 'hi' }],
    ['bedrock', 'us.cohere.embed-v4:0', { input: ['a', 'b'], dimensions: 256 }, '/model/us.cohere.embed-v4%3A0/invoke', { texts: ['a', 'b'], input_type: 'search_document', output_dimension: 256 }],
    ['bedrock', 'cohere.embed-multilingual-v3', { input: 'q', input_type: 'search_query' }, '/model/cohere.embed-multilingual-v3/invoke', { texts: ['q'], input_type: 'search_query' }],
    ['gemini', 'gemini-embedding-001', { input: 'hi', dimensions: 8 }, '/v1beta/models/gemini-embedding-001:embedContent', { content: { parts: [{ text: 'hi' }] }, outputDimensionality: 8 }],
    ['gemini', 'models/text-embedding-004', { input: ['a'] }, '/v1beta/models/text-embedding-004:batchEmbedContents', { requests: [{ model: 'models/text-embedding-004', content: { parts: [{ text: 'a' }] } }] }],
    ['openai', 'text-embedding-3-large', { input: [[1, 2]], dimensions: 64 }, '/v1/embeddings', { model: 'text-embedding-3-large', input: [[1, 2]], dimensions: 64 }],
  ])('%s %s', (type, model, json, path, body) => {
    expect(embeddingsTranslators[type].toNative(request(json), model)).toEqual({ ok: true, path, body })
  })

  it.each<[ProviderType, string, Record<string, unknown>, string]>([
    ['bedrock', 'anthropic.claude-3-haiku-20240307-v1:0', { input: 'hi' }, 'is not an embedding model'],
    ['bedrock', 'amazon.titan-embed-text-v2:0', { input: ['a', 'b'] }, 'one text per call'],
    ['bedrock', 'amazon.titan-embed-text-v2:0', { input: 'a', dimensions: 300 }, '256, 512 or 1024'],
    ['bedrock', 'amazon.titan-embed-text-v1', { input: 'a', dimensions: 256 }, 'takes no `dimensions`'],
    ['bedrock', 'cohere.embed-english-v3', { input: 'a', dimensions: 256 }, 'Cohere Embed v4'],
    ['bedrock', 'cohere.embed-english-v3', { input: many(97) }, 'at most 96'],
    ['bedrock', 'cohere.embed-english-v3', { input: [1, 2] }, 'token ids'],
    ['gemini', 'gemini-2.5-flash', { input: 'a' }, 'not a Gemini embedding model'],
    ['gemini', 'gemini-embedding-001', { input: many(101) }, 'at most 100'],
    ['llama', 'Llama-4-Maverick-17B-128E-Instruct-FP8', { input: 'a' }, 'no embeddings endpoint'],
    ['vertex', 'text-embedding-005', { input: 'a' }, ':predict'],
  ])('%s %s refuses %j', (type, model, json, message) => {
    const native = embeddingsTranslators[type].toNative(request(json), model)
    expect(native.ok).toBe(false)
    if (!native.ok) expect(native.message).toContain(message)
  })
})

describe('embeddingsAnswer', () => {
  const answer = (type: ProviderType, body: unknown, json: Record<string, unknown>, tokens = 3) =>
    embeddingsAnswer(type, Buffer.from(JSON.stringify(body)), request(json), tokens)

  it.each<[ProviderType, unknown, Record<string, unknown>, unknown[]]>([
    ['bedrock', { embedding: [0.5, -1], inputTextTokenCount: 3 }, { input: 'a' }, [[0.5, -1]]],
    ['bedrock', { embeddings: [[1], [2]], response_type: 'embeddings_floats' }, { input: ['a', 'b'] }, [[1], [2]]],
    ['bedrock', { embeddings: { float: [[1], [2]] }, response_type: 'embeddings_by_type' }, { input: ['a', 'b'] }, [[1], [2]]],
    ['gemini', { embedding: { values: [0.25] } }, { input: 'a' }, [[0.25]]],
    ['gemini', { embeddings: [{ values: [1] }, { values: [2] }] }, { input: ['a', 'b'] }, [[1], [2]]],
    // Put back in input order by `index`.
    ['openai', { data: [{ index: 1, embedding: [2] }, { index: 0, embedding: [1] }] }, { input: ['a', 'b'] }, [[1], [2]]],
    ['openai', { data: [{ index: 0, embedding: 'AACAPw==' }] }, { input: 'a', encoding_format: 'base64' }, ['AACAPw==']],
    // Whichever encoding the target answered in, the client gets the one it asked for.
    ['openai', { data: [{ index: 0, embedding: 'AACAPwAAAL8=' }] }, { input: 'a' }, [[1, -0.5]]],
    ['openai', { data: [{ index: 0, embedding: [1] }] }, { input: 'a', encoding_format: 'base64' }, ['AACAPw==']],
  ])('%s %j', (type, body, json, embeddings) => {
    const result = answer(type, body, json)
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(JSON.parse(result.body)).toEqual({
      object: 'list',
      data: embeddings.map((embedding, index) => ({ object: 'embedding', index, embedding })),
      model: 'vm',
      usage: { prompt_tokens: 3, total_tokens: 3 },
    })
  })

  it('base64 is little-endian float32, as OpenAI sends it', () => {
    expect(base64Embedding([1])).toBe('AACAPw==')
    const result = answer('gemini', { embedding: { values: [1, -0.5] } }, { input: 'a', encoding_format: 'base64' })
    expect(result.ok && (JSON.parse(result.body) as { data: [{ embedding: string }] }).data[0].embedding).toBe(Buffer.from(new Float32Array([1, -0.5]).buffer).toString('base64'))
  })

  it.each<[ProviderType, unknown, Record<string, unknown>, string]>([
    ['bedrock', { embeddings: [[1]] }, { input: ['a', 'b'] }, 'bedrock: the answer has 1 embeddings for 2 inputs.'],
    ['bedrock', { nothing: true }, { input: 'a' }, 'bedrock: the answer has no `embedding` (Titan) or `embeddings` (Cohere) vectors.'],
    ['gemini', { embeddings: [{ values: ['x'] }] }, { input: ['a'] }, 'gemini: an item of `embeddings` has no `values`.'],
    ['openai', { data: [{ index: 5, embedding: [1] }] }, { input: 'a' }, 'openai: no item of `data` has index 0.'],
    ['openai', 'not an object', { input: 'a' }, 'openai: the response body is not a JSON object.'],
  ])('%s %j fails', (type, body, json, message) => {
    expect(answer(type, body, json)).toEqual({ ok: false, message })
  })
})
