// Dialect.withParams for each adapter: an experiment variant's sampling params forced into a
// native body in the dialect's own fields (temperature and topP replace, maxTokens caps or is
// set), nothing else about the request changed, and undefined where the body has no place for them.
import { describe, expect, it } from 'vitest'
import { nativeRequest } from '../../test/fixtures/providers/helpers.js'
import type { NativeRequest, Operation, RequestParams } from '../core/wire.js'
import type { ProviderAdapter } from './adapter.js'
import { bedrock } from './bedrock.js'
import { gemini } from './gemini.js'
import { llama } from './llama.js'
import { openai } from './openai.js'

const ALL: RequestParams = { temperature: 0.2, topP: 0.9, maxTokens: 200 }
const HEADERS = { 'content-type': 'application/json', authorization: 'Bearer sk-client', 'x-trace': 'abc' }

function operationOf(adapter: ProviderAdapter, request: NativeRequest): Operation {
  const recognition = adapter.recognise(request)
  if (!recognition.ok) throw new Error(`not recognised: ${recognition.detail}`)
  return recognition.operation
}

/**
 * withParams on a realistic request, checked for what must hold of every result: the same method,
 * path, query and headers, a JSON body, and a request that recognises as the same operation and
 * model. Returns the new body and the re-recognised operation.
 */
function apply(adapter: ProviderAdapter, request: NativeRequest, params: RequestParams): { body: Record<string, unknown>; operation: Operation } {
  const before = operationOf(adapter, request)
  const result = adapter.withParams(request, before, params)
  expect(result).toBeDefined()
  const out = result!
  expect(out.method).toBe(request.method)
  expect(out.path).toBe(request.path)
  expect(out.query).toBe(request.query)
  expect(out.headers).toEqual(request.headers)
  const after = operationOf(adapter, out)
  expect({ name: after.name, model: after.model, stream: after.stream, streamFormat: after.streamFormat }).toEqual({
    name: before.name,
    model: before.model,
    stream: before.stream,
    streamFormat: before.streamFormat,
  })
  return { body: JSON.parse(out.body.toString('utf8')) as Record<string, unknown>, operation: after }
}

/** A request with the same head as `request` and another body (one that would not recognise). */
const withBody = (request: NativeRequest, body: string | Buffer): NativeRequest => ({ ...request, body: Buffer.from(body) })
const BAD_BODIES: Array<[string, string]> = [
  ['not JSON', '{"model":'],
  ['a JSON array', '[]'],
  ['a JSON string', '"hi"'],
  ['empty', ''],
]

