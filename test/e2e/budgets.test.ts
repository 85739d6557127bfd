// Gate 6 end to end: a spent budget refuses each official SDK exactly once — with the SDK's
// default retry settings, counting what reaches Sluice and the emulator — and spend from settled
// calls shows in /v1/budgets.
import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime'
import { GoogleGenAI } from '@google/genai'
import LlamaAPIClient from 'llama-api-client'
import OpenAI from 'openai'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { FLAG_ON, TRAFFIC_ON_FLAGS } from '../../src/emulators/sluice-config.js'
import { rejectionOf } from '../support/rejection.js'
import { CLIENT, startStack, type Stack } from '../support/stack.js'

const TOKEN = 'budget-ops-token-0123456789'
let stack: Stack

beforeAll(async () => {
  stack = await startStack({
    configure(config) {
      config.admin = { host: '127.0.0.1', port: 0, tokens: [{ name: 'ops', token: TOKEN, role: 'admin' }] }
      config.flags = { ...TRAFFIC_ON_FLAGS, 'ai.budget.enforce': FLAG_ON }
      config.budgets = {
        limits: {
          // Spent before the first call: any estimate is over it.
          'no-llama': { scope: 'provider', target: 'meta', limitUsd: 0.000001, window: 'day' },
          'no-claude': { scope: 'model', target: 'anthropic.claude-3-haiku-20240307-v1:0', limitUsd: 0.000001, window: 'day' },
          'no-gemini': { scope: 'provider', target: 'google', limitUsd: 0.000001, window: 'month', timeZone: 'America/New_York' },
          'no-big-gpt': { scope: 'model', target: 'gpt-4.1', limitUsd: 0.000001, window: 'day' },
          // Throttled to half its rate once 1 % of it is spent (one small call).
          throttled: {
            scope: 'model',
            target: 'gpt-4o',
            limitUsd: 0.005,
            window: 'day',
            thresholds: [{ atPercent: 1, actions: [{ action: 'throttle', factor: 0.5 }] }],
          },
          // Room for a few small calls.
          shop: { scope: 'tenant', target: CLIENT.tenant, limitUsd: 5, window: 'day' },
        },
      }
    },
  })
})
afterAll(async () => {
  await stack.close()
})
beforeEach(() => {
  stack.decisions.length = 0
})

/** Each SDK call below is refused once, and nothing reaches the provider. */
async function expectRefusedOnce(emulatorCount: () => number, call: () => Promise<unknown>): Promise<Error & Record<string, unknown>> {
  const before = emulatorCount()
  // The SDK's promise settles only after its retries: a retried call would show here as more than
  // one decision, and one that waited on Retry-After (hours away) would time the test out.
  const err = await rejectionOf<Error & Record<string, unknown>>(call())
  expect(stack.decisions.filter((d) => d.code === 'SLUICE_ERR_BUDGET_EXCEEDED')).toHaveLength(1)
  expect(stack.decisions).toHaveLength(1)
  expect(emulatorCount()).toBe(before)
  return err
}

describe('budget refusals do not make SDKs retry', () => {
  it('OpenAI SDK (default maxRetries 2): one request, RateLimitError insufficient_quota', async () => {
    const openai = new OpenAI({ baseURL: `${stack.sluice.dataUrl}/openai/v1`, apiKey: CLIENT.credentials.apiKey })
    const err = await expectRefusedOnce(
      () => stack.emulators.openai.requests.count,
      () => openai.chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] }),
    )
    expect(err).toBeInstanceOf(OpenAI.RateLimitError)
    expect(err.code).toBe('SLUICE_ERR_BUDGET_EXCEEDED')
    expect((err as unknown as InstanceType<typeof OpenAI.APIError>).type).toBe('insufficient_quota')
  })

  it('Llama SDK (default retries): one request', async () => {
    const llama = new LlamaAPIClient({ baseURL: `${stack.sluice.dataUrl}/meta/v1`, apiKey: CLIENT.credentials.apiKey })
    const err = await expectRefusedOnce(
      () => stack.emulators.llama.requests.count,
      () => llama.chat.completions.create({ model: 'Llama-4-Maverick-17B-128E-Instruct-FP8', messages: [{ role: 'user', content: 'hi' }] }),
    )
    expect(err.status).toBe(429)
  })

  it('Bedrock SDK (standard retry strategy): one request, ServiceQuotaExceededException', async () => {
    const bedrock = new BedrockRuntimeClient({
      region: 'us-east-1',
      endpoint: `${stack.sluice.dataUrl}/bedrock`,
      credentials: { accessKeyId: CLIENT.credentials.accessKeyId, secretAccessKey: CLIENT.credentials.secretAccessKey },
    })
    const err = await expectRefusedOnce(
      () => stack.emulators.bedrock.requests.count,
      () =>
        bedrock.send(
          new ConverseCommand({ modelId: 'anthropic.claude-3-haiku-20240307-v1:0', messages: [{ role: 'user', content: [{ text: 'hi' }] }] }),
        ),
    )
    bedrock.destroy()
    expect(err.name).toBe('ServiceQuotaExceededException')
    expect(err.message).toContain('SLUICE_ERR_BUDGET_EXCEEDED')
  })

  it('Gemini SDK, even with retryOptions set: one request, FAILED_PRECONDITION', async () => {
    const gemini = new GoogleGenAI({
      apiKey: CLIENT.credentials.apiKey,
      httpOptions: { baseUrl: `${stack.sluice.dataUrl}/google`, retryOptions: { attempts: 4 } },
    })
    const err = await expectRefusedOnce(
      () => stack.emulators.gemini.requests.count,
      () => gemini.models.generateContent({ model: 'gemini-2.5-flash', contents: 'hi' }),
    )
    expect(err.message).toContain('FAILED_PRECONDITION')
  })
})

describe('spend', () => {
  it('settled calls are priced from their usage and reported per scope', async () => {
    const openai = new OpenAI({ baseURL: `${stack.sluice.dataUrl}/openai/v1`, apiKey: CLIENT.credentials.apiKey, maxRetries: 0 })
    for (let i = 0; i < 3; i++) await openai.chat.completions.create({ model: 'gpt-4o-mini', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] })
    const res = await fetch(`${stack.sluice.adminUrl}/v1/budgets`, { headers: { authorization: `Bearer ${TOKEN}` } })
    const body = (await res.json()) as { enforce: { value: boolean }; budgets: Array<{ budget: string; spentUsd: number; reservedUsd: number; limitUsd: number }> }
    expect(body.enforce.value).toBe(true)
    const shop = body.budgets.find((b) => b.budget === 'shop')!
    expect(shop.limitUsd).toBe(5)
    expect(shop.spentUsd).toBeGreaterThan(0)
    expect(shop.spentUsd).toBeLessThan(0.001)
    expect(shop.reservedUsd).toBe(0)
  })

  it('a throttle threshold admits exactly its factor of the requests, the rest get a retryable 429', async () => {
    const call = async (): Promise<number | string> => {
      const res = await fetch(`${stack.sluice.dataUrl}/openai/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${CLIENT.credentials.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] }),
      })
      const body = (await res.json()) as { error?: { code?: string } }
      return body.error?.code ?? res.status
    }
    expect(await call()).toBe(200) // crosses the 1 % threshold
    const after = [await call(), await call(), await call(), await call()]
    expect(after.filter((r) => r === 200)).toHaveLength(2)
    expect(after.filter((r) => r === 'SLUICE_ERR_BUDGET_THROTTLED')).toHaveLength(2)
  })
})
