// Upstream behaviour through Sluice: provider errors pass through untouched, unreachable and slow
// upstreams get Sluice's own dialect errors, a mid-stream break fails the client's stream (never a
// clean end), a client abort is settled, and metrics and logs record it all without secrets.
import OpenAI, { APIError } from 'openai'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { EMULATOR_CREDENTIALS } from '../../src/emulators/index.js'
import { rejectionOf } from '../support/rejection.js'
import { CLIENT, startStack, type DecisionRecord, type Stack } from '../support/stack.js'

let stack: Stack
let openai: OpenAI

beforeAll(async () => {
  stack = await startStack({
    configure(config) {
      // A mount whose upstream refuses connections, and one that gives up waiting quickly.
      config.providers.dead = { type: 'openai', mount: '/dead', endpoint: 'http://127.0.0.1:1', apiKey: 'sk-dead-upstream-key' }
      config.providers.slow = {
        ...config.providers.openai,
        mount: '/slow',
        headersTimeoutMs: 200,
      }
      config.log = { level: 'debug' }
    },
  })
  openai = new OpenAI({ baseURL: `${stack.sluice.dataUrl}/openai/v1`, apiKey: CLIENT.credentials.apiKey, maxRetries: 0 })
})
afterAll(async () => {
  await stack.close()
})
beforeEach(() => {
  stack.decisions.length = 0
  stack.emulators.openai.script.reset()
})

async function decision(predicate: (d: DecisionRecord) => boolean = () => true): Promise<DecisionRecord> {
  for (let i = 0; i < 200; i++) {
    const found = stack.decisions.find(predicate)
    if (found !== undefined) return found
    await new Promise((r) => setImmediate(r))
  }
  throw new Error('no decision logged')
}

const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'hello' }] }

describe('upstream failures', () => {
  it('passes a provider error through unchanged (status, body, retry-after)', async () => {
    stack.emulators.openai.script.enqueue({ status: 429, retryAfterSeconds: 7 })
    const err = await rejectionOf<APIError>(openai.chat.completions.create(chat))
    expect(err).toBeInstanceOf(APIError)
    expect(err.status).toBe(429)
    expect(err.headers?.get('retry-after')).toBe('7')
    expect(err.headers?.get('x-sluice-decision')).toBe('allow')
    expect(err.code).not.toMatch(/^SLUICE_ERR/)
    expect(await decision()).toMatchObject({ decision: 'allow', code: '429', status: 429 })
  })

  it('unreachable upstream → 502 SLUICE_ERR_UPSTREAM_UNREACHABLE in dialect', async () => {
    const dead = new OpenAI({ baseURL: `${stack.sluice.dataUrl}/dead/v1`, apiKey: CLIENT.credentials.apiKey, maxRetries: 0 })
    const err = await rejectionOf<APIError>(dead.chat.completions.create(chat))
    expect(err.status).toBe(502)
    expect(err.code).toBe('SLUICE_ERR_UPSTREAM_UNREACHABLE')
    expect(await decision()).toMatchObject({ decision: 'error', code: 'SLUICE_ERR_UPSTREAM_UNREACHABLE', status: 502 })
  })

  it('upstream slower than headersTimeoutMs, also on the retry → 504 SLUICE_ERR_UPSTREAM_TIMEOUT', async () => {
    stack.emulators.openai.script.enqueue({ latencyMs: 1500 }, { latencyMs: 1500 })
    const slow = new OpenAI({ baseURL: `${stack.sluice.dataUrl}/slow/v1`, apiKey: CLIENT.credentials.apiKey, maxRetries: 0 })
    const err = await rejectionOf<APIError>(slow.chat.completions.create(chat))
    expect(err.status).toBe(504)
    expect(err.code).toBe('SLUICE_ERR_UPSTREAM_TIMEOUT')
    expect(err.headers?.get('x-sluice-attempts')).toBe('2')
  })

  it('connection reset before the answer, twice → 502 after one retry', async () => {
    stack.emulators.openai.script.enqueue({ reset: true }, { reset: true })
    const err = await rejectionOf<APIError>(openai.chat.completions.create(chat))
    expect(err.status).toBe(502)
    expect(err.headers?.get('x-sluice-attempts')).toBe('2')
    expect(await decision()).toMatchObject({ attempts: 2 })
  })

  it('a connection reset before the answer is retried once, invisibly to the client', async () => {
    stack.emulators.openai.script.enqueue({ reset: true })
    const { data, response } = await openai.chat.completions.create(chat).withResponse()
    expect(data.choices[0]?.message.content).toContain('Hello from')
    expect(response.headers.get('x-sluice-attempts')).toBe('2')
    expect(response.headers.get('x-sluice-fallback')).toBeNull()
  })

  it('a mid-stream break fails the client stream instead of ending it cleanly', async () => {
    stack.emulators.openai.script.enqueue({ breakAfterChunks: 2 })
    const stream = await openai.chat.completions.create({ ...chat, stream: true })
    const err = await rejectionOf(
      (async () => {
        for await (const _chunk of stream) {
          // consume
        }
      })(),
    )
    expect(err).toBeInstanceOf(Error)
    expect(await decision()).toMatchObject({ upstreamBroken: true })
  })

  it('a client abort mid-stream is settled as aborted', async () => {
    stack.emulators.openai.script.enqueue({ chunkDelayMs: 200, chunks: 6 })
    const controller = new AbortController()
    const stream = await openai.chat.completions.create({ ...chat, stream: true }, { signal: controller.signal })
    // The SDK may end the iteration quietly or throw on abort; either way the client is gone.
    try {
      for await (const _chunk of stream) controller.abort()
    } catch {
      // expected for some abort timings
    }
    expect(await decision()).toMatchObject({ clientAborted: true, provider: 'openai' })
  })
})

describe('metrics and logs', () => {
  it('exports request, token, latency and overhead metrics', async () => {
    await openai.chat.completions.create(chat)
    const text = await (await fetch(`${stack.sluice.adminUrl}/metrics`)).text()
    expect(text).toMatch(/sluice_requests_total\{provider="openai",model="gpt-4o-mini",route="openai",decision="allow",status="200",code="none"\} \d+/)
    expect(text).toMatch(/sluice_tokens_total\{provider="openai",model="gpt-4o-mini",kind="input"\} \d+/)
    expect(text).toMatch(/sluice_overhead_seconds_count\{provider="openai"\} \d+/)
    expect(text).toMatch(/sluice_upstream_first_byte_seconds_count\{provider="openai",model="gpt-4o-mini"\} \d+/)
    expect(text).toMatch(/sluice_upstream_duration_seconds_count\{provider="openai"\} \d+/)
    expect((await fetch(`${stack.sluice.adminUrl}/healthz`)).status).toBe(200)
    expect((await fetch(`${stack.sluice.adminUrl}/readyz`)).status).toBe(200)
  })

  it('never writes a credential to the log', async () => {
    const secrets = [
      CLIENT.credentials.apiKey,
      CLIENT.credentials.secretAccessKey,
      EMULATOR_CREDENTIALS.openai.apiKey,
      EMULATOR_CREDENTIALS.bedrock.secretAccessKey,
      'sk-dead-upstream-key',
    ]
    const log = stack.logLines.join('\n')
    expect(log.length).toBeGreaterThan(0)
    for (const secret of secrets) expect(log).not.toContain(secret)
  })
})
