import { createHash } from 'node:crypto'
import { HttpRequest } from '@smithy/protocol-http'
import { SignatureV4 } from '@smithy/signature-v4'
import { Hash } from '@smithy/hash-node'
import { describe, expect, it } from 'vitest'
import { createSigV4Verifier, verifySigV4, type VerifyOptions } from './sigv4-verify.js'
import { parseSigV4 } from '../providers/sigv4-header.js'

const credentials = { accessKeyId: 'AKIDTESTCLIENT000000', secretAccessKey: 'test-secret-key-0123456789' }
const now = new Date('2026-11-22T10:00:00Z')
const body = Buffer.from('{"messages":[{"role":"user","content":[{"text":"hi"}]}]}')
const path = '/bedrock/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse'

interface SignOptions {
  applyChecksum?: boolean
  http2?: boolean
  uriEscapePath?: boolean
  region?: string
  service?: string
  /** Sent (and signed) as x-amz-content-sha256, e.g. UNSIGNED-PAYLOAD. */
  payloadHash?: string
}

async function sign(options: SignOptions = {}): Promise<Record<string, string>> {
  const signer = new SignatureV4({
    service: options.service ?? 'bedrock',
    region: options.region ?? 'us-east-1',
    sha256: Hash.bind(null, 'sha256'),
    credentials,
    applyChecksum: options.applyChecksum ?? true,
    uriEscapePath: options.uriEscapePath ?? true,
  })
  const hostHeader: Record<string, string> = options.http2 ? { ':authority': '127.0.0.1:8080' } : { host: '127.0.0.1:8080' }
  const request = new HttpRequest({
    method: 'POST',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: 8080,
    path,
    headers: {
      ...hostHeader,
      'content-type': 'application/json',
      'content-length': String(body.length),
      ...(options.payloadHash === undefined ? {} : { 'x-amz-content-sha256': options.payloadHash }),
    },
    body,
  })
  return (await signer.sign(request, { signingDate: now })).headers
}

interface Overrides extends Omit<VerifyOptions, 'nowMs'> {
  secret?: string
  body?: Buffer
  nowMs?: number
}

const verify = (headers: Record<string, string>, overrides: Overrides = {}) => {
  const { secret, body: sent, nowMs, ...policy } = overrides
  return verifySigV4(
    parseSigV4(headers.authorization)!,
    { method: 'POST', path, query: '', headers, body: sent ?? body, secretAccessKey: secret ?? credentials.secretAccessKey },
    { nowMs: nowMs ?? now.getTime(), ...policy },
  )
}

