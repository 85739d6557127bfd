import { HttpRequest } from '@smithy/protocol-http'
import { SignatureV4 } from '@smithy/signature-v4'
import { Hash } from '@smithy/hash-node'
import { describe, expect, it } from 'vitest'
import { createSigV4Verifier, parseSigV4, verifySigV4 } from './sigv4-verify.js'

const credentials = { accessKeyId: 'AKIDTESTCLIENT000000', secretAccessKey: 'test-secret-key-0123456789' }
const now = new Date('2026-11-22T10:00:00Z')
const body = Buffer.from('{"messages":[{"role":"user","content":[{"text":"hi"}]}]}')
const path = '/bedrock/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse'

async function sign(options: { applyChecksum?: boolean; http2?: boolean; uriEscapePath?: boolean; region?: string } = {}): Promise<Record<string, string>> {
  const signer = new SignatureV4({
    service: 'bedrock',
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
    headers: { ...hostHeader, 'content-type': 'application/json', 'content-length': String(body.length) },
    body,
  })
  return (await signer.sign(request, { signingDate: now })).headers
}

const verify = (headers: Record<string, string>, overrides: { secret?: string; body?: Buffer; nowMs?: number } = {}) =>
  verifySigV4(
    parseSigV4(headers.authorization)!,
    { method: 'POST', path, query: '', headers, body: overrides.body ?? body, secretAccessKey: overrides.secret ?? credentials.secretAccessKey },
    overrides.nowMs ?? now.getTime(),
  )

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

  it('parses only well-formed Authorization headers', () => {
    expect(parseSigV4(undefined)).toBeUndefined()
    expect(parseSigV4('Bearer abc')).toBeUndefined()
    expect(parseSigV4('AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/bedrock/aws4_request, SignedHeaders=host, Signature=zz')).toBeUndefined()
  })
})

describe('createSigV4Verifier', () => {
  const verifier = createSigV4Verifier(credentials)
  const check = (headers: Record<string, string>) =>
    verifier.verify(parseSigV4(headers.authorization)!, { method: 'POST', path, query: '', headers, body }, now.getTime())

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
    const result = await other.verify(parseSigV4(headers.authorization)!, { method: 'POST', path, query: '', headers, body }, now.getTime())
    expect(result).toEqual({ ok: false, reason: 'signature does not match' })
    expect(await check(headers)).toEqual({ ok: true })
  })
})
