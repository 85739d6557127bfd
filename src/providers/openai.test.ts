import { describe, expect, it } from 'vitest'
import { chunkings, fixture, nativeRequest, providerConfig, readAll, usage } from '../../test/fixtures/providers/helpers.js'
import type { Operation, Recognition, UpstreamRequest } from '../core/wire.js'
import { sluiceError, type SluiceError } from '../core/errors.js'
import { openai } from './openai.js'
import { withoutBody } from '../../test/support/recognition.js'

const chat = (body: object): ReturnType<typeof nativeRequest> => nativeRequest('POST', '/v1/chat/completions', body)

function op(name: string, model: string, stream: boolean, maxTokens?: number): Recognition {
  const operation: Operation = { name, model, stream, streamFormat: stream ? 'sse' : 'none', ...(maxTokens === undefined ? {} : { maxTokens }) }
  return { ok: true, operation }
}

describe('openai.recognise', () => {
  it.each([
    ['chat', chat({ model: 'gpt-4o', messages: [] }), op('chat.completions', 'gpt-4o', false)],
    ['chat stream + max_completion_tokens', chat({ model: 'gpt-4o', stream: true, max_completion_tokens: 100 }), op('chat.completions', 'gpt-4o', true, 100)],
    ['chat max_tokens', chat({ model: 'gpt-4o-mini', max_tokens: 50 }), op('chat.completions', 'gpt-4o-mini', false, 50)],
    ['max_tokens as a string is ignored', chat({ model: 'm', max_tokens: '50' }), op('chat.completions', 'm', false)],
    ['stream must be true, not truthy', chat({ model: 'm', stream: 'yes' }), op('chat.completions', 'm', false)],
    [
      'responses stream + max_output_tokens',
      nativeRequest('POST', '/v1/responses', { model: 'o4-mini', stream: true, max_output_tokens: 256 }),
      op('responses', 'o4-mini', true, 256),
    ],
    ['embeddings never stream', nativeRequest('POST', '/v1/embeddings', { model: 'text-embedding-3-small', stream: true }), op('embeddings', 'text-embedding-3-small', false, 0)],
    ['GET is unsupported', nativeRequest('GET', '/v1/chat/completions'), { ok: false, code: 'SLUICE_ERR_OPERATION_UNSUPPORTED', detail: 'GET /v1/chat/completions' }],
    ['unknown path', nativeRequest('POST', '/v1/models'), { ok: false, code: 'SLUICE_ERR_OPERATION_UNSUPPORTED', detail: 'POST /v1/models' }],
    ['models.list', nativeRequest('GET', '/v1/models'), { ok: true, operation: { name: 'models.list', model: '', stream: false, streamFormat: 'none', read: true } }],
    ['models.get, id decoded', nativeRequest('GET', '/v1/models/ft%3Agpt-4o-mini%3Aacme'), { ok: true, operation: { name: 'models.get', model: 'ft:gpt-4o-mini:acme', stream: false, streamFormat: 'none', read: true } }],
    ['models/ alone', nativeRequest('GET', '/v1/models/'), { ok: false, code: 'SLUICE_ERR_OPERATION_UNSUPPORTED', detail: 'GET /v1/models/' }],
    ['models nested', nativeRequest('GET', '/v1/models/a/b'), { ok: false, code: 'SLUICE_ERR_OPERATION_UNSUPPORTED', detail: 'GET /v1/models/a/b' }],
    ['models bad encoding', nativeRequest('GET', '/v1/models/a%ZZ'), { ok: false, code: 'SLUICE_ERR_MODEL_INVALID', detail: 'The model id a%ZZ is not valid percent-encoding.' }],
    ['trailing slash', nativeRequest('POST', '/v1/chat/completions/'), { ok: false, code: 'SLUICE_ERR_OPERATION_UNSUPPORTED', detail: 'POST /v1/chat/completions/' }],
    ['body not JSON', nativeRequest('POST', '/v1/chat/completions', '{"model":'), { ok: false, code: 'SLUICE_ERR_REQUEST_MALFORMED', detail: 'The body must be a JSON object.' }],
    ['body a JSON array', nativeRequest('POST', '/v1/chat/completions', '[]'), { ok: false, code: 'SLUICE_ERR_REQUEST_MALFORMED', detail: 'The body must be a JSON object.' }],
    ['empty body', nativeRequest('POST', '/v1/responses'), { ok: false, code: 'SLUICE_ERR_REQUEST_MALFORMED', detail: 'The body must be a JSON object.' }],
    ['model missing', chat({ messages: [] }), { ok: false, code: 'SLUICE_ERR_MODEL_INVALID', detail: '`model` must be a non-empty string.' }],
    ['model not a string', chat({ model: 42 }), { ok: false, code: 'SLUICE_ERR_MODEL_INVALID', detail: '`model` must be a non-empty string.' }],
    ['model empty', chat({ model: '' }), { ok: false, code: 'SLUICE_ERR_MODEL_INVALID', detail: '`model` must be a non-empty string.' }],
  ])('%s', (_name, request, expected) => {
    expect(withoutBody(openai.recognise(request), request)).toEqual(expected)
  })
})

