// Property tests for each adapter's pure request reading: for any method,
// path, query, headers and body, `recognise` and `presentedCredential` never throw, leave the
// request as it was, and answer a well-formed Recognition / PresentedCredential: a known operation
// of that adapter whose stream flag and format agree, a non-empty model, a finite non-negative
// maxTokens, or one of the three refusal codes with a detail.
import fc from 'fast-check'
import type { IncomingHttpHeaders } from 'node:http'
import { describe, expect, it } from 'vitest'
import { anyBytes, runs, statedCount } from '../../test/support/arbitraries.js'
import { ProviderTypes, type NativeRequest, type ProviderType, type Recognition } from '../core/wire.js'
import { adapters } from './index.js'

/** Each adapter's operations: name → the stream formats it may answer in. */
const OPERATIONS: Record<ProviderType, Record<string, readonly string[]>> = {
  openai: { 'chat.completions': ['none', 'sse'], responses: ['none', 'sse'], embeddings: ['none'], 'models.list': ['none'], 'models.get': ['none'] },
  llama: { 'chat.completions': ['none', 'sse'], 'compat.chat.completions': ['none', 'sse'], 'models.list': ['none'], 'models.get': ['none'] },
  gemini: {
    generateContent: ['none'],
    streamGenerateContent: ['sse', 'json-array'],
    countTokens: ['none'],
    embedContent: ['none'],
    batchEmbedContents: ['none'],
    'models.list': ['none'],
    'models.get': ['none'],
  },
  bedrock: { converse: ['none'], 'converse-stream': ['eventstream'], invoke: ['none'], 'invoke-stream': ['eventstream'], 'count-tokens': ['none'] },
  vertex: { generateContent: ['none'], streamGenerateContent: ['sse', 'json-array'], countTokens: ['none'], rawPredict: ['none', 'sse'], streamRawPredict: ['sse'] },
}
const CODES = ['SLUICE_ERR_OPERATION_UNSUPPORTED', 'SLUICE_ERR_REQUEST_MALFORMED', 'SLUICE_ERR_MODEL_INVALID']

function expectWellFormed(type: ProviderType, recognition: Recognition): void {
  if (!recognition.ok) {
    expect(Object.keys(recognition).sort()).toEqual(['code', 'detail', 'ok'])
    expect(CODES).toContain(recognition.code)
    expect(typeof recognition.detail).toBe('string')
    return
  }
  const { operation } = recognition
  const formats = OPERATIONS[type][operation.name]
  expect(formats, `${type} has no operation ${operation.name}`).toBeDefined()
  expect(formats).toContain(operation.streamFormat)
  expect(operation.stream).toBe(operation.streamFormat !== 'none')
  // Only a model list names no model.
  expect(typeof operation.model === 'string' && (operation.model !== '' || operation.name === 'models.list')).toBe(true)
  expect(operation.read === true).toBe(operation.name.startsWith('models.'))
  if ('maxTokens' in operation) expect(Number.isFinite(operation.maxTokens) && operation.maxTokens! >= 0).toBe(true)
}

