// A canary rollout across a fleet: two Sluice replicas sharing one real redis-server (state store and
// outcome store) and two OpenAI emulators (stable and canary), driven with the official openai SDK.
// Both replicas serve the traffic and both judge it; when the canary's upstream breaks, the
// rollback is written once (one audit entry: compare-and-set), and the replica that did not write
// it applies it within 1 s of the one that did. A manual pause on one replica is seen by the other.
import OpenAI from 'openai'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EMULATOR_CREDENTIALS, startEmulators, type Emulators } from '../../src/emulators/index.js'
import { createLogger } from '../../src/log.js'
import { startSluice, type Sluice } from '../../src/main.js'
import { startRedis, type RedisServer } from '../support/redis.js'
import { canaryStackConfig } from '../support/canary.js'
import { CLIENT, stackConfig } from '../support/stack.js'

const OPERATOR = 'fleet-operator-token-0123456789'
let redis: RedisServer
let stable: Emulators
let canary: Emulators
let a: Sluice
let b: Sluice

beforeAll(async () => {
  redis = await startRedis()
  stable = await startEmulators({ auth: EMULATOR_CREDENTIALS })
  canary = await startEmulators({ auth: EMULATOR_CREDENTIALS })
  const configText = JSON.stringify(
    stackConfig(stable, {
      ...canaryStackConfig(stable, canary),
      state: { store: 'redis', redis: { url: redis.url } },
      admin: { host: '127.0.0.1', port: 0, tokens: [{ name: 'oncall', token: OPERATOR, role: 'operator' }] },
    }),
  )
  a = await startSluice({ configText, logger: createLogger('warn') })
  b = await startSluice({ configText, logger: createLogger('warn') })
}, 30_000)
afterAll(async () => {
  await a?.close()
  await b?.close()
  await stable.close()
  await canary.close()
  await redis.stop()
})

async function ask(replica: Sluice, user: string): Promise<void> {
  const client = new OpenAI({ baseURL: `${replica.dataUrl}/v1`, apiKey: CLIENT.credentials.apiKey, maxRetries: 0 })
  await client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'Hi.' }] }, { headers: { 'x-sluice-user': user } }).catch((err: unknown) => {
    expect(err).toBeInstanceOf(OpenAI.InternalServerError)
  })
}

async function admin(replica: Sluice, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`${replica.adminUrl}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${OPERATOR}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return response.json()
}

const status = async (replica: Sluice): Promise<string> => (await admin(replica, '/v1/rollouts/next')).rollout.status

describe('canary rollout on a fleet', () => {
  it('applies a start and a pause made on one replica on the other', async () => {
    await admin(a, '/v1/rollouts', { id: 'next', reason: 'fleet test' })
    for (let i = 0; i < 20 && (await status(b)) !== 'progressing'; i++) await sleep(50)
    expect(await status(b)).toBe('progressing')
    await admin(b, '/v1/rollouts/next/pause', { reason: 'hold on' })
    for (let i = 0; i < 20 && (await status(a)) !== 'paused'; i++) await sleep(50)
    expect(await status(a)).toBe('paused')
    await admin(a, '/v1/rollouts/next/resume', { reason: 'go on' })
  })

  it('writes one rollback for the fleet, and both replicas apply it within 1 s of each other', async () => {
    stable.openai.script.enqueue(...Array.from({ length: 3000 }, (_, i) => (i % 10 === 3 ? { status: 500 } : {})))
    canary.openai.script.enqueue(...Array.from({ length: 3000 }, () => ({ status: 500 })))
    const seen: Partial<Record<'a' | 'b', number>> = {}
    const watch = async (): Promise<void> => {
      for (let i = 0; i < 300 && (seen.a === undefined || seen.b === undefined); i++) {
        const [sa, sb] = await Promise.all([status(a), status(b)])
        if (sa === 'rolled-back') seen.a ??= performance.now()
        if (sb === 'rolled-back') seen.b ??= performance.now()
        await sleep(20)
      }
    }
    const watching = watch()
    for (let i = 0; i < 600 && (seen.a === undefined || seen.b === undefined); i++) await ask(i % 2 === 0 ? a : b, `user-${i}`)
    await watching
    expect(seen.a).toBeDefined()
    expect(seen.b).toBeDefined()
    console.log(`rollout fleet: replicas saw the rollback ${Math.abs(seen.a! - seen.b!).toFixed(0)} ms apart (polled every ~20 ms)`)
    expect(Math.abs(seen.a! - seen.b!)).toBeLessThan(1000)
    const { entries } = await admin(a, '/v1/audit?limit=1000')
    expect(entries.filter((e: any) => e.action === 'rollout.auto-rollback')).toHaveLength(1)
    stable.openai.script.reset()
    canary.openai.script.reset()
    const before = canary.openai.requests.count
    for (let i = 0; i < 20; i++) await ask(i % 2 === 0 ? a : b, `after-${i}`)
    expect(canary.openai.requests.count).toBe(before)
  })
})
