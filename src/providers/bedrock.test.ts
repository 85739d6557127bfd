import { EventStreamCodec } from '@smithy/eventstream-codec'
import { fromUtf8, toUtf8 } from '@smithy/util-utf8'
import { describe, expect, it } from 'vitest'
import { chunkings, fixture, nativeRequest, readAll, usage } from '../../test/fixtures/providers/helpers.js'
import type { Operation, Recognition } from '../core/wire.js'
import { sluiceError, type SluiceError } from '../core/errors.js'
import { bedrock } from './bedrock.js'
import { withoutBody } from '../../test/support/recognition.js'

const SONNET = 'anthropic.claude-3-5-sonnet-20240620-v1:0'
const SONNET_PATH = 'anthropic.claude-3-5-sonnet-20240620-v1%3A0'
const ARN = 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-7-sonnet-20250219-v1:0'
const converseBody = { messages: [{ role: 'user', content: [{ text: 'Hi' }] }], inferenceConfig: { maxTokens: 512 } }

function ok(name: string, model: string, stream: boolean, maxTokens?: number): Recognition {
  const operation: Operation = { name, model, stream, streamFormat: stream ? 'eventstream' : 'none', ...(maxTokens === undefined ? {} : { maxTokens }) }
  return { ok: true, operation }
}
const unsupported = (method: string, path: string): Recognition => ({ ok: false, code: 'SLUICE_ERR_OPERATION_UNSUPPORTED', detail: `${method} ${path}` })

describe('bedrock.recognise', () => {
  it.each([
    ['converse', nativeRequest('POST', `/model/${SONNET_PATH}/converse`, converseBody), ok('converse', SONNET, false, 512)],
    ['converse-stream', nativeRequest('POST', `/model/${SONNET_PATH}/converse-stream`, converseBody), ok('converse-stream', SONNET, true, 512)],
    ['ARN with %2F', nativeRequest('POST', `/model/${encodeURIComponent(ARN)}/converse`, { messages: [] }), ok('converse', ARN, false)],
    ['unencoded colon', nativeRequest('POST', `/model/${SONNET}/converse`, { messages: [] }), ok('converse', SONNET, false)],
    ['invoke, Anthropic max_tokens', nativeRequest('POST', `/model/${SONNET_PATH}/invoke`, { anthropic_version: 'bedrock-2023-05-31', max_tokens: 300 }), ok('invoke', SONNET, false, 300)],
    ['invoke stream, Llama max_gen_len', nativeRequest('POST', '/model/meta.llama3-70b-instruct-v1%3A0/invoke-with-response-stream', { prompt: 'x', max_gen_len: 128 }), ok('invoke-stream', 'meta.llama3-70b-instruct-v1:0', true, 128)],
    ['invoke, Titan maxTokenCount', nativeRequest('POST', '/model/amazon.titan-text-express-v1/invoke', { inputText: 'x', textGenerationConfig: { maxTokenCount: 64 } }), ok('invoke', 'amazon.titan-text-express-v1', false, 64)],
    ['invoke, Nova max_new_tokens', nativeRequest('POST', '/model/amazon.nova-lite-v1%3A0/invoke', { messages: [], inferenceConfig: { max_new_tokens: 99 } }), ok('invoke', 'amazon.nova-lite-v1:0', false, 99)],
    ['invoke, Titan embedding: no output', nativeRequest('POST', '/model/amazon.titan-embed-text-v2%3A0/invoke', { inputText: 'x' }), ok('invoke', 'amazon.titan-embed-text-v2:0', false, 0)],
    ['invoke, Cohere embedding: no output', nativeRequest('POST', '/model/cohere.embed-english-v3/invoke', { texts: ['x'], input_type: 'search_query' }), ok('invoke', 'cohere.embed-english-v3', false, 0)],
    ['invoke, binary body', nativeRequest('POST', '/model/stability.sd3-large-v1%3A0/invoke', Buffer.from([0x89, 0x50, 0x4e, 0x47])), ok('invoke', 'stability.sd3-large-v1:0', false)],
    ['invoke, broken JSON is the model\'s business', nativeRequest('POST', `/model/${SONNET_PATH}/invoke`, '{oops'), ok('invoke', SONNET, false)],
    ['count-tokens', nativeRequest('POST', `/model/${SONNET_PATH}/count-tokens`, { input: { converse: converseBody } }), ok('count-tokens', SONNET, false)],
    ['bad encoding', nativeRequest('POST', '/model/%E0%A4%A/converse', converseBody), { ok: false, code: 'SLUICE_ERR_MODEL_INVALID', detail: 'The model id %E0%A4%A is not valid percent-encoding.' }],
    ['converse body not JSON', nativeRequest('POST', `/model/${SONNET_PATH}/converse`, 'nope'), { ok: false, code: 'SLUICE_ERR_REQUEST_MALFORMED', detail: 'The body must be a JSON object.' }],
    ['unknown action', nativeRequest('POST', `/model/${SONNET_PATH}/converse-async`), unsupported('POST', `/model/${SONNET_PATH}/converse-async`)],
    ['empty model', nativeRequest('POST', '/model//converse'), unsupported('POST', '/model//converse')],
    ['no model', nativeRequest('POST', '/model/converse'), unsupported('POST', '/model/converse')],
    ['unencoded slash in model', nativeRequest('POST', '/model/a/b/converse'), unsupported('POST', '/model/a/b/converse')],
    ['GET', nativeRequest('GET', `/model/${SONNET_PATH}/converse`), unsupported('GET', `/model/${SONNET_PATH}/converse`)],
    ['other prefix', nativeRequest('POST', '/models/x/converse'), unsupported('POST', '/models/x/converse')],
    ['control plane path', nativeRequest('GET', '/foundation-models'), unsupported('GET', '/foundation-models')],
  ])('%s', (_name, request, expected) => {
    expect(withoutBody(bedrock.recognise(request), request)).toEqual(expected)
  })
})

