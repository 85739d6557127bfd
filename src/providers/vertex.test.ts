import { describe, expect, it } from 'vitest'
import type { NativeRequest, Operation } from '../core/wire.js'
import { canonicalModelId } from './model-id.js'
import { vertex } from './vertex.js'
import { anthropicUsageReader } from './vertex-anthropic.js'
import { vertexUpstreamPath } from './vertex-path.js'

const SCOPED = '/v1beta1/projects/client/locations/europe-west4/publishers'

function request(path: string, body: unknown = { contents: [] }, query = ''): NativeRequest {
  return { method: 'POST', path, query, headers: {}, body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)) }
}

function operation(path: string, body?: unknown, query?: string): Operation {
  const recognition = vertex.recognise(request(path, body, query))
  if (!recognition.ok) throw new Error(recognition.detail)
  return recognition.operation
}

describe('vertex recognise', () => {
  it.each([
    [`${SCOPED}/google/models/gemini-2.0-flash:generateContent`, '', { name: 'generateContent', model: 'gemini-2.0-flash', stream: false, streamFormat: 'none' }],
    [`${SCOPED}/google/models/gemini-2.0-flash:streamGenerateContent`, 'alt=sse', { name: 'streamGenerateContent', stream: true, streamFormat: 'sse' }],
    [`${SCOPED}/google/models/gemini-2.0-flash:streamGenerateContent`, '', { name: 'streamGenerateContent', stream: true, streamFormat: 'json-array' }],
    ['/v1/publishers/google/models/gemini-2.0-flash:countTokens', '', { name: 'countTokens', model: 'gemini-2.0-flash', stream: false }],
    [`${SCOPED}/anthropic/models/claude-sonnet-4%4020250514:rawPredict`, '', { name: 'rawPredict', model: 'anthropic/claude-sonnet-4@20250514', stream: false }],
    [`${SCOPED}/anthropic/models/claude-sonnet-4@20250514:streamRawPredict`, '', { name: 'streamRawPredict', stream: true, streamFormat: 'sse' }],
  ])('%s ?%s', (path, query, expected) => {
    expect(operation(path, { contents: [], max_tokens: 9 }, query)).toMatchObject(expected)
  })

  it('reads max tokens from either dialect', () => {
    expect(operation(`${SCOPED}/google/models/g:generateContent`, { generationConfig: { maxOutputTokens: 7 } }).maxTokens).toBe(7)
    expect(operation(`${SCOPED}/anthropic/models/c:rawPredict`, { max_tokens: 11, stream: true })).toMatchObject({ maxTokens: 11, stream: true, streamFormat: 'sse' })
  })

  it.each([
    ['GET', `${SCOPED}/google/models/g:generateContent`, 'SLUICE_ERR_OPERATION_UNSUPPORTED'],
    ['POST', `${SCOPED}/google/models/g:embedContent`, 'SLUICE_ERR_OPERATION_UNSUPPORTED'],
    ['POST', `${SCOPED}/google/models/g:rawPredict`, 'SLUICE_ERR_OPERATION_UNSUPPORTED'],
    ['POST', `${SCOPED}/meta/models/llama:rawPredict`, 'SLUICE_ERR_OPERATION_UNSUPPORTED'],
    ['POST', '/v1/projects//locations/l/publishers/google/models/g:generateContent', 'SLUICE_ERR_OPERATION_UNSUPPORTED'],
    ['POST', '/v1beta/models/g:generateContent', 'SLUICE_ERR_OPERATION_UNSUPPORTED'],
    ['POST', `${SCOPED}/google/models/g%ZZ:generateContent`, 'SLUICE_ERR_MODEL_INVALID'],
    ['POST', `${SCOPED}/google/models/a%2Fb:generateContent`, 'SLUICE_ERR_MODEL_INVALID'],
  ])('%s %s → %s', (method, path, code) => {
    expect(vertex.recognise({ ...request(path), method })).toMatchObject({ ok: false, code })
  })

  it('a body that is not a JSON object is malformed', () => {
    expect(vertex.recognise(request(`${SCOPED}/anthropic/models/c:rawPredict`, '[1]'))).toMatchObject({ ok: false, code: 'SLUICE_ERR_REQUEST_MALFORMED' })
    expect(vertex.recognise(request(`${SCOPED}/google/models/g:generateContent`, '{'))).toMatchObject({ ok: false, code: 'SLUICE_ERR_REQUEST_MALFORMED' })
  })
})