describe('openai.withParams', () => {
  const messages = [{ role: 'user', content: 'Hi' }]
  const chat = (body: object): NativeRequest => nativeRequest('POST', '/v1/chat/completions', body, HEADERS)

  it('sets temperature, top_p and max_completion_tokens on a chat request that had none', () => {
    const { body, operation } = apply(openai, chat({ model: 'gpt-4o', messages, stream: true, stream_options: { include_usage: true } }), ALL)
    expect(body).toEqual({
      model: 'gpt-4o',
      messages,
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0.2,
      top_p: 0.9,
      max_completion_tokens: 200,
    })
    expect(operation.maxTokens).toBe(200)
  })

  it('replaces the client temperature and top_p and caps its max_completion_tokens', () => {
    const { body } = apply(openai, chat({ model: 'gpt-4o', messages, temperature: 1.3, top_p: 0.1, max_completion_tokens: 500 }), ALL)
    expect(body).toMatchObject({ temperature: 0.2, top_p: 0.9, max_completion_tokens: 200 })
  })

  it('keeps a client max_completion_tokens below the cap', () => {
    const { body, operation } = apply(openai, chat({ model: 'gpt-4o', messages, max_completion_tokens: 64 }), { maxTokens: 200 })
    expect(body.max_completion_tokens).toBe(64)
    expect(operation.maxTokens).toBe(64)
  })

  it('caps the legacy max_tokens in place and adds no max_completion_tokens', () => {
    const { body, operation } = apply(openai, chat({ model: 'gpt-4o-mini', messages, max_tokens: 1000 }), ALL)
    expect(body.max_tokens).toBe(200)
    expect(body).not.toHaveProperty('max_completion_tokens')
    expect(operation.maxTokens).toBe(200)
  })

  it('replaces a max_completion_tokens that is not a token count', () => {
    const { body } = apply(openai, chat({ model: 'gpt-4o', messages, max_completion_tokens: 'lots' }), { maxTokens: 200 })
    expect(body.max_completion_tokens).toBe(200)
  })

  it('leaves fields of undefined params untouched', () => {
    const { body } = apply(openai, chat({ model: 'gpt-4o', messages, top_p: 0.3, max_tokens: 900 }), { temperature: 0 })
    expect(body).toEqual({ model: 'gpt-4o', messages, top_p: 0.3, max_tokens: 900, temperature: 0 })
  })

  it('uses the Responses API fields', () => {
    const request = nativeRequest('POST', '/v1/responses', { model: 'o4-mini', input: 'Hi', stream: true, max_output_tokens: 256, temperature: 1 }, HEADERS)
    const { body, operation } = apply(openai, request, ALL)
    expect(body).toEqual({ model: 'o4-mini', input: 'Hi', stream: true, max_output_tokens: 200, temperature: 0.2, top_p: 0.9 })
    expect(operation).toMatchObject({ name: 'responses', stream: true, maxTokens: 200 })
  })

  it('sets max_output_tokens on a Responses request that had none', () => {
    const { body } = apply(openai, nativeRequest('POST', '/v1/responses', { model: 'o4-mini', input: 'Hi' }), { maxTokens: 50 })
    expect(body).toEqual({ model: 'o4-mini', input: 'Hi', max_output_tokens: 50 })
  })

  it('has no place for params on embeddings', () => {
    const request = nativeRequest('POST', '/v1/embeddings', { model: 'text-embedding-3-small', input: 'Hi' })
    expect(openai.withParams(request, operationOf(openai, request), ALL)).toBeUndefined()
  })

  it.each(BAD_BODIES)('a body that is %s has no place for params', (_name, text) => {
    const request = chat({ model: 'gpt-4o', messages })
    expect(openai.withParams(withBody(request, text), operationOf(openai, request), ALL)).toBeUndefined()
  })

  it('does not change the request it was given', () => {
    const request = chat({ model: 'gpt-4o', messages, max_tokens: 1000 })
    const original = Buffer.from(request.body)
    openai.withParams(request, operationOf(openai, request), ALL)
    expect(request.body).toEqual(original)
  })
})

describe('llama.withParams', () => {
  const model = 'Llama-4-Maverick-17B-128E-Instruct-FP8'
  const messages = [{ role: 'user', content: 'Hi' }]

  it('sets the native API fields', () => {
    const request = nativeRequest('POST', '/v1/chat/completions', { model, messages, stream: true, repetition_penalty: 1.1 }, HEADERS)
    const { body, operation } = apply(llama, request, ALL)
    expect(body).toEqual({ model, messages, stream: true, repetition_penalty: 1.1, temperature: 0.2, top_p: 0.9, max_completion_tokens: 200 })
    expect(operation).toMatchObject({ name: 'chat.completions', stream: true, streamFormat: 'sse', maxTokens: 200 })
  })

  it('caps a native max_completion_tokens and replaces temperature and top_p', () => {
    const request = nativeRequest('POST', '/v1/chat/completions', { model, messages, temperature: 0.9, top_p: 1, max_completion_tokens: 4096 })
    const { body } = apply(llama, request, ALL)
    expect(body).toEqual({ model, messages, temperature: 0.2, top_p: 0.9, max_completion_tokens: 200 })
  })

  it('keeps a smaller native max_completion_tokens and leaves undefined params alone', () => {
    const request = nativeRequest('POST', '/v1/chat/completions', { model, messages, temperature: 0.9, max_completion_tokens: 32 })
    const { body } = apply(llama, request, { maxTokens: 200 })
    expect(body).toEqual({ model, messages, temperature: 0.9, max_completion_tokens: 32 })
  })

  it('speaks OpenAI on the compat API: a legacy max_tokens is capped in place', () => {
    const request = nativeRequest('POST', '/compat/v1/chat/completions', { model, messages, max_tokens: 1000 })
    const { body, operation } = apply(llama, request, ALL)
    expect(body).toEqual({ model, messages, max_tokens: 200, temperature: 0.2, top_p: 0.9 })
    expect(operation).toMatchObject({ name: 'compat.chat.completions', maxTokens: 200 })
  })

  it.each(BAD_BODIES)('a body that is %s has no place for params', (_name, text) => {
    const request = nativeRequest('POST', '/v1/chat/completions', { model, messages })
    expect(llama.withParams(withBody(request, text), operationOf(llama, request), ALL)).toBeUndefined()
  })
})

