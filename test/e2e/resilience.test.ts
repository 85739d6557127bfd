// Retries and fallbacks through a real stack (docs/resilience.md): a scripted upstream fails
// before its first byte, Sluice retries the same target and then moves down the fallback chain —
// on the unified endpoint over virtual models and on native mounts over same-dialect alternates —
// and the emulators' request counts, Sluice's headers, decision log and metrics show the path.
// Circuits stay closed here (volumeThreshold is out of reach); resilience-circuits.test.ts opens them.
import { BedrockRuntimeClient, ConverseCommand, InvokeModelCommand } from '@aws-sdk/client-bedrock-runtime'
import { GoogleGenAI } from '@google/genai'
import OpenAI, { APIError } from 'openai'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { EMULATOR_TYPES } from '../../src/emulators/index.js'
import { rejectionOf } from '../support/rejection.js'
import { bedrockThroughSluice } from '../support/bedrock.js'
import { CLIENT, startStack, type Stack } from '../support/stack.js'

const OPERATOR = 'operator-token-0123456789'
const HAIKU = 'anthropic.claude-3-haiku-20240307-v1:0'
const SONNET = 'anthropic.claude-3-5-sonnet-20240620-v1:0'
const NOVA_LITE = 'amazon.nova-lite-v1:0'
const NOVA_PRO = 'amazon.nova-pro-v1:0'
const FLASH = 'gemini-2.5-flash'
const PRO = 'gemini-2.5-pro'

let stack: Stack
let openai: OpenAI

beforeAll(async () => {
  stack = await startStack({
    configure(config) {
      config.admin = { host: '127.0.0.1', port: 0, tokens: [{ name: 'oncall', token: OPERATOR, role: 'operator' }] }
      config.resilience = {
        circuitBreaker: { volumeThreshold: 1000 },
        retries: { maxRetries: 1, backoffMs: 10, maxRetryAfterMs: 1500 },
      }
      config.models = {
        'chat-fallback': { targets: [{ provider: 'bedrock', model: HAIKU }, { provider: 'google', model: FLASH, weight: 0 }] },
        'chat-timeout': {
          targets: [
            { provider: 'bedrock', model: SONNET, timeouts: { firstByteMs: 200 } },
            { provider: 'google', model: FLASH, weight: 0 },
          ],
        },
        'chat-solo': { targets: [{ provider: 'bedrock', model: HAIKU }] },
      }
      config.providers.bedrock!.alternates = { [NOVA_LITE]: [{ model: NOVA_PRO }] }
      config.providers.google!.alternates = { [FLASH]: [{ model: PRO }] }
      config.providers.openai!.alternates = { 'gpt-4o-mini': [{ model: 'gpt-4o' }] }
    },
  })
  openai = new OpenAI({ baseURL: `${stack.sluice.dataUrl}/v1`, apiKey: CLIENT.credentials.apiKey, maxRetries: 0 })
})
afterAll(async () => {
  await stack.close()
})
beforeEach(() => {
  stack.decisions.length = 0
  for (const type of EMULATOR_TYPES) {
    stack.emulators[type].script.reset()
    stack.emulators[type].requests.clear()
  }
})

const counts = () => ({
  bedrock: stack.emulators.bedrock.requests.count,
  gemini: stack.emulators.gemini.requests.count,
  openai: stack.emulators.openai.requests.count,
})

/** A unified chat completion: the answer, its headers, the decision record and the time taken. */
async function unified(model: string) {
  const started = performance.now()
  const { data, response } = await openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'hello' }] }).withResponse()
  const elapsedMs = performance.now() - started
  const header = (name: string) => response.headers.get(name)
  return { data, header, elapsedMs, decision: await stack.decision(header('x-sluice-request-id')!) }
}

async function unifiedError(model: string) {
  const started = performance.now()
  const err = await rejectionOf<APIError>(openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'hello' }] }))
  expect(err).toBeInstanceOf(APIError)
  const elapsedMs = performance.now() - started
  const header = (name: string) => err.headers?.get(name) ?? null
  return { err, header, elapsedMs, decision: await stack.decision(header('x-sluice-request-id')!) }
}

