import type { IncomingHttpHeaders } from 'node:http'
import { describe, expect, it } from 'vitest'
import type { ProviderType } from '../core/wire.js'
import { translateUpstreamError } from './upstream-error.js'

const body = (value: unknown): Buffer => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value))

describe('translateUpstreamError', () => {
  it.each<[string, ProviderType, number, IncomingHttpHeaders, Buffer, object]>([
    [
      'bedrock throttling, namespaced header',
      'bedrock',
      429,
      { 'x-amzn-errortype': 'ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/', 'retry-after': '3' },
      body({ message: 'Too many requests, please wait before trying again.' }),
      { message: 'bedrock: ThrottlingException: Too many requests, please wait before trying again.', type: 'rate_limit_error', code: 'ThrottlingException', param: null },
    ],
    [
      'bedrock validation, Message spelling',
      'bedrock',
      400,
      { 'x-amzn-errortype': 'ValidationException' },
      body({ Message: 'The provided model identifier is invalid.' }),
      { message: 'bedrock: ValidationException: The provided model identifier is invalid.', type: 'invalid_request_error', code: 'ValidationException', param: null },
    ],
    [
      'bedrock signature',
      'bedrock',
      403,
      { 'x-amzn-errortype': 'UnrecognizedClientException' },
      body({ message: 'The security token included in the request is invalid.' }),
      { message: 'bedrock: UnrecognizedClientException: The security token included in the request is invalid.', type: 'permission_error', code: 'UnrecognizedClientException', param: null },
    ],
    [
      'gemini quota',
      'gemini',
      429,
      {},
      body({ error: { code: 429, message: 'Resource has been exhausted (e.g. check quota).', status: 'RESOURCE_EXHAUSTED' } }),
      { message: 'gemini: RESOURCE_EXHAUSTED: Resource has been exhausted (e.g. check quota).', type: 'rate_limit_error', code: 'RESOURCE_EXHAUSTED', param: null },
    ],
    [
      'gemini bad key',
      'gemini',
      400,
      {},
      body({ error: { code: 400, message: 'API key not valid. Please pass a valid API key.', status: 'INVALID_ARGUMENT' } }),
      { message: 'gemini: INVALID_ARGUMENT: API key not valid. Please pass a valid API key.', type: 'invalid_request_error', code: 'INVALID_ARGUMENT', param: null },
    ],
    [
      'llama problem detail',
      'llama',
      401,
      {},
      body({ title: 'Unauthorized', detail: 'Invalid API key', status: 401 }),
      { message: 'llama: Unauthorized: Invalid API key', type: 'authentication_error', code: 'Unauthorized', param: null },
    ],
    ['llama FastAPI detail', 'llama', 404, {}, body({ detail: 'Model not found' }), { message: 'llama: Model not found', type: 'not_found_error', code: null, param: null }],
    [
      'openai keeps its own type and code',
      'openai',
      429,
      { 'retry-after': '20' },
      body({ error: { message: 'You exceeded your current quota.', type: 'insufficient_quota', param: null, code: 'insufficient_quota' } }),
      { message: 'openai: insufficient_quota: You exceeded your current quota.', type: 'insufficient_quota', code: 'insufficient_quota', param: null },
    ],
    [
      'openai without a code',
      'openai',
      500,
      {},
      body({ error: { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: null } }),
      { message: 'openai: The server had an error while processing your request.', type: 'server_error', code: null, param: null },
    ],
    [
      'an HTML gateway page',
      'gemini',
      502,
      { 'content-type': 'text/html' },
      body('<html>\n  <body>Bad Gateway</body>\n</html>\n'),
      { message: 'gemini: <html> <body>Bad Gateway</body> </html>', type: 'server_error', code: null, param: null },
    ],
    [
      'anthropic on vertex: the inner type names the error',
      'vertex',
      529,
      {},
      body({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }),
      { message: 'vertex: overloaded_error: Overloaded', type: 'server_error', code: 'overloaded_error', param: null },
    ],
    [
      'anthropic validation error',
      'vertex',
      400,
      {},
      body({ type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: Field required' } }),
      { message: 'vertex: invalid_request_error: max_tokens: Field required', type: 'invalid_request_error', code: 'invalid_request_error', param: null },
    ],
    ['an empty body', 'bedrock', 503, {}, Buffer.alloc(0), { message: 'bedrock: HTTP 503', type: 'server_error', code: null, param: null }],
    ['an unknown 4xx', 'llama', 422, {}, body({ message: 'bad schema' }), { message: 'llama: bad schema', type: 'invalid_request_error', code: null, param: null }],
  ])('%s', (_name, provider, status, headers, raw, error) => {
    const rendered = translateUpstreamError(provider, status, headers, raw, 'req-1')
    expect(rendered.status).toBe(status)
    expect(JSON.parse(rendered.body)).toEqual({ error })
    const retryAfter = headers['retry-after']
    expect(rendered.headers).toEqual({ 'content-type': 'application/json', 'x-request-id': 'req-1', ...(retryAfter !== undefined ? { 'retry-after': retryAfter } : {}) })
  })

  it('cuts a long raw body to about 1000 characters', () => {
    const { body: rendered } = translateUpstreamError('llama', 500, {}, Buffer.from('x'.repeat(50_000)), 'req-2')
    expect(JSON.parse(rendered).error.message).toBe(`llama: ${'x'.repeat(1000)}…`)
  })
})