describe('openai.presentedCredential', () => {
  it.each([
    ['none', {}, { kind: 'none' }],
    ['Bearer', { authorization: 'Bearer sk-test-1' }, { kind: 'key', key: 'sk-test-1' }],
    ['scheme is case-insensitive', { authorization: 'bearer sk-test-1 ' }, { kind: 'key', key: 'sk-test-1' }],
    ['Basic', { authorization: 'Basic dXNlcjpwYXNz' }, { kind: 'malformed', detail: 'The Authorization header is not a Bearer token.' }],
    ['empty token', { authorization: 'Bearer   ' }, { kind: 'malformed', detail: 'The Bearer token is empty.' }],
  ])('%s', (_name, headers, expected) => {
    expect(openai.presentedCredential(nativeRequest('POST', '/v1/chat/completions', '', headers))).toEqual(expected)
  })
})

describe('openai upstream auth', () => {
  const upstream = (): UpstreamRequest => ({ method: 'POST', path: '/v1/chat/completions', headers: { 'content-type': 'application/json' }, body: Buffer.alloc(0) })
  const origin = new URL('https://api.openai.com')

  it('sets its own Bearer key', async () => {
    const request = upstream()
    await openai.createUpstreamAuth(providerConfig('openai', { apiKey: 'sk-sluice' }))(request, origin)
    expect(request.headers).toEqual({ 'content-type': 'application/json', authorization: 'Bearer sk-sluice' })
  })

  it('leaves the request alone without a key', async () => {
    const request = upstream()
    await openai.createUpstreamAuth(providerConfig('openai'))(request, origin)
    expect(request.headers).toEqual({ 'content-type': 'application/json' })
  })

  it('defaults to the public endpoint', () => {
    expect(openai.defaultEndpoint(providerConfig('openai'))).toBe('https://api.openai.com')
  })
})

describe('openai usage', () => {
  const cases: Array<[string, Operation, ReturnType<typeof usage>]> = [
    ['chat-completion.json', { name: 'chat.completions', model: 'gpt-4o', stream: false, streamFormat: 'none' }, usage(1117, 46, 1024, 12)],
    ['chat-completion-stream.sse', { name: 'chat.completions', model: 'gpt-4o-mini', stream: true, streamFormat: 'sse' }, usage(19, 10)],
    ['responses.json', { name: 'responses', model: 'o4-mini', stream: false, streamFormat: 'none' }, usage(36, 87, 0, 64)],
    ['responses-stream.sse', { name: 'responses', model: 'gpt-4.1', stream: true, streamFormat: 'sse' }, usage(37, 11, 5, 0)],
    ['embeddings.json', { name: 'embeddings', model: 'text-embedding-3-small', stream: false, streamFormat: 'none' }, usage(8, 0)],
  ]
  describe.each(cases)('%s', (file, operation, expected) => {
    it.each(chunkings(fixture(`openai/${file}`)))('%s', (_label, chunks) => {
      expect(readAll(openai.createUsageReader(operation, 200, { 'content-type': 'application/json' }), chunks)).toEqual(expected)
    })
  })

  it.each([
    ['an error status', 429, {}],
    ['a compressed body', 200, { 'content-encoding': 'br' }],
  ])('reads nothing from %s', (_name, status, headers) => {
    const reader = openai.createUsageReader(cases[0]![1], status, headers)
    expect(readAll(reader, [fixture('openai/chat-completion.json')])).toBeUndefined()
  })

  it('ignores garbage', () => {
    const reader = openai.createUsageReader(cases[1]![1], 200, {})
    expect(readAll(reader, [Buffer.from('data: {"usage":{"prompt_tokens":\n\n\x00\xff{{{"usage": [}\n\n')])).toBeUndefined()
  })
})

describe('openai.renderError', () => {
  const limited: SluiceError = { ...sluiceError('SLUICE_ERR_RATE_LIMITED', 'req-9'), retryAfterSeconds: 12 }
  it.each([
    ['malformed', sluiceError('SLUICE_ERR_REQUEST_MALFORMED', 'req-1'), 400, 'invalid_request_error'],
    ['auth missing', sluiceError('SLUICE_ERR_AUTH_MISSING', 'req-2'), 401, 'authentication_error'],
    ['auth invalid', sluiceError('SLUICE_ERR_AUTH_INVALID', 'req-3'), 403, 'authentication_error'],
    ['unknown operation', sluiceError('SLUICE_ERR_OPERATION_UNSUPPORTED', 'req-4', 'POST /v1/x'), 404, 'not_found_error'],
    ['too large', sluiceError('SLUICE_ERR_REQUEST_TOO_LARGE', 'req-5'), 413, 'invalid_request_error'],
    ['upstream timeout', sluiceError('SLUICE_ERR_UPSTREAM_TIMEOUT', 'req-6'), 504, 'server_error'],
    ['shutting down', sluiceError('SLUICE_ERR_SHUTTING_DOWN', 'req-7'), 503, 'server_error'],
    ['rate limited (429)', limited, 429, 'rate_limit_error'],
  ])('%s → %i %s', (_name, error, status, type) => {
    const rendered = openai.renderError(error)
    expect(rendered.status).toBe(status)
    expect(rendered.headers['content-type']).toBe('application/json')
    expect(rendered.headers['x-request-id']).toBe(error.requestId)
    expect(rendered.headers['retry-after']).toBe(error.retryAfterSeconds === undefined ? undefined : String(error.retryAfterSeconds))
    expect(JSON.parse(rendered.body)).toEqual({
      error: {
        message: `${error.code}: ${error.message} (request id: ${error.requestId})`,
        type,
        param: null,
        code: error.code,
        request_id: error.requestId,
      },
    })
  })
})
