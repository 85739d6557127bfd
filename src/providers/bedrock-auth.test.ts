import { createHash, createHmac } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { providerConfig } from '../../test/fixtures/providers/helpers.js'
import { verifySigV4 } from '../auth/sigv4-verify.js'
import { parseSigV4 } from './sigv4-header.js'
import type { UpstreamRequest } from '../core/wire.js'
import { bedrock } from './bedrock.js'

const credentials = { accessKeyId: 'AKIDSLUICEUPSTREAM', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' }
const body = Buffer.from('{"messages":[{"role":"user","content":[{"text":"Hi"}]}]}')

function upstream(path: string): UpstreamRequest {
  // As the data plane builds it: client headers (auth stripped), host and content-length set.
  return {
    method: 'POST',
    path,
    headers: { 'content-type': 'application/json', 'content-length': String(body.length), 'x-amzn-bedrock-trace': 'ENABLED' },
    body,
  }
}

async function signAndVerify(path: string, origin: URL, sessionToken?: string): Promise<UpstreamRequest> {
  const config = providerConfig('bedrock', { region: 'eu-west-1', credentials: { ...credentials, ...(sessionToken === undefined ? {} : { sessionToken }) } })
  const request = upstream(path)
  await bedrock.createUpstreamAuth(config)(request, origin)
  const parsed = parseSigV4(request.headers.authorization)
  expect(parsed).toMatchObject({ accessKeyId: credentials.accessKeyId, region: 'eu-west-1', service: 'bedrock' })
  const q = request.path.indexOf('?')
  const result = await verifySigV4(parsed!, {
    method: request.method,
    path: q === -1 ? request.path : request.path.slice(0, q),
    query: q === -1 ? '' : request.path.slice(q + 1),
    headers: request.headers,
    body,
    secretAccessKey: credentials.secretAccessKey,
    ...(sessionToken === undefined ? {} : { sessionToken }),
  })
  expect(result).toEqual({ ok: true })
  return request
}

describe('bedrock upstream SigV4', () => {
  const origin = new URL('https://bedrock-runtime.eu-west-1.amazonaws.com')

  it.each([
    ['encoded colon', '/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse'],
    ['ARN with %2F', `/model/${encodeURIComponent('arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.anthropic.claude-3-7-sonnet-20250219-v1:0')}/converse-stream`],
    ['with a query', '/model/amazon.nova-lite-v1%3A0/invoke?trace=1&a=b%20c'],
  ])('signs a path that verifies: %s', async (_name, path) => {
    const request = await signAndVerify(path, origin)
    expect(request.path).toBe(path)
    expect(request.headers.host).toBe('bedrock-runtime.eu-west-1.amazonaws.com')
    expect(parseSigV4(request.headers.authorization)?.signedHeaders).toEqual(['host', 'x-amz-content-sha256', 'x-amz-date'])
    // Headers the data plane may still adjust are forwarded but not signed.
    expect(request.headers['content-length']).toBe(String(body.length))
    expect(request.headers['x-amzn-bedrock-trace']).toBe('ENABLED')
  })

  it('signs the session token of temporary credentials', async () => {
    const request = await signAndVerify('/model/m%3A0/converse', origin, 'FwoGZXIvYXdzEBYaDH')
    expect(request.headers['x-amz-security-token']).toBe('FwoGZXIvYXdzEBYaDH')
    expect(parseSigV4(request.headers.authorization)?.signedHeaders).toEqual(['host', 'x-amz-content-sha256', 'x-amz-date', 'x-amz-security-token'])
  })

  it('uses the origin host with its port (emulators, private endpoints)', async () => {
    const request = await signAndVerify('/model/m%3A0/converse', new URL('http://127.0.0.1:4010'))
    expect(request.headers.host).toBe('127.0.0.1:4010')
  })

  it('signs the path as sent: the decoded path does not verify', async () => {
    const request = await signAndVerify('/model/m%3A0/converse', origin)
    const parsed = parseSigV4(request.headers.authorization)!
    const result = await verifySigV4(parsed, { method: 'POST', path: '/model/m:0/converse', query: '', headers: request.headers, body, secretAccessKey: credentials.secretAccessKey })
    expect(result.ok).toBe(false)
  })

  it('reuses one signer across requests', async () => {
    const auth = bedrock.createUpstreamAuth(providerConfig('bedrock', { credentials }))
    const first = upstream('/model/a/converse')
    const second = upstream('/model/b/converse')
    await Promise.all([auth(first, origin), auth(second, origin)])
    expect(first.headers.authorization).not.toBe(second.headers.authorization)
    expect(parseSigV4(first.headers.authorization)?.region).toBe('us-east-1')
  })

  it('falls back to the AWS default credential chain', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDFROMENVIRONMENT')
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret-from-env')
    try {
      const request = upstream('/model/m%3A0/converse')
      await bedrock.createUpstreamAuth(providerConfig('bedrock'))(request, origin)
      expect(parseSigV4(request.headers.authorization)?.accessKeyId).toBe('AKIDFROMENVIRONMENT')
    } finally {
      vi.unstubAllEnvs()
    }
  })

  it('sends a Bedrock API key as Bearer instead of signing', async () => {
    const request = upstream('/model/m/converse')
    await bedrock.createUpstreamAuth(providerConfig('bedrock', { apiKey: 'ABSKsluice' }))(request, origin)
    expect(request.headers.authorization).toBe('Bearer ABSKsluice')
    expect(request.headers['x-amz-date']).toBeUndefined()
  })

  it.each([
    [undefined, 'https://bedrock-runtime.us-east-1.amazonaws.com'],
    ['ap-southeast-2', 'https://bedrock-runtime.ap-southeast-2.amazonaws.com'],
  ])('default endpoint for region %s', (region, endpoint) => {
    expect(bedrock.defaultEndpoint(providerConfig('bedrock', region === undefined ? {} : { region }))).toBe(endpoint)
  })
})

// An independent check of the canonical request (AWS SigV4 docs, "Create a canonical request"):
// for services other than S3 each path segment is URI-encoded twice, so `%3A` is signed as `%253A`.
describe('bedrock upstream SigV4 against a hand-computed signature', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date('2024-01-02T03:04:05Z'))
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest()
  const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex')

  it('matches', async () => {
    const request = upstream('/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse')
    await bedrock.createUpstreamAuth(providerConfig('bedrock', { credentials }))(request, new URL('https://bedrock-runtime.us-east-1.amazonaws.com'))
    const canonical = [
      'POST',
      '/model/anthropic.claude-3-5-sonnet-20240620-v1%253A0/converse',
      '',
      `host:bedrock-runtime.us-east-1.amazonaws.com\nx-amz-content-sha256:${sha256(body)}\nx-amz-date:20240102T030405Z\n`,
      'host;x-amz-content-sha256;x-amz-date',
      sha256(body),
    ].join('\n')
    const scope = '20240102/us-east-1/bedrock/aws4_request'
    const toSign = ['AWS4-HMAC-SHA256', '20240102T030405Z', scope, sha256(canonical)].join('\n')
    const key = hmac(hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, '20240102'), 'us-east-1'), 'bedrock'), 'aws4_request')
    const signature = createHmac('sha256', key).update(toSign).digest('hex')
    expect(request.headers['x-amz-date']).toBe('20240102T030405Z')
    expect(request.headers.authorization).toBe(
      `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=${signature}`,
    )
  })
})