async function admin(method: string, path: string, body?: unknown): Promise<number> {
  const res = await fetch(`${stack.sluice.adminUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${OPERATOR}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  await res.arrayBuffer()
  return res.status
}

async function metricsText(): Promise<string> {
  return (await fetch(`${stack.sluice.adminUrl}/metrics`)).text()
}

/** The value of one Prometheus sample (0 when absent). */
function sample(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}} `))
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1))
}

describe('unified endpoint: retries, then the fallback chain', () => {
  it('5xx twice on the primary (one retry) → answered by the fallback', async () => {
    stack.emulators.bedrock.script.enqueue({ status: 503 }, { status: 503 })
    const { data, header, decision } = await unified('chat-fallback')
    expect(data.choices[0]?.message.content).toContain(`Hello from ${FLASH}`)
    expect(data.model).toBe('chat-fallback')
    expect(header('x-sluice-fallback')).toBe(`google/${FLASH}`)
    expect(header('x-sluice-attempts')).toBe('3')
    expect(header('x-sluice-provider')).toBe('google')
    expect(counts()).toEqual({ bedrock: 2, gemini: 1, openai: 0 })
    expect(decision).toMatchObject({ decision: 'allow', status: 200, attempts: 3, target: `google/${FLASH}`, fallback: true, provider: 'google', model: FLASH, operation: 'generateContent' })
  })

  it('one 5xx, then success on the retry: same target, no fallback', async () => {
    stack.emulators.bedrock.script.enqueue({ status: 500 })
    const { data, header, decision } = await unified('chat-fallback')
    expect(data.choices[0]?.message.content).toContain(`Hello from ${HAIKU}`)
    expect(header('x-sluice-attempts')).toBe('2')
    expect(header('x-sluice-fallback')).toBeNull()
    expect(counts()).toEqual({ bedrock: 2, gemini: 0, openai: 0 })
    expect(decision).toMatchObject({ attempts: 2, target: `bedrock/${HAIKU}` })
    expect(decision.fallback).toBeUndefined()
  })

  it('primary slower than its firstByteMs, twice → answered by the fallback', async () => {
    stack.emulators.bedrock.script.enqueue({ latencyMs: 1000 }, { latencyMs: 1000 })
    const { data, header, elapsedMs, decision } = await unified('chat-timeout')
    expect(data.choices[0]?.message.content).toContain(`Hello from ${FLASH}`)
    expect(header('x-sluice-fallback')).toBe(`google/${FLASH}`)
    expect(header('x-sluice-attempts')).toBe('3')
    // Two 200 ms timeouts, not two 1 s upstream waits.
    expect(elapsedMs).toBeGreaterThanOrEqual(390)
    expect(elapsedMs).toBeLessThan(1000)
    expect(counts()).toEqual({ bedrock: 2, gemini: 1, openai: 0 })
    expect(decision).toMatchObject({ attempts: 3, target: `google/${FLASH}`, fallback: true })
  })

  it('every target fails with 5xx → the last upstream answer, in OpenAI format', async () => {
    stack.emulators.bedrock.script.enqueue({ status: 503 }, { status: 503 })
    stack.emulators.gemini.script.enqueue({ status: 500 }, { status: 500 })
    const { err, header, decision } = await unifiedError('chat-fallback')
    expect(err.status).toBe(500)
    expect(err.code).not.toMatch(/^SLUICE_ERR/)
    expect(header('x-sluice-attempts')).toBe('4')
    expect(header('x-sluice-fallback')).toBe(`google/${FLASH}`)
    expect(counts()).toEqual({ bedrock: 2, gemini: 2, openai: 0 })
    expect(decision).toMatchObject({ decision: 'allow', status: 500, attempts: 4, target: `google/${FLASH}`, fallback: true })
  })
})

