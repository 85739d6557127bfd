// Usage is never silently zero. A streamed OpenAI-style chat call that does not ask for usage is
// sent upstream asking for it, and what that adds is taken out again: the official SDK and a raw
// fetch get the bytes the emulator sends for the request as written. Where an answer states no
// usage (an upstream that ignores include_usage or omits `usage`, a stream cut before its usage),
// Sluice estimates it, marks the decision record, counts the call in sluice_usage_estimated_total
// and charges the budget with it.
import { BedrockRuntimeClient, ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime'
import { GoogleGenAI } from '@google/genai'
import LlamaAPIClient from 'llama-api-client'
import OpenAI from 'openai'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { EMULATOR_CREDENTIALS } from '../../src/emulators/index.js'
import { FLAG_ON, TRAFFIC_ON_FLAGS } from '../../src/emulators/sluice-config.js'
import { CLIENT, startStack, type DecisionRecord, type Stack } from '../support/stack.js'

const TOKEN = 'usage-ops-token-0123456789'
let stack: Stack

beforeAll(async () => {
  stack = await startStack({
    configure(config) {
      config.admin = { host: '127.0.0.1', port: 0, tokens: [{ name: 'ops', token: TOKEN, role: 'admin' }] }
      config.flags = { ...TRAFFIC_ON_FLAGS, 'ai.budget.enforce': FLAG_ON }
      config.budgets = { limits: { shop: { scope: 'tenant', target: CLIENT.tenant, limitUsd: 5, window: 'day' } } }
    },
  })
})
afterAll(async () => {
  await stack.close()
})
beforeEach(() => {
  stack.decisions.length = 0
})

type Record = DecisionRecord & { usageEstimated?: string }

async function onlyDecision(): Promise<Record> {
  for (let i = 0; i < 100 && stack.decisions.length === 0; i++) await new Promise((r) => setImmediate(r))
  expect(stack.decisions).toHaveLength(1)
  return stack.decisions[0]! as Record
}

async function shopSpentUsd(): Promise<number> {
  const res = await fetch(`${stack.sluice.adminUrl}/v1/budgets`, { headers: { authorization: `Bearer ${TOKEN}` } })
  const body = (await res.json()) as { budgets: Array<{ budget: string; spentUsd: number }> }
  return body.budgets.find((b) => b.budget === 'shop')!.spentUsd
}

async function estimatedCount(provider: string, reason: string): Promise<number> {
  const text = await (await fetch(`${stack.sluice.adminUrl}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text()
  let total = 0
  for (const line of text.split('\n')) {
    if (line.startsWith('sluice_usage_estimated_total{') && line.includes(`provider="${provider}"`) && line.includes(`reason="${reason}"`)) total += Number(line.slice(line.lastIndexOf(' ') + 1))
  }
  return total
}

/** Ids and timestamps differ from call to call; everything else must be byte-equal. */
function normalised(text: string): string {
  return text.replace(/chatcmpl-emu\d+/g, 'chatcmpl-ID').replace(/"created":\d+/g, '"created":0')
}

// Quotes, a backslash and look-alike text exercise the byte-level cut.
const TEXT = 'He wrote "usage":null, then \\ and {"choices":[]} \u00e9\u4e2d'

interface Dialect {
  readonly name: string
  readonly sluicePath: string
  readonly emulatorPath: string
  readonly emulator: 'openai' | 'llama'
  readonly model: string
  readonly key: string
}

const DIALECTS: readonly Dialect[] = [
  { name: 'OpenAI', sluicePath: '/openai/v1', emulatorPath: '/v1', emulator: 'openai', model: 'gpt-4o-mini', key: EMULATOR_CREDENTIALS.openai.apiKey },
  { name: 'Llama compat', sluicePath: '/meta/compat/v1', emulatorPath: '/compat/v1', emulator: 'llama', model: 'Llama-4-Maverick-17B-128E-Instruct-FP8', key: EMULATOR_CREDENTIALS.llama.apiKey },
]

function request(dialect: Dialect, extra: { [key: string]: unknown } = {}): { [key: string]: unknown } {
  return { model: dialect.model, messages: [{ role: 'user', content: 'Stream to me' }], stream: true, ...extra }
}

async function rawFetch(url: string, key: string, body: unknown): Promise<string> {
  const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })
  expect(res.status).toBe(200)
  return Buffer.from(await res.arrayBuffer()).toString('utf8')
}

describe.each(DIALECTS)('$name stream without include_usage', (dialect) => {
  const emulator = () => stack.emulators[dialect.emulator]

  it('raw bytes through Sluice equal the emulator’s own for the request as sent; usage counted', async () => {
    emulator().script.enqueue({ text: TEXT }, { text: TEXT })
    const direct = await rawFetch(`${emulator().url}${dialect.emulatorPath}/chat/completions`, dialect.key, request(dialect))
    const through = await rawFetch(`${stack.sluice.dataUrl}${dialect.sluicePath}/chat/completions`, CLIENT.credentials.apiKey, request(dialect))
    expect(direct).not.toContain('"usage"')
    expect(normalised(through)).toBe(normalised(direct))
    // Upstream was asked for usage; the decision record has it, as the provider stated it.
    expect(emulator().requests.entries.at(-1)!.body).toMatchObject({ stream_options: { include_usage: true } })
    const record = await onlyDecision()
    expect(record.usage!.inputTokens).toBeGreaterThan(0)
    expect(record.usage!.outputTokens).toBe(TEXT.split(' ').length)
    expect(record.usageEstimated).toBeUndefined()
  })

  it('the official openai SDK sees the same chunks as from the emulator directly', async () => {
    const chunks = async (baseURL: string, apiKey: string): Promise<string> => {
      const client = new OpenAI({ baseURL, apiKey, maxRetries: 0 })
      const stream = await client.chat.completions.create({ model: dialect.model, messages: [{ role: 'user', content: 'Stream to me' }], stream: true })
      const seen: unknown[] = []
      for await (const chunk of stream) seen.push(chunk)
      return normalised(JSON.stringify(seen))
    }
    emulator().script.enqueue({ text: TEXT }, { text: TEXT })
    const direct = await chunks(`${emulator().url}${dialect.emulatorPath}`, dialect.key)
    const through = await chunks(`${stack.sluice.dataUrl}${dialect.sluicePath}`, CLIENT.credentials.apiKey)
    expect(through).toBe(direct)
    expect((await onlyDecision()).usage!.outputTokens).toBeGreaterThan(0)
  })

  it('other stream_options are kept, and a client that asks for usage gets it unchanged', async () => {
    emulator().script.enqueue({ text: TEXT }, { text: TEXT })
    const asked = request(dialect, { stream_options: { include_usage: true } })
    const direct = await rawFetch(`${emulator().url}${dialect.emulatorPath}/chat/completions`, dialect.key, asked)
    const through = await rawFetch(`${stack.sluice.dataUrl}${dialect.sluicePath}/chat/completions`, CLIENT.credentials.apiKey, asked)
    expect(direct).toContain('"choices":[],')
    expect(normalised(through)).toBe(normalised(direct))
    stack.decisions.length = 0

    const other = request(dialect, { stream_options: { include_obfuscation: false } })
    await rawFetch(`${stack.sluice.dataUrl}${dialect.sluicePath}/chat/completions`, CLIENT.credentials.apiKey, other)
    expect(emulator().requests.entries.at(-1)!.body).toMatchObject({ stream_options: { include_obfuscation: false, include_usage: true } })
    expect((await onlyDecision()).usage!.outputTokens).toBeGreaterThan(0)
  })
})

describe('estimated usage', () => {
  const openai = (): OpenAI => new OpenAI({ baseURL: `${stack.sluice.dataUrl}/openai/v1`, apiKey: CLIENT.credentials.apiKey, maxRetries: 0 })

  it('an OpenAI-compatible JSON body without usage: estimated, marked, counted and charged', async () => {
    const before = await shopSpentUsd()
    const metricBefore = await estimatedCount('openai', 'not_reported')
    stack.emulators.openai.script.enqueue({ omitUsage: true, text: 'four words of text' })
    // A large max_tokens: what the budget reserved is far above what the estimate charges.
    const data = await openai().chat.completions.create({ model: 'gpt-4o-mini', max_tokens: 50_000, messages: [{ role: 'user', content: 'hi' }] })
    expect(data.usage).toBeUndefined()
    const record = await onlyDecision()
    expect(record.usageEstimated).toBe('not_reported')
    // 18 bytes of answer text at 4 bytes a token; the request body's bytes likewise.
    expect(record.usage).toMatchObject({ outputTokens: 5, cachedTokens: 0, reasoningTokens: 0 })
    expect(record.usage!.inputTokens).toBeGreaterThan(0)
    expect(await estimatedCount('openai', 'not_reported')).toBe(metricBefore + 1)
    const charged = (await shopSpentUsd()) - before
    expect(charged).toBeGreaterThan(0)
    expect(charged).toBeLessThan(0.0001)
  })

  it('an upstream that ignores include_usage: the stream passes as sent, usage estimated', async () => {
    stack.emulators.openai.script.enqueue({ omitUsage: true, text: 'eight bytes' })
    const stream = await openai().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true })
    let text = ''
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? ''
    expect(text).toBe('eight bytes')
    const record = await onlyDecision()
    expect(record.usageEstimated).toBe('not_reported')
    expect(record.usage!.outputTokens).toBe(Math.ceil(Buffer.byteLength('eight bytes') / 4))
  })

  it('a normal answer is not estimated', async () => {
    await openai().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
    expect((await onlyDecision()).usageEstimated).toBeUndefined()
  })

  const drain = async (stream: AsyncIterable<unknown>): Promise<void> => {
    try {
      for await (const _ of stream);
    } catch {
      // The cut is what these tests are about.
    }
  }

  it('OpenAI: a stream cut before its usage is estimated as cut', async () => {
    const metricBefore = await estimatedCount('openai', 'cut')
    stack.emulators.openai.script.enqueue({ breakAfterChunks: 3, chunks: 6 })
    await drain(await openai().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true }))
    const record = await onlyDecision()
    expect(record).toMatchObject({ upstreamBroken: true, usageEstimated: 'cut' })
    expect(record.usage!.inputTokens).toBeGreaterThan(0)
    expect(record.usage!.outputTokens).toBeGreaterThan(0)
    expect(await estimatedCount('openai', 'cut')).toBe(metricBefore + 1)
  })

  it('Llama native: a stream cut before its metrics is estimated as cut', async () => {
    stack.emulators.llama.script.enqueue({ breakAfterChunks: 3, chunks: 6 })
    const llama = new LlamaAPIClient({ baseURL: `${stack.sluice.dataUrl}/meta/v1`, apiKey: CLIENT.credentials.apiKey, maxRetries: 0 })
    await drain(await llama.chat.completions.create({ model: 'Llama-4-Maverick-17B-128E-Instruct-FP8', messages: [{ role: 'user', content: 'hi' }], stream: true }))
    const record = await onlyDecision()
    expect(record).toMatchObject({ upstreamBroken: true, usageEstimated: 'cut' })
    expect(record.usage!.outputTokens).toBeGreaterThan(0)
  })

  it('Bedrock ConverseStream: a stream cut before its metadata is estimated as cut', async () => {
    stack.emulators.bedrock.script.enqueue({ breakAfterChunks: 4, chunks: 6 })
    const client = new BedrockRuntimeClient({
      region: 'us-east-1',
      endpoint: `${stack.sluice.dataUrl}/bedrock`,
      credentials: { accessKeyId: CLIENT.credentials.accessKeyId, secretAccessKey: CLIENT.credentials.secretAccessKey },
      maxAttempts: 1,
    })
    const out = await client.send(new ConverseStreamCommand({ modelId: 'amazon.nova-lite-v1:0', messages: [{ role: 'user', content: [{ text: 'hi' }] }] }))
    await drain(out.stream!)
    client.destroy()
    const record = await onlyDecision()
    expect(record).toMatchObject({ upstreamBroken: true, usageEstimated: 'cut' })
    expect(record.usage!.outputTokens).toBeGreaterThan(0)
  })

  it('Gemini: usage rides on every chunk, so a cut stream still has the provider’s own count', async () => {
    stack.emulators.gemini.script.enqueue({ breakAfterChunks: 2, chunks: 6 })
    const gemini = new GoogleGenAI({ apiKey: CLIENT.credentials.apiKey, httpOptions: { baseUrl: `${stack.sluice.dataUrl}/google` } })
    await drain(await gemini.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'hi' }))
    const record = await onlyDecision()
    expect(record.upstreamBroken).toBe(true)
    expect(record.usage!.inputTokens).toBeGreaterThan(0)
    expect(record.usageEstimated).toBeUndefined()
  })
})
