import { describe, expect, it } from 'vitest'
import { chunkings, fixture, nativeRequest, providerConfig, readAll, usage } from '../../test/fixtures/providers/helpers.js'
import type { Operation, UpstreamRequest } from '../core/wire.js'
import { sluiceError, type SluiceError } from '../core/errors.js'
import { gemini } from './gemini.js'
import { withoutBody } from '../../test/support/recognition.js'

const body = { contents: [{ role: 'user', parts: [{ text: 'Hi' }] }], generationConfig: { maxOutputTokens: 200 } }
const GENERATE: Operation = { name: 'generateContent', model: 'gemini-2.5-flash', stream: false, streamFormat: 'none', maxTokens: 200 }
const STREAM_SSE: Operation = { ...GENERATE, name: 'streamGenerateContent', stream: true, streamFormat: 'sse' }
const STREAM_ARRAY: Operation = { ...STREAM_SSE, streamFormat: 'json-array' }
const unsupported = (method: string, path: string): object => ({ ok: false, code: 'SLUICE_ERR_OPERATION_UNSUPPORTED', detail: `${method} ${path}` })

describe('gemini.recognise', () => {
  it.each([
    ['generateContent', nativeRequest('POST', '/v1beta/models/gemini-2.5-flash:generateContent', body), { ok: true, operation: GENERATE }],
    ['v1 works too', nativeRequest('POST', '/v1/models/gemini-2.5-flash:generateContent', body), { ok: true, operation: GENERATE }],
    ['stream with alt=sse', nativeRequest('POST', '/v1beta/models/gemini-2.5-flash:streamGenerateContent', body, {}, 'alt=sse'), { ok: true, operation: STREAM_SSE }],
    ['alt=sse among other params', nativeRequest('POST', '/v1beta/models/gemini-2.5-flash:streamGenerateContent', body, {}, 'key=k&alt=sse'), { ok: true, operation: STREAM_SSE }],
    ['stream as JSON array', nativeRequest('POST', '/v1beta/models/gemini-2.5-flash:streamGenerateContent', body), { ok: true, operation: STREAM_ARRAY }],
    ['alt=json is the array form', nativeRequest('POST', '/v1beta/models/gemini-2.5-flash:streamGenerateContent', body, {}, 'alt=json'), { ok: true, operation: STREAM_ARRAY }],
    [
      'countTokens needs no body parse',
      nativeRequest('POST', '/v1beta/models/gemini-2.0-flash:countTokens', 'not json'),
      { ok: true, operation: { name: 'countTokens', model: 'gemini-2.0-flash', stream: false, streamFormat: 'none' } },
    ],
    [
      'encoded model id',
      nativeRequest('POST', '/v1beta/models/gemini%2D2.5-flash:generateContent', {}),
      { ok: true, operation: { name: 'generateContent', model: 'gemini-2.5-flash', stream: false, streamFormat: 'none' } },
    ],
    [
      'tuned model',
      nativeRequest('POST', '/v1beta/tunedModels/my-model-7:generateContent', {}),
      { ok: true, operation: { name: 'generateContent', model: 'tunedModels/my-model-7', stream: false, streamFormat: 'none' } },
    ],
    ['bad encoding', nativeRequest('POST', '/v1beta/models/gem%E0%A4%A:generateContent', body), { ok: false, code: 'SLUICE_ERR_MODEL_INVALID', detail: 'The model id gem%E0%A4%A is not valid percent-encoding.' }],
    ['unknown method', nativeRequest('POST', '/v1beta/models/gemini-2.5-flash:predict', body), unsupported('POST', '/v1beta/models/gemini-2.5-flash:predict')],
    [
      'embedContent',
      nativeRequest('POST', '/v1beta/models/gemini-embedding-001:embedContent', { content: { parts: [{ text: 'Hi' }] } }),
      { ok: true, operation: { name: 'embedContent', model: 'gemini-embedding-001', stream: false, streamFormat: 'none', maxTokens: 0 } },
    ],
    [
      'batchEmbedContents',
      nativeRequest('POST', '/v1beta/models/gemini-embedding-001:batchEmbedContents', { requests: [] }),
      { ok: true, operation: { name: 'batchEmbedContents', model: 'gemini-embedding-001', stream: false, streamFormat: 'none', maxTokens: 0 } },
    ],
    ['embedContent body not JSON', nativeRequest('POST', '/v1beta/models/e:embedContent', '{'), { ok: false, code: 'SLUICE_ERR_REQUEST_MALFORMED', detail: 'The body must be a JSON object.' }],
    ['GET model', nativeRequest('GET', '/v1beta/models/gemini-2.5-flash'), { ok: true, operation: { name: 'models.get', model: 'gemini-2.5-flash', stream: false, streamFormat: 'none', read: true } }],
    ['GET tuned model', nativeRequest('GET', '/v1beta/tunedModels/my-model-7'), { ok: true, operation: { name: 'models.get', model: 'tunedModels/my-model-7', stream: false, streamFormat: 'none', read: true } }],
    ['GET models', nativeRequest('GET', '/v1beta/models', undefined, {}, 'pageSize=2&pageToken=x'), { ok: true, operation: { name: 'models.list', model: '', stream: false, streamFormat: 'none', read: true } }],
    ['GET models/', nativeRequest('GET', '/v1beta/models/'), unsupported('GET', '/v1beta/models/')],
    ['GET a method', nativeRequest('GET', '/v1beta/models/g:generateContent'), unsupported('GET', '/v1beta/models/g:generateContent')],
    ['GET files', nativeRequest('GET', '/v1beta/files'), unsupported('GET', '/v1beta/files')],
    ['no model', nativeRequest('POST', '/v1beta/models/:generateContent', body), unsupported('POST', '/v1beta/models/:generateContent')],
    ['nested model path', nativeRequest('POST', '/v1beta/models/a/b:generateContent', body), unsupported('POST', '/v1beta/models/a/b:generateContent')],
    ['no version', nativeRequest('POST', '/models/gemini-2.5-flash:generateContent', body), unsupported('POST', '/models/gemini-2.5-flash:generateContent')],
    ['other collection', nativeRequest('POST', '/v1beta/files/x:generateContent', body), unsupported('POST', '/v1beta/files/x:generateContent')],
    ['body not JSON', nativeRequest('POST', '/v1beta/models/gemini-2.5-flash:generateContent', '{'), { ok: false, code: 'SLUICE_ERR_REQUEST_MALFORMED', detail: 'The body must be a JSON object.' }],
  ])('%s', (_name, request, expected) => {
    expect(withoutBody(gemini.recognise(request), request)).toEqual(expected)
  })
})

