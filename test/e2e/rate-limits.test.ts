// Gate 5 end to end on one Sluice with the local limiter: exact request limits with every header,
// monitor mode, concurrency slots released when requests end, and requests too large to ever fit.
import OpenAI, { RateLimitError } from 'openai'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { FLAG_ON, TRAFFIC_ON_FLAGS } from '../../src/emulators/sluice-config.js'
import { rejectionOf } from '../support/rejection.js'
import { CLIENT, startStack, type Stack } from '../support/stack.js'

const TOKEN = 'rl-ops-token-0123456789'
let stack: Stack

beforeAll(async () => {
  stack = await startStack({
    configure(config) {
      config.admin = { host: '127.0.0.1', port: 0, tokens: [{ name: 'ops', token: TOKEN, role: 'admin' }] }
      config.flags = { ...TRAFFIC_ON_FLAGS, 'ai.ratelimit.enforce': FLAG_ON }
      config.rateLimits = {
        rules: [
          { name: 'per-user', match: { model: 'gpt-4o-mini' }, key: ['user'], requests: { limit: 3, windowSeconds: 3600 } },
          { name: 'one-at-a-time', match: { model: 'gpt-4.1' }, key: ['client'], concurrent: 1 },
          { name: 'tokens', match: { model: 'o3' }, key: ['client'], tokens: { limit: 500, windowSeconds: 3600 } },
        ],
      }
    },
  })
})
afterAll(async () => {
  await stack.close()
})
beforeEach(() => stack.emulators.openai.script.reset())

const chat = (model: string, user: string, extra: Record<string, unknown> = {}) =>
  fetch(`${stack.sluice.dataUrl}/openai/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${CLIENT.credentials.apiKey}`, 'content-type': 'application/json', 'x-sluice-user': user },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], ...extra }),
  })

const setEnforce = async (on: boolean): Promise<void> => {
  const res = await fetch(`${stack.sluice.adminUrl}/v1/flags/ai.ratelimit.enforce`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ defaultVariant: on ? 'on' : 'off', reason: 'test' }),
  })
  expect(res.status).toBe(200)
}

describe('rate limits', () => {
  it('allows exactly the limit, then 429 in dialect with Retry-After, RateLimit and x-ratelimit-* headers', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 3; i++) {
      const res = await chat('gpt-4o-mini', 'alice')
      statuses.push(res.status)
      expect(res.headers.get('x-ratelimit-remaining-requests')).toBe(String(2 - i))
      await res.arrayBuffer()
    }
    expect(statuses).toEqual([200, 200, 200])
    const sdk = new OpenAI({ baseURL: `${stack.sluice.dataUrl}/openai/v1`, apiKey: CLIENT.credentials.apiKey, maxRetries: 0, defaultHeaders: { 'x-sluice-user': 'alice' } })
    const upstream = stack.emulators.openai.requests.count
    const err = await rejectionOf<RateLimitError>(sdk.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }))
    expect(err).toBeInstanceOf(RateLimitError)
    expect(err.code).toBe('SLUICE_ERR_RATE_LIMITED')
    expect(Number(err.headers?.get('retry-after'))).toBeGreaterThan(0)
    expect(err.headers?.get('ratelimit-policy')).toBe('"per-user.requests";q=3;w=3600')
    expect(err.headers?.get('ratelimit')).toMatch(/^"per-user\.requests";r=0;t=\d+$/)
    expect(err.headers?.get('x-ratelimit-limit-requests')).toBe('3')
    expect(err.headers?.get('x-sluice-decision')).toBe('deny')
    expect(stack.emulators.openai.requests.count).toBe(upstream)
    // Another user has a bucket of their own.
    expect((await chat('gpt-4o-mini', 'bob')).status).toBe(200)
  })

  it('monitor mode never blocks but says it would have', async () => {
    await setEnforce(false)
    try {
      const res = await chat('gpt-4o-mini', 'alice')
      expect(res.status).toBe(200)
      expect(res.headers.get('x-sluice-would-block')).toBe('per-user.requests')
      const metrics = await (await fetch(`${stack.sluice.adminUrl}/metrics`)).text()
      expect(metrics).toMatch(/sluice_rate_limit_decisions_total\{result="would_block"\} [1-9]/)
    } finally {
      await setEnforce(true)
    }
  })

  it('a concurrency slot is held for the whole request and released when it ends', async () => {
    stack.emulators.openai.script.enqueue({ latencyMs: 300 })
    const before = stack.emulators.openai.requests.count
    const first = chat('gpt-4.1', 'carol')
    // Once the first request has reached the upstream it holds the slot until its response ends.
    while (stack.emulators.openai.requests.count === before) await new Promise((r) => setImmediate(r))
    const second = await chat('gpt-4.1', 'dave')
    expect(second.status).toBe(429)
    expect((await first).status).toBe(200)
    // Settle runs as the response ends, so the next request gets the slot.
    expect((await chat('gpt-4.1', 'erin')).status).toBe(200)
  })

  it('a request that could never fit the token limit is refused as not retryable', async () => {
    const res = await chat('o3', 'frank', { max_tokens: 10_000 })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('SLUICE_ERR_RATE_LIMIT_TOO_LARGE')
    expect((await chat('o3', 'frank', { max_tokens: 50 })).status).toBe(200)
  })

  it('GET /v1/rate-limits shows the rules, enforcement and the local limiter', async () => {
    const res = await fetch(`${stack.sluice.adminUrl}/v1/rate-limits`, { headers: { authorization: `Bearer ${TOKEN}` } })
    const body = (await res.json()) as { enforce: { value: boolean }; shared: boolean; rules: Array<{ name: string }>; limiter: { keys: number } }
    expect(body.enforce.value).toBe(true)
    expect(body.shared).toBe(false)
    expect(body.rules.map((r) => r.name)).toEqual(['per-user', 'one-at-a-time', 'tokens'])
    expect(body.limiter.keys).toBeGreaterThan(0)
  })
})
