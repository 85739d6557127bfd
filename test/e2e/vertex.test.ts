// The `vertex` provider end to end: @google/genai in Vertex mode and raw Anthropic rawPredict calls
// through Sluice to the Vertex emulator, which only answers calls that carry an access token its
// own token endpoint minted for the test's service account. Sluice addresses every call to its
// configured project and location, strips the client's credential and reads usage as it streams.
import { GoogleGenAI } from '@google/genai'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { CLIENT } from '../support/stack.js'
import { LOCATION, PROJECT, startVertexStack, type VertexStack } from '../support/vertex.js'

let stack: VertexStack
const ADMIN_TOKEN = 'vertex-ops-token-0123456789'

beforeAll(async () => {
  stack = await startVertexStack((config) => {
    config.admin = { host: '127.0.0.1', port: 0, tokens: [{ name: 'ops', token: ADMIN_TOKEN, role: 'admin' }] }
    config.budgets = { limits: { 'vertex-spend': { scope: 'provider', target: 'vertex', limitUsd: 5, window: 'day' } } }
  })
})
afterAll(async () => {
  await stack?.close()
})
beforeEach(() => {
  stack.decisions.length = 0
})

const UPSTREAM_PREFIX = `/v1beta1/projects/${PROJECT}/locations/${LOCATION}/publishers`

/** The client names a project and location of its own; Sluice must not send them on. */
function client(apiKey: string = CLIENT.credentials.apiKey): GoogleGenAI {
  return new GoogleGenAI({ vertexai: true, project: 'client-chosen', location: 'europe-west4', apiKey, httpOptions: { baseUrl: `${stack.sluice.dataUrl}/vertex` } })
}

async function onlyDecision(): Promise<(typeof stack.decisions)[number]> {
  const last = stack.decisions.at(-1)
  expect(last).toBeDefined()
  return stack.decision(last!.requestId)
}

function expectSluiceCredentials(): void {
  const upstream = stack.vertex.requests.last()!
  expect(upstream.headers.authorization).toMatch(/^Bearer ya29\.emulator-[0-9a-f]{32}$/)
  expect(upstream.headers['x-goog-api-key']).toBeUndefined()
}

