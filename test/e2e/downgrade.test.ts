// The budget `downgrade` action end to end (routed by the exchange): once a
// threshold is crossed, calls go to the cheaper model on the same provider — native requests
// rewritten by their adapter, unified ones translated for it — and their spend is priced at, and
// counted toward, the model that answered.
import { ConverseCommand, InvokeModelCommand } from '@aws-sdk/client-bedrock-runtime'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FLAG_ON, TRAFFIC_ON_FLAGS } from '../../src/emulators/sluice-config.js'
import { bedrockThroughSluice } from '../support/bedrock.js'
import { CLIENT, startStack, type Stack } from '../support/stack.js'

const TOKEN = 'downgrade-ops-token-0123456789'
const EXPENSIVE = 'gpt-4o'
const CHEAP = 'gpt-4o-mini'
const SONNET = 'anthropic.claude-3-5-sonnet-20240620-v1:0'
const HAIKU = 'anthropic.claude-3-haiku-20240307-v1:0'
let stack: Stack
let openai: OpenAI

beforeAll(async () => {
  stack = await startStack({
    configure(config) {
      config.admin = { host: '127.0.0.1', port: 0, tokens: [{ name: 'ops', token: TOKEN, role: 'admin' }] }
      config.flags = { ...TRAFFIC_ON_FLAGS, 'ai.budget.enforce': FLAG_ON }
      config.models = { smart: { targets: [{ provider: 'openai', model: EXPENSIVE }] } }
      const downgrade = (toModel: string) => [{ atPercent: 1, actions: [{ action: 'downgrade', toModel }] }]
      config.budgets = {
        // A dollar per token, so one call crosses 1 % of $100.
        prices: { [`openai/${EXPENSIVE}`]: { inputPerMTok: 1e6, outputPerMTok: 1e6 }, [`bedrock/${SONNET}`]: { inputPerMTok: 1e6, outputPerMTok: 1e6 } },
        limits: {
          expensive: { scope: 'model', target: EXPENSIVE, limitUsd: 100, window: 'day', thresholds: downgrade(CHEAP) },
          sonnet: { scope: 'model', target: SONNET, limitUsd: 100, window: 'day', thresholds: downgrade(HAIKU) },
        },
      }
    },
  })
  openai = new OpenAI({ baseURL: `${stack.sluice.dataUrl}/openai/v1`, apiKey: CLIENT.credentials.apiKey, maxRetries: 0 })
})
afterAll(async () => {
  await stack.close()
})

async function spent(budget: string): Promise<number> {
  const res = await fetch(`${stack.sluice.adminUrl}/v1/budgets`, { headers: { authorization: `Bearer ${TOKEN}` } })
  const body = (await res.json()) as { budgets: Array<{ budget: string; spentUsd: number }> }
  return body.budgets.find((b) => b.budget === budget)?.spentUsd ?? 0
}

const ask = { messages: [{ role: 'user' as const, content: 'hi' }], max_tokens: 8 }

describe('budget downgrade', () => {
  it('native OpenAI: below the threshold the asked model answers; past it the cheaper one, priced as itself', async () => {
    const first = await openai.chat.completions.create({ model: EXPENSIVE, ...ask }).withResponse()
    expect(first.data.choices[0]?.message.content).toContain(`Hello from ${EXPENSIVE}`)
    expect(first.response.headers.get('x-sluice-downgraded-from')).toBeNull()
    const crossed = await spent('expensive')
    expect(crossed).toBeGreaterThanOrEqual(1)

    const second = await openai.chat.completions.create({ model: EXPENSIVE, ...ask }).withResponse()
    expect(second.data.choices[0]?.message.content).toContain(`Hello from ${CHEAP}`)
    expect(second.response.headers.get('x-sluice-downgraded-from')).toBe(EXPENSIVE)
    expect(second.response.headers.get('x-sluice-model')).toBe(CHEAP)
    const upstream = stack.emulators.openai.requests.entries.at(-1)!.body as { model: string }
    expect(upstream.model).toBe(CHEAP)
    const record = await stack.decision(second.response.headers.get('x-sluice-request-id')!)
    expect(record).toMatchObject({ target: `openai/*`, decision: 'allow' })
    // Priced at gpt-4o-mini's table price (fractions of a cent) and counted toward gpt-4o-mini, not gpt-4o.
    expect(await spent('expensive')).toBe(crossed)
  })

  it('unified endpoint: the virtual model\'s target is downgraded on its provider', async () => {
    const unified = new OpenAI({ baseURL: `${stack.sluice.dataUrl}/v1`, apiKey: CLIENT.credentials.apiKey, maxRetries: 0 })
    const { data, response } = await unified.chat.completions.create({ model: 'smart', ...ask }).withResponse()
    expect(data.model).toBe('smart')
    expect(data.choices[0]?.message.content).toContain(`Hello from ${CHEAP}`)
    expect(response.headers.get('x-sluice-downgraded-from')).toBe(EXPENSIVE)
  })

  it('Bedrock: Converse moves to the cheaper model; InvokeModel (a model-specific body) stays', async () => {
    const bedrock = bedrockThroughSluice(stack.sluice.dataUrl)
    const converse = (modelId: string) =>
      bedrock.send(new ConverseCommand({ modelId, messages: [{ role: 'user', content: [{ text: 'hi' }] }], inferenceConfig: { maxTokens: 8 } }))
    expect((await converse(SONNET)).output?.message?.content?.[0]?.text).toContain(`Hello from ${SONNET}`)
    expect((await converse(SONNET)).output?.message?.content?.[0]?.text).toContain(`Hello from ${HAIKU}`)

    const body = JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] })
    const invoked = await bedrock.send(new InvokeModelCommand({ modelId: SONNET, body, contentType: 'application/json' }))
    expect(Buffer.from(invoked.body).toString()).toContain(SONNET)
  })
})
