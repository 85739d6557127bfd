// An experiment on a native mount, with the official openai SDK pointed at Sluice's OpenAI mount:
// the users of one variant have their requests moved to another model of the dialect with the
// variant's params forced in the OpenAI body (like a budget downgrade), the response is tagged and
// counted for the variant, and a kill switch on the variant's model sends them back to the model
// they named, untagged, instead of refusing them.
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EMULATOR_CREDENTIALS, startEmulators, type Emulators } from '../../src/emulators/index.js'
import { createLogger } from '../../src/log.js'
import { startSluice, type Sluice } from '../../src/main.js'
import { assign, assignmentTable } from '../../src/steering/experiments/assign.js'
import { CLIENT, stackConfig } from '../support/stack.js'

const OPERATOR = 'operator-token-0123456789'
const VARIANTS = [
  { name: 'control', control: true, weight: 1, target: { provider: 'openai', model: 'gpt-4o' } },
  { name: 'mini', weight: 1, target: { provider: 'openai', model: 'gpt-4o-mini' }, params: { temperature: 0.3, maxTokens: 64 } },
]
const table = assignmentTable('native', VARIANTS, 100)
const variantOf = (user: string): string => assign(table, user)!

let emulators: Emulators
let sluice: Sluice

beforeAll(async () => {
  emulators = await startEmulators({ auth: EMULATOR_CREDENTIALS })
  const config = stackConfig(emulators, {
    admin: { host: '127.0.0.1', port: 0, tokens: [{ name: 'oncall', token: OPERATOR, role: 'operator' }] },
    experiments: { native: { status: 'running', mount: 'openai', model: 'gpt-4o', variants: VARIANTS } },
  })
  sluice = await startSluice({ configText: JSON.stringify(config), logger: createLogger('warn') })
})
afterAll(async () => {
  await sluice.close()
  await emulators.close()
})

// The client's key for Sluice; Sluice signs upstream with its own.
const openai = (): OpenAI => new OpenAI({ baseURL: `${sluice.dataUrl}/openai/v1`, apiKey: CLIENT.credentials.apiKey, maxRetries: 0 })

async function ask(user: string) {
  const seen = emulators.openai.requests.count
  const { data, response } = await openai()
    .chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi.' }], temperature: 1, max_tokens: 500 }, { headers: { 'x-sluice-user': user } })
    .withResponse()
  const upstream = emulators.openai.requests.entries.slice(seen)
  return { data, headers: response.headers, upstream: upstream.map((r) => r.body as Record<string, unknown>) }
}

const USERS = Array.from({ length: 16 }, (_, i) => `user-${i}`)

describe('an experiment on a native mount', () => {
  it("moves each variant's users to its model with its params, tags and counts them", async () => {
    const counts = { control: 0, mini: 0 }
    for (const user of USERS) {
      const variant = variantOf(user)
      counts[variant as 'control' | 'mini']++
      const { headers, upstream } = await ask(user)
      expect(headers.get('x-sluice-experiment')).toBe('native')
      expect(headers.get('x-sluice-variant')).toBe(variant)
      expect(upstream).toHaveLength(1)
      if (variant === 'mini') {
        expect(upstream[0]).toMatchObject({ model: 'gpt-4o-mini', temperature: 0.3, max_tokens: 64 })
        expect(headers.get('x-sluice-model')).toBe('gpt-4o-mini')
      } else expect(upstream[0]).toMatchObject({ model: 'gpt-4o', temperature: 1, max_tokens: 500 })
    }
    expect(Math.min(counts.control, counts.mini)).toBeGreaterThan(0)
    const results = (await (await fetch(`${sluice.adminUrl}/v1/experiments/native/results`, { headers: { authorization: `Bearer ${OPERATOR}` } })).json()) as any
    const success = results.metrics.find((m: any) => m.name === 'success')
    expect(success.variants.map((v: any) => [v.variant, v.n, v.mean])).toEqual([
      ['control', counts.control, 1],
      ['mini', counts.mini, 1],
    ])
  })

  it("sends a variant's users to the model they named when the variant's model is switched off", async () => {
    const put = await fetch(`${sluice.adminUrl}/v1/kill-switches/model/${encodeURIComponent('gpt-4o-mini')}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${OPERATOR}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'mini misbehaves' }),
    })
    expect(put.status).toBeLessThan(300)
    const user = USERS.find((u) => variantOf(u) === 'mini')!
    const { headers, upstream } = await ask(user)
    expect(headers.get('x-sluice-experiment')).toBeNull()
    expect(upstream).toEqual([expect.objectContaining({ model: 'gpt-4o', temperature: 1 })])
  })
})