describe('gemini.withParams', () => {
  const contents = [{ role: 'user', parts: [{ text: 'Hi' }] }]
  const GEMINI_HEADERS = { 'content-type': 'application/json', 'x-goog-api-key': 'client-key' }
  const generate = (body: object, query = ''): NativeRequest =>
    nativeRequest('POST', '/v1beta/models/gemini-2.5-flash:generateContent', body, GEMINI_HEADERS, query)

  it('merges the params into an existing generationConfig', () => {
    const config = { maxOutputTokens: 1024, temperature: 1.5, stopSequences: ['END'], thinkingConfig: { thinkingBudget: 0 } }
    const { body, operation } = apply(gemini, generate({ contents, generationConfig: config, safetySettings: [] }), ALL)
    expect(body).toEqual({
      contents,
      safetySettings: [],
      generationConfig: { maxOutputTokens: 200, temperature: 0.2, topP: 0.9, stopSequences: ['END'], thinkingConfig: { thinkingBudget: 0 } },
    })
    expect(operation).toMatchObject({ name: 'generateContent', model: 'gemini-2.5-flash', maxTokens: 200 })
  })

  it('creates generationConfig when the client sent none', () => {
    const { body, operation } = apply(gemini, generate({ contents }), ALL)
    expect(body).toEqual({ contents, generationConfig: { temperature: 0.2, topP: 0.9, maxOutputTokens: 200 } })
    expect(operation.maxTokens).toBe(200)
  })

  it('keeps a smaller maxOutputTokens and leaves undefined params alone', () => {
    const { body } = apply(gemini, generate({ contents, generationConfig: { maxOutputTokens: 100, topP: 0.5 } }), { maxTokens: 200, temperature: 0 })
    expect(body.generationConfig).toEqual({ maxOutputTokens: 100, topP: 0.5, temperature: 0 })
  })

  it('keeps the streaming query and format', () => {
    const request = nativeRequest('POST', '/v1beta/models/gemini-2.5-flash:streamGenerateContent', { contents }, GEMINI_HEADERS, 'alt=sse&key=k')
    const { body, operation } = apply(gemini, request, { topP: 0.7 })
    expect(body).toEqual({ contents, generationConfig: { topP: 0.7 } })
    expect(operation).toMatchObject({ name: 'streamGenerateContent', stream: true, streamFormat: 'sse' })
  })

  it('streams as a JSON array on a tuned model too', () => {
    const request = nativeRequest('POST', '/v1/tunedModels/my-model-7:streamGenerateContent', { contents })
    const { operation } = apply(gemini, request, ALL)
    expect(operation).toMatchObject({ model: 'tunedModels/my-model-7', streamFormat: 'json-array', maxTokens: 200 })
  })

  it('writes to the proto field names the client used rather than adding a second spelling', () => {
    const { body } = apply(gemini, generate({ contents, generation_config: { top_p: 0.1, max_output_tokens: 900 } }), ALL)
    expect(body).toEqual({ contents, generation_config: { top_p: 0.9, max_output_tokens: 200, temperature: 0.2 } })
  })

  it('applies after a model rewrite, as a fallback leg does', () => {
    const request = generate({ contents })
    const operation = operationOf(gemini, request)
    const moved = gemini.withModel(request, operation, 'gemini-2.5-pro')!
    const result = gemini.withParams(moved, operation, ALL)!
    expect(result.path).toBe('/v1beta/models/gemini-2.5-pro:generateContent')
    expect(operationOf(gemini, result)).toMatchObject({ name: 'generateContent', model: 'gemini-2.5-pro', maxTokens: 200 })
  })

  it('has no place for params on countTokens', () => {
    const request = nativeRequest('POST', '/v1beta/models/gemini-2.5-flash:countTokens', { contents })
    expect(gemini.withParams(request, operationOf(gemini, request), ALL)).toBeUndefined()
  })

  it('has no place for params when generationConfig is not an object', () => {
    const request = generate({ contents, generationConfig: 'fast' })
    expect(gemini.withParams(request, operationOf(gemini, request), ALL)).toBeUndefined()
  })

  it.each(BAD_BODIES)('a body that is %s has no place for params', (_name, text) => {
    const request = generate({ contents })
    expect(gemini.withParams(withBody(request, text), operationOf(gemini, request), ALL)).toBeUndefined()
  })
})