describe('gemini credentials and upstream auth', () => {
  it.each([
    ['none', {}, '', { kind: 'none' }],
    ['header', { 'x-goog-api-key': 'AIza-header' }, '', { kind: 'key', key: 'AIza-header' }],
    ['query', {}, 'alt=sse&key=AIza%2Bq', { kind: 'key', key: 'AIza+q' }],
    ['header wins over query', { 'x-goog-api-key': 'AIza-header' }, 'key=AIza-query', { kind: 'key', key: 'AIza-header' }],
    ['empty key', {}, 'key=', { kind: 'malformed', detail: 'The API key is empty.' }],
  ])('presented: %s', (_name, headers, query, expected) => {
    expect(gemini.presentedCredential(nativeRequest('POST', '/v1beta/models/m:generateContent', '', headers, query))).toEqual(expected)
  })

  it('strips the client key from header and query, and sets its own', async () => {
    expect(gemini.clientAuthHeaders).toEqual(['x-goog-api-key'])
    expect(gemini.clientAuthQuery).toEqual(['key'])
    const request: UpstreamRequest = { method: 'POST', path: '/v1beta/models/m:generateContent', headers: {}, body: Buffer.alloc(0) }
    await gemini.createUpstreamAuth(providerConfig('gemini', { apiKey: 'AIza-sluice' }))(request, new URL('https://generativelanguage.googleapis.com'))
    expect(request.headers).toEqual({ 'x-goog-api-key': 'AIza-sluice' })
    expect(gemini.defaultEndpoint(providerConfig('gemini'))).toBe('https://generativelanguage.googleapis.com')
  })
})