describe('held answers', () => {
  it('the primary\'s held 5xx is passed on when the fallback fails without an answer', async () => {
    stack.emulators.bedrock.script.enqueue({ status: 503 }, { status: 503 })
    stack.emulators.gemini.script.enqueue({ reset: true }, { reset: true })
    const { err, header, decision } = await unifiedError('chat-fallback')
    expect(err.status).toBe(503)
    expect(err.code).not.toMatch(/^SLUICE_ERR/)
    expect(header('x-sluice-attempts')).toBe('4')
    expect(header('x-sluice-provider')).toBe('bedrock')
    expect(header('x-sluice-fallback')).toBeNull()
    expect(counts()).toEqual({ bedrock: 2, gemini: 2, openai: 0 })
    expect(decision).toMatchObject({ status: 503, attempts: 4, target: `bedrock/${HAIKU}` })
    expect(decision.fallback).toBeUndefined()
  })
})

describe('Retry-After', () => {
  it('a 429 with Retry-After: 1 is waited out on the same target', async () => {
    stack.emulators.bedrock.script.enqueue({ status: 429, retryAfterSeconds: 1 })
    const { data, header, elapsedMs, decision } = await unified('chat-fallback')
    expect(data.choices[0]?.message.content).toContain(`Hello from ${HAIKU}`)
    expect(elapsedMs).toBeGreaterThanOrEqual(950)
    expect(header('x-sluice-attempts')).toBe('2')
    expect(header('x-sluice-fallback')).toBeNull()
    expect(counts()).toEqual({ bedrock: 2, gemini: 0, openai: 0 })
    expect(decision).toMatchObject({ attempts: 2, target: `bedrock/${HAIKU}` })
  })

  it('a Retry-After beyond maxRetryAfterMs moves to the fallback at once', async () => {
    stack.emulators.bedrock.script.enqueue({ status: 429, retryAfterSeconds: 30 })
    const { data, header, elapsedMs, decision } = await unified('chat-fallback')
    expect(data.choices[0]?.message.content).toContain(`Hello from ${FLASH}`)
    expect(elapsedMs).toBeLessThan(500)
    expect(header('x-sluice-attempts')).toBe('2')
    expect(header('x-sluice-fallback')).toBe(`google/${FLASH}`)
    expect(counts()).toEqual({ bedrock: 1, gemini: 1, openai: 0 })
    expect(decision).toMatchObject({ attempts: 2, target: `google/${FLASH}`, fallback: true })
  })

  it('with no fallback, a long Retry-After passes the 429 on in OpenAI format, retry-after kept', async () => {
    stack.emulators.bedrock.script.enqueue({ status: 429, retryAfterSeconds: 30 })
    const { err, header, elapsedMs, decision } = await unifiedError('chat-solo')
    expect(err.status).toBe(429)
    expect(err.type).toBe('rate_limit_error')
    expect(header('retry-after')).toBe('30')
    expect(header('x-sluice-attempts')).toBeNull()
    expect(header('x-sluice-fallback')).toBeNull()
    expect(elapsedMs).toBeLessThan(500)
    expect(counts()).toEqual({ bedrock: 1, gemini: 0, openai: 0 })
    expect(decision).toMatchObject({ status: 429, code: '429', target: `bedrock/${HAIKU}` })
    expect(decision.attempts).toBeUndefined()
  })
})