describe('bedrock.withParams', () => {
  const SONNET = 'anthropic.claude-3-5-sonnet-20240620-v1:0'
  const SONNET_PATH = 'anthropic.claude-3-5-sonnet-20240620-v1%3A0'
  const messages = [{ role: 'user', content: [{ text: 'Hi' }] }]
  const BEDROCK_HEADERS = { 'content-type': 'application/json', authorization: 'Bearer ABSK-client', 'x-amzn-bedrock-trace': 'ENABLED' }
  const converse = (body: object, action = 'converse'): NativeRequest => nativeRequest('POST', `/model/${SONNET_PATH}/${action}`, body, BEDROCK_HEADERS)
  const invoke = (body: object | string | Buffer, model = SONNET_PATH, action = 'invoke'): NativeRequest =>
    nativeRequest('POST', `/model/${model}/${action}`, body, BEDROCK_HEADERS)

  it('merges the params into Converse inferenceConfig', () => {
    const request = converse({ messages, system: [{ text: 'Be brief.' }], inferenceConfig: { maxTokens: 512, temperature: 1, stopSequences: ['END'] } })
    const { body, operation } = apply(bedrock, request, ALL)
    expect(body).toEqual({
      messages,
      system: [{ text: 'Be brief.' }],
      inferenceConfig: { maxTokens: 200, temperature: 0.2, topP: 0.9, stopSequences: ['END'] },
    })
    expect(operation).toMatchObject({ name: 'converse', model: SONNET, maxTokens: 200 })
  })

  it('creates inferenceConfig on ConverseStream when the client sent none', () => {
    const { body, operation } = apply(bedrock, converse({ messages }, 'converse-stream'), ALL)
    expect(body).toEqual({ messages, inferenceConfig: { temperature: 0.2, topP: 0.9, maxTokens: 200 } })
    expect(operation).toMatchObject({ name: 'converse-stream', stream: true, streamFormat: 'eventstream', maxTokens: 200 })
  })

  it('keeps a smaller Converse maxTokens and leaves undefined params alone', () => {
    const { body } = apply(bedrock, converse({ messages, inferenceConfig: { maxTokens: 64, topP: 0.5 } }), { maxTokens: 200, temperature: 0.7 })
    expect(body.inferenceConfig).toEqual({ maxTokens: 64, topP: 0.5, temperature: 0.7 })
  })

  it('has no place for params when inferenceConfig is not an object', () => {
    const request = converse({ messages, inferenceConfig: [512] })
    expect(bedrock.withParams(request, operationOf(bedrock, request), ALL)).toBeUndefined()
  })

  it('sets Anthropic fields on an InvokeModel messages body', () => {
    const request = invoke({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 1000, temperature: 1, messages: [{ role: 'user', content: 'Hi' }] })
    const { body, operation } = apply(bedrock, request, ALL)
    expect(body).toEqual({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 200, temperature: 0.2, top_p: 0.9, messages: [{ role: 'user', content: 'Hi' }] })
    expect(operation).toMatchObject({ name: 'invoke', model: SONNET, maxTokens: 200 })
  })

  it('caps only what it is given on InvokeModelWithResponseStream', () => {
    const request = invoke({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 100, top_k: 5, messages: [] }, SONNET_PATH, 'invoke-with-response-stream')
    const { body, operation } = apply(bedrock, request, { maxTokens: 200 })
    expect(body).toEqual({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 100, top_k: 5, messages: [] })
    expect(operation).toMatchObject({ name: 'invoke-stream', stream: true, maxTokens: 100 })
  })

  it.each([
    ['Meta Llama', invoke({ prompt: 'Hi', max_gen_len: 128 }, 'meta.llama3-70b-instruct-v1%3A0')],
    ['Titan', invoke({ inputText: 'Hi', textGenerationConfig: { maxTokenCount: 64 } }, 'amazon.titan-text-express-v1')],
    ['Nova', invoke({ messages: [], inferenceConfig: { max_new_tokens: 99 } }, 'amazon.nova-lite-v1%3A0')],
    ['a binary body', invoke(Buffer.from([0x89, 0x50, 0x4e, 0x47]), 'stability.sd3-large-v1%3A0')],
    ['broken JSON', invoke('{oops')],
  ])('has no place for params on an InvokeModel body from %s', (_name, request) => {
    expect(bedrock.withParams(request, operationOf(bedrock, request), ALL)).toBeUndefined()
  })

  it('has no place for params on count-tokens', () => {
    const request = converse({ input: { converse: { messages } } }, 'count-tokens')
    expect(bedrock.withParams(request, operationOf(bedrock, request), ALL)).toBeUndefined()
  })

  it.each(BAD_BODIES)('a Converse body that is %s has no place for params', (_name, text) => {
    const request = converse({ messages })
    expect(bedrock.withParams(withBody(request, text), operationOf(bedrock, request), ALL)).toBeUndefined()
  })
})
