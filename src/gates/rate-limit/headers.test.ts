import { describe, expect, it } from 'vitest'
import { formatDuration, writeRateLimitHeaders } from './headers.js'
import { LocalRateLimiter } from './local.js'
import { rateLimitsConfig } from './schema.js'
import { UNLIMITED, type RateLimitContext } from './types.js'

const T0 = 1_800_000_000_000
const ctx: RateLimitContext = { client: 'app', tenant: 'shop', targetingKey: 'u1', route: 'r', provider: 'openai', model: 'm' }
const rules = [
  { name: 'user', key: ['user'], requests: { limit: 10, windowSeconds: 60 }, tokens: { limit: 10_000, windowSeconds: 60 } },
  { name: 'tenant', key: ['tenant'], requests: { limit: 100, windowSeconds: 3600 }, concurrent: 5 },
]
const headers = (limiter: LocalRateLimiter, enforce: boolean, nowMs = T0): Record<string, string> => {
  const out: Record<string, string> = {}
  const decision = limiter.acquire(ctx, { inputTokens: 200, maxOutputTokens: 800 }, enforce, nowMs)
  writeRateLimitHeaders(decision, out)
  limiter.settle(decision.lease, 1000, nowMs)
  return out
}

describe('rate-limit headers', () => {
  it('lists every limit (IETF draft) and the most restrictive per kind (OpenAI)', () => {
    expect(headers(new LocalRateLimiter(rateLimitsConfig({ rules })), true)).toEqual({
      'ratelimit-policy':
        '"user.requests";q=10;w=60, "user.tokens";q=10000;qu="tokens";w=60, "tenant.requests";q=100;w=3600, "tenant.concurrent";q=5;qu="concurrent-requests"',
      ratelimit: '"user.requests";r=9;t=6, "user.tokens";r=9000;t=6, "tenant.requests";r=99;t=36, "tenant.concurrent";r=4',
      'x-ratelimit-limit-requests': '10',
      'x-ratelimit-remaining-requests': '9',
      'x-ratelimit-reset-requests': '6s',
      'x-ratelimit-limit-tokens': '10000',
      'x-ratelimit-remaining-tokens': '9000',
      'x-ratelimit-reset-tokens': '6s',
    })
  })

  it('adds Retry-After to a denial, and x-sluice-would-block instead in monitor mode', () => {
    const enforced = new LocalRateLimiter(rateLimitsConfig({ rules }))
    for (let i = 0; i < 10; i++) headers(enforced, true)
    const denied = headers(enforced, true)
    expect(denied['retry-after']).toBe('6')
    expect(denied['x-ratelimit-remaining-requests']).toBe('0')
    expect(denied['x-ratelimit-reset-requests']).toBe('1m0s')
    expect(denied['x-sluice-would-block']).toBeUndefined()

    const monitored = new LocalRateLimiter(rateLimitsConfig({ rules }))
    for (let i = 0; i < 10; i++) headers(monitored, false)
    const passed = headers(monitored, false)
    expect(passed['x-sluice-would-block']).toBe('user.requests')
    expect(passed['retry-after']).toBeUndefined()
  })

  it('writes nothing when no rule applies', () => {
    const out: Record<string, string> = {}
    writeRateLimitHeaders(UNLIMITED, out)
    expect(out).toEqual({})
  })

  it.each([
    [0, '0ms'],
    [20.2, '21ms'],
    [1000, '1s'],
    [1500, '1.5s'],
    [59_999.1, '1m0s'],
    [360_000, '6m0s'],
    [3_723_004, '1h2m3.004s'],
  ])('formats %d ms as %s', (ms, text) => expect(formatDuration(ms)).toBe(text))
})
