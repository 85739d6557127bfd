// A fleet of two Sluice replicas sharing one real Redis (§12): a kill switch, an
// override or an activation set through one replica's admin API bites on the other within 1 s.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { FLAG_ON, TRAFFIC_ON_FLAGS } from '../../src/emulators/sluice-config.js'
import { startRedis, type RedisServer } from '../support/redis.js'
import { CLIENT, startStack, type Stack } from '../support/stack.js'

const TOKEN = 'fleet-ops-token-0123456789'
let redis: RedisServer
let a: Stack
let b: Stack

const replica = (): Promise<Stack> =>
  startStack({
    configure(config) {
      config.state = { store: 'redis', redis: { url: redis.url } }
      config.admin = { host: '127.0.0.1', port: 0, tokens: [{ name: 'ops', token: TOKEN, role: 'admin' }] }
      config.flags = { ...TRAFFIC_ON_FLAGS, 'ai.ratelimit.enforce': FLAG_ON }
      config.rateLimits = {
        rules: [{ name: 'fleet', match: { model: 'gpt-4.1-nano' }, key: ['tenant'], requests: { limit: 10, windowSeconds: 3600 } }],
        redis: { localShare: 0.5 },
      }
      config.budgets = { limits: { shop: { scope: 'tenant', target: CLIENT.tenant, limitUsd: 100, window: 'day' } } }
    },
  })

beforeAll(async () => {
  redis = await startRedis()
  a = await replica()
  b = await replica()
})
afterAll(async () => {
  await a?.close()
  await b?.close()
  await redis?.stop()
})

const admin = (stack: Stack, method: string, path: string, body: unknown) =>
  fetch(`${stack.sluice.adminUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })

async function chatCode(stack: Stack, model = 'gpt-4o-mini'): Promise<string | number> {
  const res = await fetch(`${stack.sluice.dataUrl}/openai/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${CLIENT.credentials.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  })
  const body = (await res.json()) as { error?: { code?: string } }
  return body.error?.code ?? res.status
}

describe('a fleet sharing Redis', () => {
  it('a kill switch set on one replica blocks on the other within 1 s, and lifts the same way', async () => {
    expect(await chatCode(b)).toBe(200)
    expect((await admin(a, 'PUT', '/v1/kill-switches/model/gpt-4o-mini', { reason: 'fleet-wide' })).status).toBe(200)
    const setAt = Date.now()
    await vi.waitFor(async () => expect(await chatCode(b)).toBe('SLUICE_ERR_KILL_MODEL'), { timeout: 1000, interval: 20 })
    expect(Date.now() - setAt).toBeLessThan(1000)
    expect((await admin(a, 'DELETE', '/v1/kill-switches/model/gpt-4o-mini', { reason: 'over' })).status).toBe(200)
    await vi.waitFor(async () => expect(await chatCode(b)).toBe(200), { timeout: 1000, interval: 20 })
  })

  it('an activation sequence applied on one replica reaches the other', async () => {
    expect((await admin(b, 'POST', '/v1/activation/dark', { reason: 'ship dark' })).status).toBe(200)
    await vi.waitFor(async () => expect(await chatCode(a)).toBe('SLUICE_ERR_EGRESS_DISABLED'), { timeout: 1000, interval: 20 })
    expect((await admin(b, 'POST', '/v1/activation/active', { reason: 'live' })).status).toBe(200)
    await vi.waitFor(async () => expect(await chatCode(a)).toBe(200), { timeout: 1000, interval: 20 })
  })

  it('shares budget spend: what one replica settles, the other reports within a second', async () => {
    const spent = async (stack: Stack): Promise<number> => {
      const res = await fetch(`${stack.sluice.adminUrl}/v1/budgets`, { headers: { authorization: `Bearer ${TOKEN}` } })
      const body = (await res.json()) as { budgets: Array<{ budget: string; spentUsd: number }> }
      return body.budgets.find((x) => x.budget === 'shop')?.spentUsd ?? 0
    }
    const before = await spent(b)
    for (let i = 0; i < 3; i++) expect(await chatCode(a)).toBe(200)
    await vi.waitFor(async () => expect(await spent(b)).toBeGreaterThan(before), { timeout: 1000, interval: 25 })
    await vi.waitFor(async () => expect(await spent(b)).toBeCloseTo(await spent(a), 9), { timeout: 1000, interval: 25 })
  })

  it('a rate limit of N allows N in total across both replicas under concurrent load', async () => {
    const calls = Array.from({ length: 30 }, (_, i) => chatCode(i % 2 === 0 ? a : b, 'gpt-4.1-nano'))
    const codes = await Promise.all(calls)
    expect(codes.filter((c) => c === 200)).toHaveLength(10)
    expect(codes.filter((c) => c === 'SLUICE_ERR_RATE_LIMITED')).toHaveLength(20)
  })

  it('keeps serving by its fail modes while Redis is down, and uses Redis again once it is back', async () => {
    await admin(a, 'PUT', '/v1/kill-switches/model/gpt-4o', { reason: 'set before the outage' })
    await vi.waitFor(async () => expect(await chatCode(b, 'gpt-4o')).toBe('SLUICE_ERR_KILL_MODEL'), { timeout: 1000, interval: 20 })
    // Redis goes away while both replicas are under load: every call is still answered.
    const load = Array.from({ length: 40 }, (_, i) => chatCode(i % 2 === 0 ? a : b))
    await redis.stop()
    const duringOutage = await Promise.all([...load, ...Array.from({ length: 20 }, (_, i) => chatCode(i % 2 === 0 ? a : b))])
    expect(duringOutage.every((c) => c === 200)).toBe(true)
    // Kill switches: the last known state holds. Rate limits: a local limiter with half the limit.
    expect(await chatCode(b, 'gpt-4o')).toBe('SLUICE_ERR_KILL_MODEL')
    expect(await chatCode(b)).toBe(200)
    const local: Array<string | number> = []
    for (let i = 0; i < 8; i++) local.push(await chatCode(a, 'gpt-4.1-nano'))
    expect(local.filter((c) => c === 200)).toHaveLength(5) // localShare 0.5 of the limit of 10
    expect(await (await fetch(`${a.sluice.adminUrl}/metrics`)).text()).toMatch(/sluice_rate_limit_backend_switches_total\{backend="local"\} [1-9]/)
    // Admin changes fail cleanly instead of pretending to succeed.
    const refused = await admin(a, 'PUT', '/v1/kill-switches/model/o4-mini', { reason: 'during the outage' })
    expect(refused.status).toBe(503)
    expect(((await refused.json()) as { code: string }).code).toBe('SLUICE_ERR_STATE_UNAVAILABLE')
    await redis.restart()
    await vi.waitFor(async () => expect((await admin(a, 'DELETE', '/v1/kill-switches/model/gpt-4o', { reason: 'after' })).status).not.toBe(503), {
      timeout: 5000,
      interval: 100,
    })
  })
})
