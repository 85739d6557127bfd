// Shadow summaries across a fleet: two Sluice replicas on one real redis-server mirror native
// OpenAI requests to gpt-4o; requests sent to either replica add up in GET /v1/shadows of both
// (each replica flushes its pairs to the outcome store about once a second; a bounded poll waits),
// and the shadow's spend lands in one shared `shadow` budget.
import OpenAI from 'openai'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EMULATOR_CREDENTIALS, startEmulators, type Emulators } from '../../src/emulators/index.js'
import { FLAG_ON, TRAFFIC_ON_FLAGS } from '../../src/emulators/sluice-config.js'
import { createLogger } from '../../src/log.js'
import { startSluice, type Sluice } from '../../src/main.js'
import { startRedis, type RedisServer } from '../support/redis.js'
import { CLIENT, stackConfig } from '../support/stack.js'

const VIEWER = 'fleet-viewer-token-0123456789'
let redis: RedisServer
let emulators: Emulators
let replicas: Sluice[] = []

beforeAll(async () => {
  redis = await startRedis()
  emulators = await startEmulators({ auth: EMULATOR_CREDENTIALS })
  const configText = JSON.stringify(
    stackConfig(emulators, {
      state: { store: 'redis', redis: { url: redis.url } },
      admin: { host: '127.0.0.1', port: 0, tokens: [{ name: 'dash', token: VIEWER, role: 'viewer' }] },
      flags: { ...TRAFFIC_ON_FLAGS, 'ai.shadow.enabled': FLAG_ON },
      shadows: { native: { mount: 'openai', model: 'gpt-4o-mini', target: { provider: 'openai', model: 'gpt-4o' } } },
      budgets: { limits: { shadow: { scope: 'shadow', limitUsd: 100, window: 'day' } }, sync: { intervalMs: 100 } },
    }),
  )
  replicas = [await startSluice({ configText, logger: createLogger('warn') }), await startSluice({ configText, logger: createLogger('warn') })]
})
afterAll(async () => {
  for (const replica of replicas) await replica.close()
  await emulators?.close()
  await redis?.stop()
})

async function view(replica: Sluice, path: string): Promise<any> {
  const response = await fetch(`${replica.adminUrl}${path}`, { headers: { authorization: `Bearer ${VIEWER}` } })
  expect(response.status).toBe(200)
  return response.json()
}

describe('shadow traffic across a fleet', () => {
  it('adds up the pairs of every replica, read from either', async () => {
    const sent = [6, 4]
    for (const [i, replica] of replicas.entries()) {
      const client = new OpenAI({ baseURL: `${replica.dataUrl}/openai/v1`, apiKey: CLIENT.credentials.apiKey, maxRetries: 0 })
      for (let n = 0; n < sent[i]!; n++) {
        await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi.' }] }, { headers: { 'x-sluice-user': `u${i}-${n}` } })
      }
    }
    const total = sent[0]! + sent[1]!
    const pairsOn = async (replica: Sluice): Promise<number> => (await view(replica, '/v1/shadows/native')).shadow.pairs
    const end = Date.now() + 5000
    while (((await pairsOn(replicas[0]!)) !== total || (await pairsOn(replicas[1]!)) !== total) && Date.now() < end) await sleep(100)
    for (const replica of replicas) {
      const { shadow } = await view(replica, '/v1/shadows/native')
      expect(shadow).toMatchObject({ pairs: total, shadowErrors: 0, primaryErrors: 0 })
      expect(shadow.differences.costUsd.n).toBe(total)
    }
    // One shared shadow budget: its spend, read on either replica, is every mirror's.
    const { shadow } = await view(replicas[0]!, '/v1/shadows/native')
    const expected = shadow.differences.costUsd.shadowMean * total
    const spentOn = async (replica: Sluice): Promise<number> => (await view(replica, '/v1/budgets')).budgets.find((b: any) => b.budget === 'shadow').spentUsd
    while (Math.abs((await spentOn(replicas[1]!)) - expected) > 1e-9 && Date.now() < end + 3000) await sleep(100)
    expect(await spentOn(replicas[1]!)).toBeCloseTo(expected, 9)
  })
})
