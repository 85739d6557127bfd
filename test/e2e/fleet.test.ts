// A fleet of two Sluice replicas sharing one real Redis (SPEC §7, §12): a kill switch, an
// override or an activation set through one replica's admin API bites on the other within 1 s.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
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

async function chatCode(stack: Stack): Promise<string | number> {
  const res = await fetch(`${stack.sluice.dataUrl}/openai/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${CLIENT.credentials.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
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
})