describe('kill switches and fallbacks', () => {
  it('the primary provider killed → the fallback serves, the primary is never called', async () => {
    expect(await admin('PUT', '/v1/kill-switches/provider/bedrock', { reason: 'bedrock incident' })).toBe(200)
    try {
      const { data, header, decision } = await unified('chat-fallback')
      expect(data.choices[0]?.message.content).toContain(`Hello from ${FLASH}`)
      // The weighted pick skips a killed target: google is the first choice, not a fallback.
      expect(header('x-sluice-provider')).toBe('google')
      expect(counts()).toEqual({ bedrock: 0, gemini: 1, openai: 0 })
      expect(decision).toMatchObject({ decision: 'allow', target: `google/${FLASH}` })

      expect(await admin('PUT', '/v1/kill-switches/provider/google', { reason: 'google incident' })).toBe(200)
      const killed = await unifiedError('chat-fallback')
      expect(killed.err.status).toBe(503)
      expect(killed.err.code).toBe('SLUICE_ERR_KILL_PROVIDER')
      expect(counts()).toEqual({ bedrock: 0, gemini: 1, openai: 0 })
      expect(killed.decision).toMatchObject({ decision: 'deny', code: 'SLUICE_ERR_KILL_PROVIDER' })
    } finally {
      await admin('DELETE', '/v1/kill-switches/provider/bedrock', { reason: 'resolved' })
      await admin('DELETE', '/v1/kill-switches/provider/google', { reason: 'resolved' })
    }
  })

  it('a killed fallback is skipped: the primary\'s own failure is passed on', async () => {
    expect(await admin('PUT', '/v1/kill-switches/provider/google', { reason: 'google incident' })).toBe(200)
    try {
      stack.emulators.bedrock.script.enqueue({ status: 503 }, { status: 503 })
      const { err, header, decision } = await unifiedError('chat-fallback')
      expect(err.status).toBe(503)
      expect(err.code).not.toMatch(/^SLUICE_ERR/)
      expect(header('x-sluice-attempts')).toBe('2')
      expect(header('x-sluice-fallback')).toBeNull()
      expect(counts()).toEqual({ bedrock: 2, gemini: 0, openai: 0 })
      expect(decision).toMatchObject({ status: 503, attempts: 2, target: `bedrock/${HAIKU}` })
      expect(decision.fallback).toBeUndefined()
    } finally {
      await admin('DELETE', '/v1/kill-switches/provider/google', { reason: 'resolved' })
    }
  })
})