describe('bedrock.presentedCredential', () => {
  const sigv4 = `AWS4-HMAC-SHA256 Credential=AKIDCHECKOUTAPP/20240102/us-east-1/bedrock/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'a1'.repeat(32)}`
  it.each([
    ['none', {}, { kind: 'none' }],
    ['SigV4', { authorization: sigv4 }, { kind: 'sigv4', accessKeyId: 'AKIDCHECKOUTAPP', parsed: { accessKeyId: 'AKIDCHECKOUTAPP', date: '20240102', region: 'us-east-1', service: 'bedrock', signedHeaders: ['host', 'x-amz-date'], signature: 'a1'.repeat(32) } }],
    ['SigV4 that does not parse', { authorization: 'AWS4-HMAC-SHA256 Credential=AKID' }, { kind: 'malformed', detail: 'The SigV4 Authorization header could not be parsed.' }],
    ['Bedrock API key', { authorization: 'Bearer ABSKQmVkcm9ja0FQSUtleQ==' }, { kind: 'key', key: 'ABSKQmVkcm9ja0FQSUtleQ==' }],
    ['other scheme', { authorization: 'Basic eDp5' }, { kind: 'malformed', detail: 'The Authorization header is not a Bearer token.' }],
  ])('%s', (_name, headers, expected) => {
    expect(bedrock.presentedCredential(nativeRequest('POST', `/model/${SONNET_PATH}/converse`, '', headers))).toEqual(expected)
  })

  it('strips every client SigV4 header', () => {
    expect(bedrock.clientAuthHeaders).toEqual(['authorization', 'x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256'])
  })
})

const codec = new EventStreamCodec(toUtf8, fromUtf8)

function eventFrame(eventType: string, body: unknown): Buffer {
  const headers = {
    ':event-type': { type: 'string' as const, value: eventType },
    ':content-type': { type: 'string' as const, value: 'application/json' },
    ':message-type': { type: 'string' as const, value: 'event' },
  }
  return Buffer.from(codec.encode({ headers, body: fromUtf8(JSON.stringify(body)) }))
}

/** ConverseStream as Bedrock sends it: one frame per event, payload = the event's members. */
function converseStream(): Buffer {
  const events = JSON.parse(fixture('bedrock/converse-stream.events.json').toString()) as Array<{ type: string; body: unknown }>
  return Buffer.concat(events.map((e) => eventFrame(e.type, e.body)))
}

/** InvokeModelWithResponseStream: `chunk` frames whose `bytes` are the model's base64 JSON. */
function invokeStream(): Buffer {
  const chunks = JSON.parse(fixture('bedrock/invoke-stream.events.json').toString()) as unknown[]
  return Buffer.concat(chunks.map((c) => eventFrame('chunk', { bytes: Buffer.from(JSON.stringify(c)).toString('base64'), p: 'abcdefgh' })))
}