describe('verifySigV4', () => {
  it.each([
    ['AWS SDK style (payload hash signed)', { applyChecksum: true }],
    ['boto3 / curl style (payload hash not signed)', { applyChecksum: false }],
    ['HTTP/2 (:authority signed)', { http2: true }],
    ['curl 7.x style (path signed as sent, not encoded again)', { applyChecksum: false, uriEscapePath: false }],
  ])('accepts a valid signature: %s', async (_name, options) => {
    const headers = await sign(options)
    expect(await verify(headers)).toEqual({ ok: true })
  })

  it.each([
    ['wrong secret', { secret: 'another-secret' }, 'signature does not match'],
    ['altered body', { body: Buffer.from('{"messages":[]}') }, 'does not match'],
    ['clock skew over 15 minutes', { nowMs: now.getTime() + 16 * 60_000 }, 'expired'],
  ])('refuses: %s', async (_name, overrides, reason) => {
    const headers = await sign({ applyChecksum: false })
    const result = await verify(headers, overrides)
    expect(result.ok).toBe(false)
    expect(result.ok ? '' : result.reason).toContain(reason)
  })

  it('refuses an altered payload hash when the client signed it', async () => {
    const headers = await sign()
    const result = await verify(headers, { body: Buffer.from('tampered') })
    expect(result).toEqual({ ok: false, reason: 'x-amz-content-sha256 does not match the body' })
  })

  describe('the body is bound', () => {
    const replayed = Buffer.from('{"messages":[{"role":"user","content":[{"text":"something else"}]}],"inferenceConfig":{"maxTokens":4000}}')

    it('refuses UNSIGNED-PAYLOAD by default, even with the body it was captured with', async () => {
      const headers = await sign({ payloadHash: 'UNSIGNED-PAYLOAD' })
      const reason = 'x-amz-content-sha256 is UNSIGNED-PAYLOAD; sign the body (its SHA-256) instead'
      expect(await verify(headers)).toEqual({ ok: false, reason })
      expect(await verify(headers, { body: replayed })).toEqual({ ok: false, reason })
    })

    it('accepts UNSIGNED-PAYLOAD with the opt-in, whatever the body: what the opt-in gives up', async () => {
      const headers = await sign({ payloadHash: 'UNSIGNED-PAYLOAD' })
      expect(await verify(headers, { allowUnsignedPayload: true })).toEqual({ ok: true })
      expect(await verify(headers, { allowUnsignedPayload: true, body: replayed })).toEqual({ ok: true })
    })

    it.each([
      ['a streaming payload', 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD'],
      ['another body\'s hash', createHash('sha256').update(replayed).digest('hex')],
    ])('refuses a signed payload hash that is not the body\'s SHA-256: %s', async (_name, payloadHash) => {
      const headers = await sign({ payloadHash })
      expect(await verify(headers, { allowUnsignedPayload: true })).toEqual({ ok: false, reason: 'x-amz-content-sha256 does not match the body' })
    })

    it('binds the body when the payload hash is not a signed header (boto3, curl): the signer hashes it', async () => {
      const headers = await sign({ applyChecksum: false })
      expect(await verify(headers, { body: replayed })).toEqual({ ok: false, reason: 'signature does not match' })
    })
  })

  describe('the credential scope must be this endpoint\'s', () => {
    it.each<[string, SignOptions, Overrides, string | undefined]>([
      ['the mount\'s region', {}, { regions: ['us-east-1'] }, undefined],
      ['one of several accepted regions', { region: 'eu-west-1' }, { regions: ['us-east-1', 'eu-west-1'] }, undefined],
      ['another region', { region: 'eu-west-9' }, { regions: ['us-east-1'] }, 'the credential scope names region eu-west-9; this endpoint accepts us-east-1'],
      ['another service', { service: 's3' }, {}, 'the credential scope names service s3, not bedrock'],
      ['another service, as the caller names it', {}, { service: 'sts' }, 'the credential scope names service bedrock, not sts'],
    ])('%s', async (_name, signOptions, overrides, reason) => {
      const headers = await sign(signOptions)
      expect(await verify(headers, overrides)).toEqual(reason === undefined ? { ok: true } : { ok: false, reason })
    })
  })

  it('parses only well-formed Authorization headers', () => {
    expect(parseSigV4(undefined)).toBeUndefined()
    expect(parseSigV4('Bearer abc')).toBeUndefined()
    expect(parseSigV4('AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/bedrock/aws4_request, SignedHeaders=host, Signature=zz')).toBeUndefined()
  })
})

describe('createSigV4Verifier', () => {
  const verifier = createSigV4Verifier(credentials)
  const check = (headers: Record<string, string>) =>
    verifier.verify(parseSigV4(headers.authorization)!, { method: 'POST', path, query: '', headers, body }, { nowMs: now.getTime() })

  it('serves every region and both path encodings with one verifier, concurrently', async () => {
    const signed = await Promise.all([
      sign(),
      sign({ region: 'eu-west-1', applyChecksum: false }),
      sign({ region: 'ap-southeast-2', uriEscapePath: false }),
      sign({ http2: true }),
    ])
    expect(await Promise.all(signed.map(check))).toEqual(signed.map(() => ({ ok: true })))
  })

  it('refuses a signature whose claimed scope is not the one it was made for', async () => {
    const headers = await sign({ region: 'eu-west-1' })
    const claimed = { ...headers, authorization: headers.authorization!.replace('/eu-west-1/', '/us-east-1/') }
    expect(await check(claimed)).toEqual({ ok: false, reason: 'signature does not match' })
  })

  it('refuses a signature made with another secret', async () => {
    const headers = await sign()
    const other = createSigV4Verifier({ ...credentials, secretAccessKey: 'another-secret' })
    const result = await other.verify(parseSigV4(headers.authorization)!, { method: 'POST', path, query: '', headers, body }, { nowMs: now.getTime() })
    expect(result).toEqual({ ok: false, reason: 'signature does not match' })
    expect(await check(headers)).toEqual({ ok: true })
  })
})