describe('native mounts: same-dialect alternates', () => {
  let headers: Record<string, string> = {}
  const bedrock = (): BedrockRuntimeClient => bedrockThroughSluice(stack.sluice.dataUrl, { onHeaders: (h) => (headers = h) })
  const models = () => stack.emulators.bedrock.requests.entries.map((e) => `${e.operation} ${decodeURIComponent(e.path.split('/')[2]!)}`)

  it('Bedrock Converse: the model fails twice → answered by its alternate', async () => {
    stack.emulators.bedrock.script.enqueue({ status: 503 }, { status: 503 })
    const c = bedrock()
    const out = await c.send(new ConverseCommand({ modelId: NOVA_LITE, messages: [{ role: 'user', content: [{ text: 'hello' }] }] }))
    c.destroy()
    expect(out.output?.message?.content?.[0]?.text).toContain(`Hello from ${NOVA_PRO}`)
    expect(headers['x-sluice-fallback']).toBe(`bedrock/${NOVA_PRO}`)
    expect(headers['x-sluice-attempts']).toBe('3')
    expect(headers['x-sluice-model']).toBe(NOVA_PRO)
    expect(models()).toEqual([`converse ${NOVA_LITE}`, `converse ${NOVA_LITE}`, `converse ${NOVA_PRO}`])
    expect(await stack.decision(headers['x-sluice-request-id']!)).toMatchObject({ attempts: 3, target: `bedrock/${NOVA_PRO}`, fallback: true })
  })

  it('Bedrock InvokeModel cannot move: the 503 after the retry is passed on', async () => {
    stack.emulators.bedrock.script.enqueue({ status: 503 }, { status: 503 })
    const c = bedrock()
    const body = JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] })
    const err = await rejectionOf<Error & { $metadata?: { httpStatusCode?: number }; $response?: { headers: Record<string, string> } }>(
      c.send(new InvokeModelCommand({ modelId: NOVA_LITE, body, contentType: 'application/json' })),
    )
    c.destroy()
    const failed = err.$response?.headers ?? {}
    expect(err.$metadata?.httpStatusCode).toBe(503)
    expect(err.name).toBe('ServiceUnavailableException')
    expect(models()).toEqual([`invoke ${NOVA_LITE}`, `invoke ${NOVA_LITE}`])
    expect(failed['x-sluice-attempts']).toBe('2')
    expect(failed['x-sluice-fallback']).toBeUndefined()
    const decision = await stack.decision(failed['x-sluice-request-id']!)
    expect(decision).toMatchObject({ status: 503, attempts: 2, target: `bedrock/${NOVA_LITE}` })
    expect(decision.fallback).toBeUndefined()
  })

  it('Gemini generateContent: the model fails twice → answered by its alternate', async () => {
    stack.emulators.gemini.script.enqueue({ status: 500 }, { status: 500 })
    const gemini = new GoogleGenAI({ apiKey: CLIENT.credentials.apiKey, httpOptions: { baseUrl: `${stack.sluice.dataUrl}/google` } })
    const result = await gemini.models.generateContent({ model: FLASH, contents: 'hello' })
    expect(result.text).toContain(`Hello from ${PRO}`)
    const h = result.sdkHttpResponse?.headers ?? {}
    expect(h['x-sluice-fallback']).toBe(`google/${PRO}`)
    expect(h['x-sluice-attempts']).toBe('3')
    expect(stack.emulators.gemini.requests.entries.map((e) => e.path)).toEqual([
      `/v1beta/models/${FLASH}:generateContent`,
      `/v1beta/models/${FLASH}:generateContent`,
      `/v1beta/models/${PRO}:generateContent`,
    ])
  })

  it('OpenAI chat: the model fails twice → answered by its alternate (model rewritten in the body)', async () => {
    stack.emulators.openai.script.enqueue({ status: 502 }, { status: 502 })
    const client = new OpenAI({ baseURL: `${stack.sluice.dataUrl}/openai/v1`, apiKey: CLIENT.credentials.apiKey, maxRetries: 0 })
    const { data, response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }] }).withResponse()
    expect(data.choices[0]?.message.content).toContain('Hello from gpt-4o.')
    expect(response.headers.get('x-sluice-fallback')).toBe('openai/gpt-4o')
    expect(response.headers.get('x-sluice-attempts')).toBe('3')
    expect(stack.emulators.openai.requests.entries.map((e) => (e.body as { model: string }).model)).toEqual(['gpt-4o-mini', 'gpt-4o-mini', 'gpt-4o'])
  })

  it('a model without alternates is retried, then its failure passed on', async () => {
    stack.emulators.openai.script.enqueue({ status: 503 }, { status: 503 })
    const client = new OpenAI({ baseURL: `${stack.sluice.dataUrl}/openai/v1`, apiKey: CLIENT.credentials.apiKey, maxRetries: 0 })
    const err = await rejectionOf<APIError>(client.embeddings.create({ model: 'text-embedding-3-small', input: 'x' }))
    expect(err.status).toBe(503)
    expect(err.headers?.get('x-sluice-attempts')).toBe('2')
    expect(err.headers?.get('x-sluice-fallback')).toBeNull()
    expect(stack.emulators.openai.requests.count).toBe(2)
  })
})

describe('metrics', () => {
  it('a retried fallback counts retries, a fallback and shows the circuits', async () => {
    const before = await metricsText()
    stack.emulators.bedrock.script.enqueue({ status: 503 }, { status: 503 })
    await unified('chat-fallback')
    const after = await metricsText()
    const delta = (name: string, labels: string) => sample(after, name, labels) - sample(before, name, labels)
    expect(delta('sluice_upstream_retries_total', 'provider="bedrock",reason="5xx"')).toBe(1)
    expect(delta('sluice_fallbacks_total', 'route="chat-fallback",reason="5xx"')).toBe(1)
    expect(after).toContain(`sluice_circuit_state{target="bedrock/${HAIKU}"} 0`)
    expect(after).toContain(`sluice_circuit_state{target="google/${FLASH}"} 0`)
    expect(after).toContain('sluice_circuit_state{target="openai/*"} 0')
  })
})
