// A client's SigV4 signature must bind the request to this endpoint and this body: a
// captured `UNSIGNED-PAYLOAD` request replayed with another body, or a signature scoped to another
// region or service, is 403 SLUICE_ERR_AUTH_INVALID in the Bedrock dialect, with nothing sent
// upstream. The Bedrock SDK signs the payload hash and is unaffected (passthrough.test.ts).
import { Hash } from '@smithy/hash-node'
import { HttpRequest } from '@smithy/protocol-http'
import { SignatureV4 } from '@smithy/signature-v4'
import { afterEach, describe, expect, it } from 'vitest'
import { CLIENT, startStack, type Stack, type StackConfig } from '../support/stack.js'

const MODEL = 'amazon.nova-lite-v1:0'
const captured = JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'hi' }] }], inferenceConfig: { maxTokens: 10 } })
const replayed = JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'write a novel' }] }], inferenceConfig: { maxTokens: 4000 } })

interface Scope {
  region?: string
  service?: string
  /** Sent and signed as x-amz-content-sha256 (the AWS SDK sends the body's SHA-256). */
  payloadHash?: string
}

/** Headers a SigV4 client signing as CLIENT would send for `body`. */
async function signedHeaders(url: URL, body: string, scope: Scope): Promise<Record<string, string>> {
  const signer = new SignatureV4({
    service: scope.service ?? 'bedrock',
    region: scope.region ?? 'us-east-1',
    sha256: Hash.bind(null, 'sha256'),
    credentials: { accessKeyId: CLIENT.credentials.accessKeyId, secretAccessKey: CLIENT.credentials.secretAccessKey },
  })
  const request = new HttpRequest({
    method: 'POST',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    headers: {
      host: url.host,
      'content-type': 'application/json',
      ...(scope.payloadHash === undefined ? {} : { 'x-amz-content-sha256': scope.payloadHash }),
    },
    body,
  })
  const { host: _host, ...headers } = (await signer.sign(request)).headers
  return headers
}

let stack: Stack | undefined
afterEach(async () => {
  await stack?.close()
  stack = undefined
})

async function start(configure: (config: StackConfig) => void = () => {}): Promise<{ url: URL; send: (headers: Record<string, string>, body: string) => Promise<Response> }> {
  stack = await startStack({ configure })
  const url = new URL(`${stack.sluice.dataUrl}/bedrock/model/${MODEL}/converse`)
  return { url, send: (headers, body) => fetch(url, { method: 'POST', headers, body }) }
}

async function expectRefused(res: Response, reason: string): Promise<void> {
  expect(res.status).toBe(403)
  expect(res.headers.get('x-amzn-errortype')).toBe('AccessDeniedException')
  const body = (await res.json()) as { code: string; message: string }
  expect(body.code).toBe('SLUICE_ERR_AUTH_INVALID')
  expect(body.message).toContain(`SigV4: ${reason}.`)
}

describe('SigV4 client signatures bind the body', () => {
  it('UNSIGNED-PAYLOAD is refused by default: a captured request replayed with another body gets 403', async () => {
    const { url, send } = await start()
    const headers = await signedHeaders(url, captured, { payloadHash: 'UNSIGNED-PAYLOAD' })
    const reason = 'x-amz-content-sha256 is UNSIGNED-PAYLOAD; sign the body (its SHA-256) instead'
    await expectRefused(await send(headers, replayed), reason)
    await expectRefused(await send(headers, captured), reason)
    expect(stack!.decisions.map((d) => d.code)).toEqual(['SLUICE_ERR_AUTH_INVALID', 'SLUICE_ERR_AUTH_INVALID'])
    expect(stack!.emulators.bedrock.requests.count).toBe(0)
  })

  it('a client with credentials.allowUnsignedPayload is accepted, whatever the body (the risk it opts into)', async () => {
    const { url, send } = await start((config) => {
      config.clients = [{ ...CLIENT, credentials: { ...CLIENT.credentials, allowUnsignedPayload: true } }]
    })
    const headers = await signedHeaders(url, captured, { payloadHash: 'UNSIGNED-PAYLOAD' })
    expect((await send(headers, captured)).status).toBe(200)
    expect((await send(headers, replayed)).status).toBe(200)
    expect(stack!.emulators.bedrock.requests.count).toBe(2)
  })

  it('a signed payload hash must be this body\'s: a signed request replayed with another body gets 403', async () => {
    const { url, send } = await start()
    const headers = await signedHeaders(url, captured, {})
    expect(headers['x-amz-content-sha256']).toMatch(/^[0-9a-f]{64}$/)
    await expectRefused(await send(headers, replayed), 'x-amz-content-sha256 does not match the body')
    expect((await send(headers, captured)).status).toBe(200)
  })
})

describe('SigV4 client signatures are scoped to the mount', () => {
  it.each<[string, Scope, string]>([
    ['another region', { region: 'eu-west-9' }, 'the credential scope names region eu-west-9; this endpoint accepts us-east-1'],
    ['another service', { service: 's3' }, 'the credential scope names service s3, not bedrock'],
  ])('%s: 403', async (_name, scope, reason) => {
    const { url, send } = await start()
    await expectRefused(await send(await signedHeaders(url, captured, scope), captured), reason)
    expect(stack!.emulators.bedrock.requests.count).toBe(0)
  })

  it('a mount without region accepts us-east-1, as it signs upstream', async () => {
    const { url, send } = await start((config) => void delete config.providers.bedrock!.region)
    expect((await send(await signedHeaders(url, captured, {}), captured)).status).toBe(200)
    await expectRefused(await send(await signedHeaders(url, captured, { region: 'us-west-2' }), captured), 'the credential scope names region us-west-2; this endpoint accepts us-east-1')
    expect(stack!.emulators.bedrock.requests.count).toBe(1)
  })
})
