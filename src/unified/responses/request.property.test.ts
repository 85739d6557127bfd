// Property tests for unified /v1/responses and /v1/embeddings requests: the parsers never throw
// on any JSON value; a Responses body of the documented shapes always becomes a chat body the
// chat parser accepts (so a client never sees an error about chat fields it did not send); an
// embeddings request Sluice accepts is translated or refused by every provider type without
// throwing, into a body that serialises; and the Responses event stream never throws, whatever
// the split of a chat stream.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { runs } from '../../../test/support/arbitraries.js'
import { ProviderTypes } from '../../core/wire.js'
import { embeddingsTranslators } from '../embeddings/translators.js'
import { parseEmbeddingsRequest } from '../embeddings/request.js'
import { parseChatRequest } from '../parse-request.js'
import { parseResponsesRequest } from './request.js'
import { ResponsesStream } from './stream.js'

const text = fc.string({ unit: 'binary', maxLength: 10 })
const anyJson = fc.jsonValue({ maxDepth: 3 })

const contentPart = fc.oneof(
  fc.record({ type: fc.constantFrom('input_text', 'output_text'), text }),
  fc.record({ type: fc.constant('refusal'), refusal: text }),
)
const userPart = fc.oneof(contentPart, fc.record({ type: fc.constant('input_image'), image_url: fc.constant('data:image/png;base64,iVBORw0KGgo=') }))
const item = fc.oneof(
  fc.record({ role: fc.constant('user'), content: fc.oneof(text, fc.array(userPart, { maxLength: 3 })) }),
  fc.record({ type: fc.constant('message'), role: fc.constantFrom('assistant', 'system', 'developer'), content: fc.oneof(text, fc.array(contentPart, { maxLength: 3 })) }),
  fc.record({ type: fc.constant('function_call'), call_id: fc.string({ minLength: 1, maxLength: 6 }), name: fc.string({ minLength: 1, maxLength: 6 }), arguments: fc.json({ maxDepth: 2 }) }),
  fc.record({ type: fc.constant('function_call_output'), call_id: fc.string({ minLength: 1, maxLength: 6 }), output: fc.oneof(text, fc.array(contentPart, { maxLength: 2 })) }),
)
const tool = fc.record(
  { type: fc.constant('function'), name: fc.string({ minLength: 1, maxLength: 6 }), description: text, parameters: fc.constant({ type: 'object' }), strict: fc.boolean() },
  { requiredKeys: ['type', 'name'] },
)
const responsesBody = fc.record(
  {
    model: fc.string({ minLength: 1, maxLength: 6 }),
    input: fc.oneof(text, fc.array(item, { minLength: 1, maxLength: 5 })),
    instructions: text,
    max_output_tokens: fc.integer({ min: 1, max: 100_000 }),
    temperature: fc.double({ min: 0, max: 2, noNaN: true }),
    top_p: fc.double({ min: 0, max: 1, noNaN: true }),
    stream: fc.boolean(),
    tools: fc.array(tool, { maxLength: 2 }),
    tool_choice: fc.constantFrom('auto', 'none', 'required'),
    parallel_tool_calls: fc.boolean(),
    metadata: fc.dictionary(fc.string({ maxLength: 4 }), text, { maxKeys: 2 }),
    store: fc.boolean(),
  },
  { requiredKeys: ['model', 'input'] },
)

describe('parseResponsesRequest', () => {
  it('never throws on any JSON object', () => {
    const loose = fc.oneof(fc.dictionary(fc.constantFrom('model', 'input', 'instructions', 'tools', 'tool_choice', 'text', 'metadata', 'stream', 'max_output_tokens', 'previous_response_id'), anyJson), responsesBody)
    fc.assert(
      fc.property(loose, (body) => {
        const parsed = parseResponsesRequest(body)
        if (!parsed.ok) expect(parsed.message).not.toBe('')
      }),
      runs(300),
    )
  })

  it('a body of the documented shapes becomes a chat body the chat parser accepts', () => {
    fc.assert(
      fc.property(responsesBody, (body) => {
        const parsed = parseResponsesRequest(body)
        expect(parsed.ok).toBe(true)
        if (!parsed.ok) return
        const chat = parseChatRequest(JSON.parse(JSON.stringify(parsed.chat)))
        expect(chat.ok ? '' : chat.message).toBe('')
      }),
      runs(300),
    )
  })
})

describe('parseEmbeddingsRequest and the embeddings translators', () => {
  const input = fc.oneof(text, fc.array(text, { maxLength: 4 }), fc.array(fc.nat(100), { maxLength: 4 }), fc.array(fc.array(fc.nat(100), { maxLength: 3 }), { maxLength: 3 }), anyJson)
  const body = fc.record(
    { model: fc.oneof(text, anyJson), input, encoding_format: fc.oneof(fc.constantFrom('float', 'base64'), anyJson), dimensions: fc.oneof(fc.integer({ min: -1, max: 2048 }), anyJson), input_type: fc.oneof(fc.constant('search_query'), anyJson) },
    { requiredKeys: [] },
  )
  const model = fc.constantFrom('amazon.titan-embed-text-v2:0', 'amazon.titan-embed-text-v1', 'cohere.embed-v4:0', 'cohere.embed-english-v3', 'gemini-embedding-001', 'gpt-4o', 'x')

  it('never throw; every accepted request is translated or refused into a body that serialises', () => {
    fc.assert(
      fc.property(body, model, (json, target) => {
        const parsed = parseEmbeddingsRequest(json)
        if (!parsed.ok) {
          expect(parsed.message).not.toBe('')
          return
        }
        expect(parsed.request.count).toBeGreaterThan(0)
        for (const type of ProviderTypes) {
          const native = embeddingsTranslators[type].toNative(parsed.request, target)
          if (native.ok) expect(typeof JSON.stringify(native.body)).toBe('string')
          else expect(native.message).not.toBe('')
        }
      }),
      runs(300),
    )
  })
})

describe('ResponsesStream', () => {
  it('never throws on any text, in any split', () => {
    const frame = fc.oneof(
      fc.constant('data: [DONE]\n\n'),
      fc.jsonValue({ maxDepth: 3 }).map((v) => `data: ${JSON.stringify(v)}\n\n`),
      fc.record({ content: text }).map((delta) => `data: ${JSON.stringify({ choices: [{ index: 0, delta, finish_reason: null }] })}\n\n`),
      text,
    )
    fc.assert(
      fc.property(fc.array(frame, { maxLength: 8 }), fc.integer({ min: 1, max: 20 }), (frames, size) => {
        const stream = new ResponsesStream({ id: 'resp_x', createdAt: 0 }, { model: 'vm', stream: true, instructions: null, maxOutputTokens: null, temperature: null, topP: null, toolChoice: 'auto', tools: [], parallelToolCalls: true, text: {}, metadata: {} })
        const all = frames.join('')
        for (let i = 0; i < all.length; i += size) expect(typeof stream.write(all.slice(i, i + size))).toBe('string')
      }),
      runs(300),
    )
  })
})