describe('vertex addressing and models', () => {
  it.each([
    [`${SCOPED}/google/models/g:generateContent?alt=sse`, '/v1beta1/projects/mine/locations/us-east5/publishers/google/models/g:generateContent?alt=sse'],
    ['/v1/publishers/anthropic/models/c@1:rawPredict', '/v1/projects/mine/locations/us-east5/publishers/anthropic/models/c@1:rawPredict'],
    ['/v1/other', '/v1/other'],
  ])('%s goes to the configured project and location', (path, expected) => {
    expect(vertexUpstreamPath(path, { project: 'mine', location: 'us-east5' })).toBe(expected)
  })

  it('express mode (no project) drops the client\'s scope', () => {
    expect(vertexUpstreamPath(`${SCOPED}/google/models/g:generateContent`, { project: undefined, location: 'global' })).toBe('/v1beta1/publishers/google/models/g:generateContent')
  })

  it.each([
    ['gemini-2.0-flash', 'gemini-2.0-flash'],
    ['publishers/google/models/gemini-2.0-flash', 'gemini-2.0-flash'],
    ['projects/p/locations/l/publishers/google/models/gemini-2.0-flash', 'gemini-2.0-flash'],
    ['google/gemini-2.0-flash', 'gemini-2.0-flash'],
    ['models/gemini-2.0-flash', 'gemini-2.0-flash'],
    ['publishers/anthropic/models/claude-sonnet-4@20250514', 'anthropic/claude-sonnet-4@20250514'],
    ['anthropic/claude-sonnet-4@20250514', 'anthropic/claude-sonnet-4@20250514'],
  ])('canonical id of %s is %s', (id, canonical) => {
    expect(canonicalModelId('vertex', id)).toBe(canonical)
  })

  it('withModel moves a request only within its publisher', () => {
    const gemini = request(`${SCOPED}/google/models/gemini-2.0-flash:generateContent`)
    const op = operation(gemini.path)
    expect(vertex.withModel(gemini, op, 'gemini-2.5-pro')?.path).toBe(`${SCOPED}/google/models/gemini-2.5-pro:generateContent`)
    expect(vertex.withModel(gemini, op, 'anthropic/claude-x')).toBeUndefined()
    const claude = request(`${SCOPED}/anthropic/models/claude-a:rawPredict`, { max_tokens: 5 })
    expect(vertex.withModel(claude, operation(claude.path, { max_tokens: 5 }), 'anthropic/claude-b@2025')?.path).toBe(`${SCOPED}/anthropic/models/claude-b%402025:rawPredict`)
    expect(vertex.withModel(claude, operation(claude.path, { max_tokens: 5 }), 'gemini-2.0-flash')).toBeUndefined()
  })

  it('withParams writes Anthropic fields at the top of a rawPredict body', () => {
    const claude = request(`${SCOPED}/anthropic/models/c:rawPredict`, { max_tokens: 100, messages: [] })
    const out = vertex.withParams(claude, operation(claude.path, { max_tokens: 100 }), { temperature: 0.2, topP: 0.5, maxTokens: 10 })
    expect(JSON.parse(out!.body.toString())).toMatchObject({ temperature: 0.2, top_p: 0.5, max_tokens: 10 })
  })
})

describe('vertex credentials the client presents', () => {
  it.each([
    [{ 'x-goog-api-key': 'k1' }, '', { kind: 'key', key: 'k1' }],
    [{ authorization: 'Bearer k2' }, '', { kind: 'key', key: 'k2' }],
    [{}, 'key=k3', { kind: 'key', key: 'k3' }],
    [{ authorization: 'Basic eDp5' }, '', { kind: 'malformed' }],
    [{}, '', { kind: 'none' }],
  ])('%j ?%s', (headers, query, expected) => {
    expect(vertex.presentedCredential({ ...request('/'), headers, query })).toMatchObject(expected)
  })
})

describe('Anthropic usage on Vertex', () => {
  const events = [
    'event: message_start\ndata: {"type":"message_start","message":{"id":"m","usage":{"input_tokens":12,"cache_read_input_tokens":4,"output_tokens":1}}}\n\n',
    'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hi \\"usage\\": {}"}}\n\n',
    'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":9}}\n\n',
    'event: message_stop\ndata: {"type":"message_stop"}\n\n',
  ].join('')

  it('a stream: input from message_start (cache reads added), output from the last message_delta, however it is cut', () => {
    const whole = Buffer.from(events)
    for (const size of [1, 7, 64, whole.length]) {
      const reader = anthropicUsageReader(true)
      for (let i = 0; i < whole.length; i += size) reader.push(whole.subarray(i, i + size))
      expect(reader.result()).toEqual({ inputTokens: 16, outputTokens: 9, cachedTokens: 4, reasoningTokens: 0 })
    }
  })

  it('a message', () => {
    const reader = anthropicUsageReader(false)
    reader.push(Buffer.from('{"content":[{"type":"text","text":"x"}],"usage":{"input_tokens":3,"output_tokens":5,"cache_creation_input_tokens":2}}'))
    expect(reader.result()).toEqual({ inputTokens: 5, outputTokens: 5, cachedTokens: 0, reasoningTokens: 0 })
  })

  it('no usage at all', () => {
    const reader = anthropicUsageReader(true)
    reader.push(Buffer.from('event: ping\ndata: {"type":"ping"}\n\n'))
    expect(reader.result()).toBeUndefined()
  })
})