// A path segment as a client might percent-encode it, or not, or badly.
const segment = fc.string({ unit: fc.oneof(fc.constantFrom('%', '%2F', '%3A', '%E0%A4%A', '%ZZ', ':', '/', 'a', '.', '-', 'v1'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength: 8 })
const path = fc.oneof(
  fc.constantFrom('/v1/chat/completions', '/v1/responses', '/v1/embeddings', '/compat/v1/chat/completions', '/v1/models', '/compat/v1/models', '/v1beta/models', '/', ''),
  segment.map((id) => `/v1/models/${id}`),
  fc.tuple(fc.constantFrom('v1beta', 'v1', ''), fc.constantFrom('models/', 'tunedModels/', 'files/'), segment).map(([version, collection, id]) => `/${version}/${collection}${id}`),
  fc
    .tuple(fc.constantFrom('v1beta', 'v1', 'x', ''), fc.constantFrom('models/', 'tunedModels/', 'files/', ''), segment, fc.constantFrom('generateContent', 'streamGenerateContent', 'countTokens', 'embedContent', ''))
    .map(([version, collection, model, method]) => `/${version}/${collection}${model}:${method}`),
  fc.tuple(segment, fc.constantFrom('converse', 'converse-stream', 'invoke', 'invoke-with-response-stream', 'count-tokens', 'converse-async', '')).map(([model, action]) => `/model/${model}/${action}`),
  fc.string({ maxLength: 30 }),
)
const modelId = fc.oneof({ arbitrary: fc.stringMatching(/^[a-z0-9.:-]{1,12}(%3A0)?$/), weight: 3 }, segment)
/** Each adapter's own routes, so that most cases get past the path to the body. */
const ownPath: Record<ProviderType, fc.Arbitrary<string>> = {
  openai: fc.constantFrom('/v1/chat/completions', '/v1/responses', '/v1/embeddings'),
  llama: fc.constantFrom('/v1/chat/completions', '/compat/v1/chat/completions'),
  gemini: fc
    .tuple(fc.constantFrom('v1beta', 'v1'), fc.constantFrom('models/', 'tunedModels/'), modelId, fc.constantFrom('generateContent', 'streamGenerateContent', 'countTokens', 'embedContent', 'batchEmbedContents'))
    .map(([version, collection, model, name]) => `/${version}/${collection}${model}:${name}`),
  bedrock: fc.tuple(modelId, fc.constantFrom('converse', 'converse-stream', 'invoke', 'invoke-with-response-stream', 'count-tokens')).map(([model, action]) => `/model/${model}/${action}`),
  vertex: fc
    .tuple(fc.constantFrom('/v1', '/v1beta1/projects/p/locations/us-central1', '/v1/projects//locations/l'), fc.constantFrom('google', 'anthropic', 'meta'), modelId, fc.constantFrom('generateContent', 'streamGenerateContent', 'countTokens', 'rawPredict', 'streamRawPredict', 'predict'))
    .map(([scope, publisher, model, name]) => `${scope}/publishers/${publisher}/models/${model}:${name}`),
}
const method = fc.oneof({ arbitrary: fc.constant('POST'), weight: 6 }, fc.constantFrom('GET', 'post', 'PUT', ''), fc.string({ maxLength: 6 }))
const query = fc.oneof(fc.constantFrom('', 'alt=sse', 'alt=sse&key=k', 'key=', 'key=%ZZ', 'alt=%73se', 'alt=json'), fc.string({ maxLength: 20 }))
const headerValue = fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('Bearer k', 'bearer ', 'Basic eDp5', 'AWS4-HMAC-SHA256 Credential=A'), fc.array(fc.string({ maxLength: 8 }), { maxLength: 2 }))
const headers: fc.Arbitrary<IncomingHttpHeaders> = fc
  .array(fc.tuple(fc.oneof(fc.constantFrom('authorization', 'x-goog-api-key', 'content-type'), fc.string({ maxLength: 8 })), headerValue), { maxLength: 4 })
  .map((entries) => Object.fromEntries(entries))

const anyJson = fc.jsonValue({ maxDepth: 2 })
function maybe<T>(arb: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc.oneof({ arbitrary: arb, weight: 3 }, anyJson)
}
/** A body with the fields the adapters read, each usually of its documented type. */
const shapedBody = fc.record(
  {
    model: maybe(fc.string({ minLength: 1, maxLength: 8 })),
    stream: maybe(fc.boolean()),
    max_tokens: statedCount,
    max_completion_tokens: statedCount,
    max_output_tokens: statedCount,
    max_gen_len: statedCount,
    inferenceConfig: maybe(fc.record({ maxTokens: statedCount, max_new_tokens: statedCount }, { requiredKeys: [] })),
    generationConfig: maybe(fc.record({ maxOutputTokens: statedCount }, { requiredKeys: [] })),
    textGenerationConfig: maybe(fc.record({ maxTokenCount: statedCount }, { requiredKeys: [] })),
    messages: anyJson,
    // Gemini embeddings' text (embedContent, batchEmbedContents).
    content: maybe(fc.record({ parts: maybe(fc.array(fc.record({ text: maybe(fc.string({ maxLength: 12 })) }), { maxLength: 3 })) })),
    requests: maybe(fc.array(fc.record({ content: anyJson }), { maxLength: 3 })),
  },
  { requiredKeys: [] },
)
const body = fc.oneof(
  { arbitrary: shapedBody.map((b) => Buffer.from(JSON.stringify(b))), weight: 3 },
  anyJson.map((v) => Buffer.from(JSON.stringify(v))),
  anyBytes,
  fc.constant(Buffer.alloc(0)),
)
function requestFor(type: ProviderType): fc.Arbitrary<NativeRequest> {
  return fc.record({ method, path: fc.oneof({ arbitrary: ownPath[type], weight: 3 }, path), query, headers, body })
}

describe('adapter recognise and presentedCredential properties', () => {
  it.each(ProviderTypes)('%s: never throw, never change the request, and answer well-formed values', (type) => {
    const adapter = adapters[type]
    fc.assert(
      fc.property(requestFor(type), (req) => {
        const bodyBefore = Buffer.from(req.body)
        const headersBefore = structuredClone(req.headers)
        const recognition = adapter.recognise(req)
        expectWellFormed(type, recognition)
        expect(adapter.recognise(req)).toEqual(recognition)
        const credential = adapter.presentedCredential(req)
        expect(['none', 'key', 'sigv4', 'malformed']).toContain(credential.kind)
        if (credential.kind === 'key') expect(credential.key).not.toBe('')
        if (credential.kind === 'malformed') expect(typeof credential.detail).toBe('string')
        expect(req.body.equals(bodyBefore)).toBe(true)
        expect(req.headers).toEqual(headersBefore)
      }),
      runs(600),
    )
  })
})