describe('Gemini models through @google/genai in Vertex mode', () => {
  it('generateContent: addressed to the configured project and location, Sluice\'s token, usage read', async () => {
    const result = await client().models.generateContent({ model: 'gemini-2.0-flash', contents: 'Hello vertex' })
    expect(result.text).toContain('Hello from gemini-2.0-flash.')
    const headers = result.sdkHttpResponse?.headers ?? {}
    expect(headers['x-sluice-provider']).toBe('vertex')
    const upstream = stack.vertex.requests.last()!
    expect(upstream.path).toBe(`${UPSTREAM_PREFIX}/google/models/gemini-2.0-flash:generateContent`)
    expectSluiceCredentials()
    const record = await onlyDecision()
    expect(record).toMatchObject({ provider: 'vertex', model: 'gemini-2.0-flash', operation: 'generateContent', client: CLIENT.id, status: 200 })
    expect(record.usage).toMatchObject({ inputTokens: result.usageMetadata!.promptTokenCount, outputTokens: result.usageMetadata!.candidatesTokenCount })
    expect(record.usage!.inputTokens).toBeGreaterThan(0)
  })

  it('generateContentStream (SSE): usage from the last chunk', async () => {
    const stream = await client().models.generateContentStream({ model: 'gemini-2.0-flash', contents: 'Stream vertex' })
    let text = ''
    let last: { promptTokenCount?: number; candidatesTokenCount?: number } | undefined
    for await (const chunk of stream) {
      text += chunk.text ?? ''
      if (chunk.usageMetadata) last = chunk.usageMetadata
    }
    expect(text).toContain('Hello from gemini-2.0-flash.')
    expect(stack.vertex.requests.last()!.query).toBe('alt=sse')
    const record = await onlyDecision()
    expect(record).toMatchObject({ operation: 'streamGenerateContent', stream: true })
    expect(record.usage).toMatchObject({ inputTokens: last!.promptTokenCount, outputTokens: last!.candidatesTokenCount })
  })

  it('streamGenerateContent as a JSON array (no alt=sse), the publisher path in its express form', async () => {
    const res = await fetch(`${stack.sluice.dataUrl}/vertex/v1/publishers/google/models/gemini-2.0-flash:streamGenerateContent`, {
      method: 'POST',
      headers: { 'x-goog-api-key': CLIENT.credentials.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'array stream' }] }] }),
    })
    expect(res.status).toBe(200)
    const items = JSON.parse(await res.text()) as Array<{ usageMetadata?: { promptTokenCount: number; candidatesTokenCount: number } }>
    expect(items.length).toBeGreaterThan(1)
    const usage = items.at(-1)!.usageMetadata!
    expect(stack.vertex.requests.last()!.path).toBe(`/v1/projects/${PROJECT}/locations/${LOCATION}/publishers/google/models/gemini-2.0-flash:streamGenerateContent`)
    expect((await onlyDecision()).usage).toMatchObject({ inputTokens: usage.promptTokenCount, outputTokens: usage.candidatesTokenCount })
  })

  it('countTokens bills nothing', async () => {
    const result = await client().models.countTokens({ model: 'gemini-2.0-flash', contents: 'count these words please' })
    expect(result.totalTokens).toBeGreaterThan(0)
    const record = await onlyDecision()
    expect(record).toMatchObject({ operation: 'countTokens', status: 200 })
    expect(record.usage).toBeUndefined()
  })

  it('the client may present its key as a Bearer token; it never goes upstream', async () => {
    const res = await fetch(`${stack.sluice.dataUrl}/vertex/v1/projects/other/locations/asia-east1/publishers/google/models/gemini-2.0-flash:generateContent`, {
      method: 'POST',
      headers: { authorization: `Bearer ${CLIENT.credentials.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'bearer' }] }] }),
    })
    expect(res.status).toBe(200)
    expectSluiceCredentials()
    expect(stack.vertex.requests.last()!.path).toBe(`/v1/projects/${PROJECT}/locations/${LOCATION}/publishers/google/models/gemini-2.0-flash:generateContent`)
  })

  it('an unknown client key is refused in Google\'s dialect and nothing goes upstream', async () => {
    const before = stack.vertex.requests.count
    const err = (await client('not-a-client-key').models.generateContent({ model: 'gemini-2.0-flash', contents: 'hi' }).catch((e: unknown) => e)) as { status?: number; message: string }
    expect(err.status).toBe(403)
    expect(err.message).toContain('PERMISSION_DENIED')
    expect(stack.vertex.requests.count).toBe(before)
  })

  it('the token is fetched once and cached across calls', async () => {
    for (let i = 0; i < 3; i++) await client().models.generateContent({ model: 'gemini-2.0-flash', contents: `cached ${i}` })
    // Every call of this file so far used the one token minted on the first (an hour's lifetime).
    expect(stack.tokens.granted).toBe(1)
    expect(stack.vertex.requests.stats().byOperation.token).toBe(1)
  })

  it('spend is priced from usage and counted in the provider\'s budget and metrics', async () => {
    await client().models.generateContent({ model: 'gemini-2.0-flash', contents: 'priced' })
    const res = await fetch(`${stack.sluice.adminUrl}/v1/budgets`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
    const body = (await res.json()) as { budgets: Array<{ budget: string; spentUsd: number }> }
    expect(body.budgets.find((b) => b.budget === 'vertex-spend')!.spentUsd).toBeGreaterThan(0)
    const metrics = await (await fetch(`${stack.sluice.adminUrl}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).text()
    expect(metrics).toMatch(/sluice_tokens_total\{provider="vertex",model="gemini-2\.0-flash",kind="input"\} [1-9]/)
  })
})