describe('bedrock usage', () => {
  const CONVERSE: Operation = { name: 'converse', model: SONNET, stream: false, streamFormat: 'none' }
  const CONVERSE_STREAM: Operation = { ...CONVERSE, name: 'converse-stream', stream: true, streamFormat: 'eventstream' }
  const INVOKE: Operation = { ...CONVERSE, name: 'invoke' }
  const INVOKE_STREAM: Operation = { ...CONVERSE_STREAM, name: 'invoke-stream' }
  const cases: Array<[string, Operation, Buffer, ReturnType<typeof usage>]> = [
    // 410 + 1200 cache reads + 300 cache writes; the nested toolUse `usage` is not the answer.
    ['converse.json', CONVERSE, fixture('bedrock/converse.json'), usage(1910, 62, 1200)],
    ['converse-stream metadata event', CONVERSE_STREAM, converseStream(), usage(14, 9)],
    ['invoke-stream invocation metrics', INVOKE_STREAM, invokeStream(), usage(21, 12, 4)],
  ]
  describe.each(cases)('%s', (_name, operation, body, expected) => {
    it.each(chunkings(body))('%s', (_label, chunks) => {
      expect(readAll(bedrock.createUsageReader(operation, 200, {}), chunks)).toEqual(expected)
    })
  })

  it('reads InvokeModel usage from its headers', () => {
    const headers = {
      'x-amzn-bedrock-input-token-count': '120',
      'x-amzn-bedrock-output-token-count': '33',
      'x-amzn-bedrock-cache-read-input-token-count': '100',
    }
    expect(readAll(bedrock.createUsageReader(INVOKE, 200, headers), [Buffer.from('{}')])).toEqual(usage(220, 33, 100))
    expect(readAll(bedrock.createUsageReader(INVOKE, 200, { 'x-amzn-bedrock-input-token-count': 'NaN' }), [])).toBeUndefined()
  })

  it('ignores exception frames and stops at a corrupt stream without throwing', () => {
    const exception = Buffer.from(
      codec.encode({
        headers: { ':message-type': { type: 'string', value: 'exception' }, ':exception-type': { type: 'string', value: 'throttlingException' } },
        body: fromUtf8('{"message":"slow down"}'),
      }),
    )
    const reader = bedrock.createUsageReader(CONVERSE_STREAM, 200, {})
    expect(readAll(reader, [exception, Buffer.from('garbage that is not a frame'), converseStream()])).toBeUndefined()
  })

  it.each([
    ['count-tokens', { ...CONVERSE, name: 'count-tokens' }, 200],
    ['an error', CONVERSE, 400],
  ])('reads nothing for %s', (_name, operation, status) => {
    expect(readAll(bedrock.createUsageReader(operation, status, {}), [fixture('bedrock/converse.json')])).toBeUndefined()
  })
})

describe('bedrock.renderError', () => {
  const throttled: SluiceError = { ...sluiceError('SLUICE_ERR_RATE_LIMITED', 'req-9'), retryAfterSeconds: 5 }
  it.each([
    ['malformed', sluiceError('SLUICE_ERR_REQUEST_MALFORMED', 'req-1'), 400, 'ValidationException'],
    ['model invalid', sluiceError('SLUICE_ERR_MODEL_INVALID', 'req-1'), 400, 'ValidationException'],
    ['auth missing', sluiceError('SLUICE_ERR_AUTH_MISSING', 'req-2'), 401, 'MissingAuthenticationTokenException'],
    ['auth invalid', sluiceError('SLUICE_ERR_AUTH_INVALID', 'req-3'), 403, 'AccessDeniedException'],
    ['unknown operation', sluiceError('SLUICE_ERR_OPERATION_UNSUPPORTED', 'req-4'), 404, 'ResourceNotFoundException'],
    ['too large', sluiceError('SLUICE_ERR_REQUEST_TOO_LARGE', 'req-5'), 413, 'ValidationException'],
    ['shutting down', sluiceError('SLUICE_ERR_SHUTTING_DOWN', 'req-6'), 503, 'ServiceUnavailableException'],
    ['upstream unreachable', sluiceError('SLUICE_ERR_UPSTREAM_UNREACHABLE', 'req-7'), 502, 'ServiceUnavailableException'],
    ['upstream timeout', sluiceError('SLUICE_ERR_UPSTREAM_TIMEOUT', 'req-8'), 504, 'ModelTimeoutException'],
    ['internal', sluiceError('SLUICE_ERR_INTERNAL', 'req-8'), 500, 'InternalServerException'],
    ['throttled (429)', throttled, 429, 'ThrottlingException'],
  ])('%s → %i %s', (_name, error, status, exception) => {
    const rendered = bedrock.renderError(error)
    expect(rendered.status).toBe(status)
    expect(rendered.headers).toEqual({
      'content-type': 'application/json',
      'x-amzn-errortype': exception,
      'x-amzn-requestid': error.requestId,
      ...(error.retryAfterSeconds === undefined ? {} : { 'retry-after': String(error.retryAfterSeconds) }),
    })
    expect(JSON.parse(rendered.body)).toEqual({
      message: `${error.code}: ${error.message} (request id: ${error.requestId})`,
      code: error.code,
      requestId: error.requestId,
    })
  })
})