describe('gemini usage', () => {
  const cases: Array<[string, Operation, ReturnType<typeof usage>]> = [
    // input 2048 (1536 cached); output 24 candidates + 300 thoughts.
    ['generate-content.json', GENERATE, usage(2048, 324, 1536, 300)],
    ['stream-generate-content.sse', STREAM_SSE, usage(9, 33, 0, 12)],
    ['stream-generate-content.json', STREAM_ARRAY, usage(12, 14)],
  ]
  describe.each(cases)('%s', (file, operation, expected) => {
    it.each(chunkings(fixture(`gemini/${file}`)))('%s', (_label, chunks) => {
      expect(readAll(gemini.createUsageReader(operation, 200, {}), chunks)).toEqual(expected)
    })
  })

  it('reads nothing for countTokens or errors', () => {
    const count: Operation = { name: 'countTokens', model: 'm', stream: false, streamFormat: 'none' }
    expect(readAll(gemini.createUsageReader(count, 200, {}), [Buffer.from('{"totalTokens":31}')])).toBeUndefined()
    expect(readAll(gemini.createUsageReader(GENERATE, 400, {}), [fixture('gemini/generate-content.json')])).toBeUndefined()
  })
})

describe('gemini.renderError', () => {
  const limited: SluiceError = { ...sluiceError('SLUICE_ERR_RATE_LIMITED', 'req-9'), retryAfterSeconds: 30 }
  it.each([
    ['malformed', sluiceError('SLUICE_ERR_REQUEST_MALFORMED', 'req-1'), 400, 'INVALID_ARGUMENT'],
    ['auth missing', sluiceError('SLUICE_ERR_AUTH_MISSING', 'req-2'), 401, 'UNAUTHENTICATED'],
    ['auth invalid', sluiceError('SLUICE_ERR_AUTH_INVALID', 'req-3'), 403, 'PERMISSION_DENIED'],
    ['unknown operation', sluiceError('SLUICE_ERR_OPERATION_UNSUPPORTED', 'req-4'), 404, 'NOT_FOUND'],
    ['too large', sluiceError('SLUICE_ERR_REQUEST_TOO_LARGE', 'req-5'), 413, 'INVALID_ARGUMENT'],
    ['upstream unreachable', sluiceError('SLUICE_ERR_UPSTREAM_UNREACHABLE', 'req-6'), 502, 'UNAVAILABLE'],
    ['upstream timeout', sluiceError('SLUICE_ERR_UPSTREAM_TIMEOUT', 'req-7'), 504, 'DEADLINE_EXCEEDED'],
    ['internal', sluiceError('SLUICE_ERR_INTERNAL', 'req-8'), 500, 'INTERNAL'],
    ['rate limited (429)', limited, 429, 'RESOURCE_EXHAUSTED'],
  ])('%s → %i %s', (_name, error, status, statusName) => {
    const rendered = gemini.renderError(error)
    expect(rendered.status).toBe(status)
    expect(rendered.headers['content-type']).toBe('application/json; charset=UTF-8')
    const details: object[] = [
      { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: error.code, domain: 'sluice', metadata: { requestId: error.requestId } },
    ]
    if (error.retryAfterSeconds !== undefined) {
      expect(rendered.headers['retry-after']).toBe(String(error.retryAfterSeconds))
      details.push({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${error.retryAfterSeconds}s` })
    }
    expect(JSON.parse(rendered.body)).toEqual({
      error: { code: status, message: `${error.code}: ${error.message} (request id: ${error.requestId})`, status: statusName, details },
    })
  })
})