describe('Anthropic on Vertex: rawPredict and streamRawPredict', () => {
  const body = (extra: Record<string, unknown> = {}): string =>
    JSON.stringify({ anthropic_version: 'vertex-2023-10-16', max_tokens: 64, messages: [{ role: 'user', content: 'Hello Claude on Vertex' }], ...extra })
  const call = (method: string, payload: string): Promise<Response> =>
    fetch(`${stack.sluice.dataUrl}/vertex/v1/projects/client-chosen/locations/us-east5/publishers/anthropic/models/claude-sonnet-4@20250514:${method}`, {
      method: 'POST',
      headers: { 'x-goog-api-key': CLIENT.credentials.apiKey, 'content-type': 'application/json' },
      body: payload,
    })

  it('rawPredict: an Anthropic message, usage read, the model named with its publisher', async () => {
    const res = await call('rawPredict', body())
    expect(res.status).toBe(200)
    const message = (await res.json()) as { content: Array<{ text: string }>; usage: { input_tokens: number; output_tokens: number } }
    expect(message.content[0]!.text).toContain('Hello from claude-sonnet-4@20250514.')
    expect(stack.vertex.requests.last()!.path).toBe(`/v1/projects/${PROJECT}/locations/${LOCATION}/publishers/anthropic/models/claude-sonnet-4@20250514:rawPredict`)
    expectSluiceCredentials()
    const record = await onlyDecision()
    expect(record).toMatchObject({ model: 'anthropic/claude-sonnet-4@20250514', operation: 'rawPredict', stream: false })
    expect(record.usage).toMatchObject({ inputTokens: message.usage.input_tokens, outputTokens: message.usage.output_tokens })
  })

  it('streamRawPredict: SSE events passed through, input from message_start and output from message_delta', async () => {
    const res = await call('streamRawPredict', body({ stream: true }))
    expect(res.status).toBe(200)
    const text = await res.text()
    const events = text.split('\n').filter((l) => l.startsWith('data: ')).map((l) => JSON.parse(l.slice(6)) as { type: string; message?: { usage: { input_tokens: number } }; usage?: { output_tokens: number } })
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['message_start', 'content_block_delta', 'message_delta', 'message_stop']))
    const input = events.find((e) => e.type === 'message_start')!.message!.usage.input_tokens
    const output = events.find((e) => e.type === 'message_delta')!.usage!.output_tokens
    const record = await onlyDecision()
    expect(record).toMatchObject({ operation: 'streamRawPredict', stream: true })
    expect(record.usage).toMatchObject({ inputTokens: input, outputTokens: output })
    expect(output).toBeGreaterThan(1)
  })

  it('a body that is not JSON: 400 INVALID_ARGUMENT naming SLUICE_ERR_REQUEST_MALFORMED, not forwarded', async () => {
    const before = stack.vertex.requests.count
    const res = await call('rawPredict', '{"anthropic_version":')
    expect(res.status).toBe(400)
    const error = ((await res.json()) as { error: { status: string; details: Array<{ reason?: string }> } }).error
    expect(error.status).toBe('INVALID_ARGUMENT')
    expect(error.details[0]!.reason).toBe('SLUICE_ERR_REQUEST_MALFORMED')
    expect(stack.vertex.requests.count).toBe(before)
  })
})

describe('bad paths on the Vertex mount', () => {
  it.each([
    ['an unknown method', '/v1/projects/p/locations/l/publishers/google/models/gemini-2.0-flash:predict'],
    ['a partner method on a Google model', '/v1/projects/p/locations/l/publishers/google/models/gemini-2.0-flash:rawPredict'],
    ['an unknown publisher', '/v1/projects/p/locations/l/publishers/meta/models/llama:rawPredict'],
    ['the Gemini API path', '/v1beta/models/gemini-2.0-flash:generateContent'],
  ])('%s: 404 NOT_FOUND naming SLUICE_ERR_OPERATION_UNSUPPORTED', async (_label, path) => {
    const res = await fetch(`${stack.sluice.dataUrl}/vertex${path}`, {
      method: 'POST',
      headers: { 'x-goog-api-key': CLIENT.credentials.apiKey, 'content-type': 'application/json' },
      body: '{}',
    })
    expect(res.status).toBe(404)
    const error = ((await res.json()) as { error: { code: number; status: string; details: Array<{ reason?: string }> } }).error
    expect(error).toMatchObject({ code: 404, status: 'NOT_FOUND' })
    expect(error.details[0]!.reason).toBe('SLUICE_ERR_OPERATION_UNSUPPORTED')
  })

  it('a model id that is not valid percent-encoding: 400 SLUICE_ERR_MODEL_INVALID', async () => {
    const res = await fetch(`${stack.sluice.dataUrl}/vertex/v1/publishers/google/models/gem%ZZ:generateContent`, {
      method: 'POST',
      headers: { 'x-goog-api-key': CLIENT.credentials.apiKey, 'content-type': 'application/json' },
      body: '{}',
    })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { error: { details: Array<{ reason?: string }> } }).error.details[0]!.reason).toBe('SLUICE_ERR_MODEL_INVALID')
  })
})
