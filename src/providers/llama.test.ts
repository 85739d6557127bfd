import { describe, expect, it } from 'vitest'
import { chunkings, fixture, nativeRequest, providerConfig, readAll, usage } from '../../test/fixtures/providers/helpers.js'
import type { Operation, UpstreamRequest } from '../core/wire.js'
import { sluiceError } from '../core/errors.js'
import { llama } from './llama.js'
import { withoutBody } from '../../test/support/recognition.js'

const NATIVE: Operation = { name: 'chat.completions', model: 'Llama-4-Maverick-17B-128E-Instruct-FP8', stream: false, streamFormat: 'none' }
const NATIVE_STREAM: Operation = { ...NATIVE, stream: true, streamFormat: 'sse' }
const COMPAT_STREAM: Operation = { ...NATIVE_STREAM, name: 'compat.chat.completions' }

describe('llama.recognise', () => {
  const model = 'Llama-4-Maverick-17B-128E-Instruct-FP8'
  it.each([
    ['native', nativeRequest('POST', '/v1/chat/completions', { model, messages: [] }), { ok: true, operation: NATIVE }],
    [
      'native stream + max_completion_tokens',
      nativeRequest('POST', '/v1/chat/completions', { model, stream: true, max_completion_tokens: 64 }),
      { ok: true, operation: { ...NATIVE_STREAM, maxTokens: 64 } },
    ],
    [
      'compat stream + max_tokens',
      nativeRequest('POST', '/compat/v1/chat/completions', { model, stream: true, max_tokens: 32 }),
      { ok: true, operation: { ...COMPAT_STREAM, maxTokens: 32 } },
    ],
    ['unknown path', nativeRequest('POST', '/v1/models'), { ok: false, code: 'SLUICE_ERR_OPERATION_UNSUPPORTED', detail: 'POST /v1/models' }],
    ['models.list', nativeRequest('GET', '/v1/models'), { ok: true, operation: { name: 'models.list', model: '', stream: false, streamFormat: 'none', read: true } }],
    ['compat models.list', nativeRequest('GET', '/compat/v1/models'), { ok: true, operation: { name: 'models.list', model: '', stream: false, streamFormat: 'none', read: true } }],
    ['models.get', nativeRequest('GET', `/v1/models/${model}`), { ok: true, operation: { name: 'models.get', model, stream: false, streamFormat: 'none', read: true } }],
    ['GET', nativeRequest('GET', '/compat/v1/chat/completions'), { ok: false, code: 'SLUICE_ERR_OPERATION_UNSUPPORTED', detail: 'GET /compat/v1/chat/completions' }],
    ['not JSON', nativeRequest('POST', '/v1/chat/completions', 'model=x'), { ok: false, code: 'SLUICE_ERR_REQUEST_MALFORMED', detail: 'The body must be a JSON object.' }],
    ['model missing', nativeRequest('POST', '/v1/chat/completions', { messages: [] }), { ok: false, code: 'SLUICE_ERR_MODEL_INVALID', detail: '`model` must be a non-empty string.' }],
    ['model not a string', nativeRequest('POST', '/v1/chat/completions', { model: ['a'] }), { ok: false, code: 'SLUICE_ERR_MODEL_INVALID', detail: '`model` must be a non-empty string.' }],
  ])('%s', (_name, request, expected) => {
    expect(withoutBody(llama.recognise(request), request)).toEqual(expected)
  })
})

describe('llama credentials and upstream auth', () => {
  it.each([
    ['none', {}, { kind: 'none' }],
    ['Bearer', { authorization: 'Bearer LLM|123|abc' }, { kind: 'key', key: 'LLM|123|abc' }],
    ['not Bearer', { authorization: 'Token abc' }, { kind: 'malformed', detail: 'The Authorization header is not a Bearer token.' }],
  ])('presented: %s', (_name, headers, expected) => {
    expect(llama.presentedCredential(nativeRequest('POST', '/v1/chat/completions', '', headers))).toEqual(expected)
  })

  it('strips the client Authorization and sets its own Bearer key', async () => {
    expect(llama.clientAuthHeaders).toEqual(['authorization'])
    const request: UpstreamRequest = { method: 'POST', path: '/v1/chat/completions', headers: {}, body: Buffer.alloc(0) }
    await llama.createUpstreamAuth(providerConfig('llama', { apiKey: 'LLM|sluice' }))(request, new URL('https://api.llama.com'))
    expect(request.headers).toEqual({ authorization: 'Bearer LLM|sluice' })
    expect(llama.defaultEndpoint(providerConfig('llama'))).toBe('https://api.llama.com')
  })
})

describe('llama usage', () => {
  const cases: Array<[string, Operation, ReturnType<typeof usage>]> = [
    ['chat-completion.json', NATIVE, usage(21, 10)],
    ['chat-completion-stream.sse', NATIVE_STREAM, usage(21, 9)],
    ['compat-chat-completion-stream.sse', COMPAT_STREAM, usage(14, 3)],
  ]
  describe.each(cases)('%s', (file, operation, expected) => {
    it.each(chunkings(fixture(`llama/${file}`)))('%s', (_label, chunks) => {
      expect(readAll(llama.createUsageReader(operation, 200, {}), chunks)).toEqual(expected)
    })
  })

  it('reads nothing from an error response', () => {
    expect(readAll(llama.createUsageReader(NATIVE, 500, {}), [fixture('llama/chat-completion.json')])).toBeUndefined()
  })
})

describe('llama.renderError', () => {
  it('speaks the OpenAI dialect', () => {
    const rendered = llama.renderError(sluiceError('SLUICE_ERR_MODEL_INVALID', 'req-1', 'x'))
    expect(rendered.status).toBe(400)
    expect(rendered.headers['x-request-id']).toBe('req-1')
    expect(JSON.parse(rendered.body)).toMatchObject({ error: { type: 'invalid_request_error', code: 'SLUICE_ERR_MODEL_INVALID', param: null } })
  })
})
