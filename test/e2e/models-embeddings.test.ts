// Model lists and lookups (reads) and embeddings on the native mounts, through each official SDK
// to the emulators: reads are answered, counted and logged but charge no budget and no token
// limit (request limits count them), a spent budget or an overdrawn token limit does not hide
// them, a provider kill switch refuses them in the SDK's dialect, shadows never mirror them;
// embeddings' usage is charged.
import { InvokeModelCommand } from '@aws-sdk/client-bedrock-runtime'
import { GoogleGenAI } from '@google/genai'
import LlamaAPIClient from 'llama-api-client'
import OpenAI from 'openai'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { GEMINI_MODELS, LLAMA_MODELS, OPENAI_MODELS } from '../../src/emulators/models-list.js'
import { FLAG_ON, TRAFFIC_ON_FLAGS } from '../../src/emulators/sluice-config.js'
import { bedrockThroughSluice } from '../support/bedrock.js'
import { rejectionOf } from '../support/rejection.js'
import { CLIENT, startStack, type DecisionRecord, type Stack } from '../support/stack.js'

const TOKEN = 'models-ops-token-0123456789'
let stack: Stack

beforeAll(async () => {
  stack = await startStack({
    configure(config) {
      config.admin = { host: '127.0.0.1', port: 0, tokens: [{ name: 'ops', token: TOKEN, role: 'admin' }] }
      config.flags = { ...TRAFFIC_ON_FLAGS, 'ai.budget.enforce': FLAG_ON, 'ai.ratelimit.enforce': FLAG_ON }
      config.budgets = {
        limits: {
          shop: { scope: 'tenant', target: CLIENT.tenant, limitUsd: 5, window: 'day' },
          // Spent before the first call: every generation on the Llama mount is refused.
          'no-llama': { scope: 'provider', target: 'meta', limitUsd: 0.000001, window: 'day' },
        },
      }
      config.rateLimits = {
        rules: [
          // Day windows: refill between two calls of a test stays far below one unit.
          { name: 'per-client', key: ['client'], requests: { limit: 1000, windowSeconds: 86_400 }, tokens: { limit: 100_000, windowSeconds: 86_400 } },
          { name: 'mini-tokens', match: { model: 'gpt-4o-mini' }, key: ['client'], tokens: { limit: 40, windowSeconds: 3600 }, defaultMaxOutputTokens: 1 },
          // Below the default output reservation (1024): only a call that reserves no output fits.
          { name: 'embedding-tokens', match: { model: ['text-embedding-3-small', 'gemini-embedding-001', 'amazon.titan-embed-text-v2:0'] }, key: ['client'], tokens: { limit: 500, windowSeconds: 86_400 } },
        ],
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

/** The decisions of the last `n` requests, once settled and logged. */
async function decisions(n: number): Promise<DecisionRecord[]> {
  for (let i = 0; i < 200 && stack.decisions.length < n; i++) await new Promise((r) => setImmediate(r))
  expect(stack.decisions).toHaveLength(n)
  return stack.decisions.slice()
}

async function shopBudget(): Promise<{ spentUsd: number; reservedUsd: number }> {
  const res = await fetch(`${stack.sluice.adminUrl}/v1/budgets`, { headers: { authorization: `Bearer ${TOKEN}` } })
  const body = (await res.json()) as { budgets: Array<{ budget: string; spentUsd: number; reservedUsd: number }> }
  return body.budgets.find((b) => b.budget === 'shop')!
}

async function admin(method: string, path: string): Promise<void> {
  const res = await fetch(`${stack.sluice.adminUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ reason: 'models test' }),
  })
  expect(res.status, `${method} ${path}`).toBeLessThan(300)
}

const openai = (): OpenAI => new OpenAI({ baseURL: `${stack.sluice.dataUrl}/openai/v1`, apiKey: CLIENT.credentials.apiKey, maxRetries: 0 })
const llama = (): LlamaAPIClient => new LlamaAPIClient({ baseURL: `${stack.sluice.dataUrl}/meta/v1`, apiKey: CLIENT.credentials.apiKey, maxRetries: 0 })
const genai = (): GoogleGenAI => new GoogleGenAI({ apiKey: CLIENT.credentials.apiKey, httpOptions: { baseUrl: `${stack.sluice.dataUrl}/google` } })

describe('OpenAI SDK: models and embeddings', () => {
  it('an embedding reserves no output tokens: a token limit below the default output reservation admits it', async () => {
    const { response } = await openai().embeddings.create({ model: 'text-embedding-3-small', input: 'short' }).withResponse()
    expect(response.status).toBe(200)
    const [record] = await decisions(1)
    expect(record).toMatchObject({ operation: 'embeddings', decision: 'allow' })
  })

  it('models.list and models.retrieve are answered, logged as reads, and charge no budget or token limit', async () => {
    const before = await shopBudget()
    const first = await openai().models.list().withResponse()
    const ids: string[] = []
    for await (const model of first.data) ids.push(model.id)
    expect(ids).toEqual(OPENAI_MODELS)
    const model = await openai().models.retrieve('gpt-4o').withResponse()
    expect(model.data).toMatchObject({ id: 'gpt-4o', object: 'model', owned_by: 'openai' })
    const [list, get] = await decisions(2)
    expect(list).toMatchObject({ provider: 'openai', model: '', operation: 'models.list', decision: 'allow', status: 200, client: CLIENT.id })
    expect(get).toMatchObject({ provider: 'openai', model: 'gpt-4o', operation: 'models.get', decision: 'allow', status: 200 })
    expect(list!.usage).toBeUndefined()
    expect(await shopBudget()).toEqual(before)
    // Counted as a request, not as tokens: the second read left one request fewer and every token.
    const headers = (r: Response) => [Number(r.headers.get('x-ratelimit-remaining-requests')), Number(r.headers.get('x-ratelimit-remaining-tokens'))]
    const [requests1, tokens1] = headers(first.response)
    expect(headers(model.response)).toEqual([requests1! - 1, tokens1])
  })

  it('a model kill switch refuses a lookup of that model, not the list', async () => {
    await admin('PUT', '/v1/kill-switches/model/gpt-4o')
    try {
      const err = await rejectionOf<InstanceType<typeof OpenAI.APIError>>(openai().models.retrieve('gpt-4o'))
      expect(err.status).toBe(503)
      expect(err.code).toBe('SLUICE_ERR_KILL_MODEL')
      const ids: string[] = []
      for await (const model of openai().models.list()) ids.push(model.id)
      expect(ids).toEqual(OPENAI_MODELS)
    } finally {
      await admin('DELETE', '/v1/kill-switches/model/gpt-4o')
    }
  })

  it('an unknown model id is the provider’s 404, passed through', async () => {
    const err = await rejectionOf<InstanceType<typeof OpenAI.APIError>>(openai().models.retrieve('no-such-model'))
    expect(err).toBeInstanceOf(OpenAI.NotFoundError)
    expect(err.code).toBe('model_not_found')
  })

  it('embeddings.create: usage.prompt_tokens is counted, charged to the budget and the token limit', async () => {
    const before = await shopBudget()
    const tokensBefore = Number((await openai().models.list().withResponse()).response.headers.get('x-ratelimit-remaining-tokens'))
    const { data } = await openai().embeddings.create({ model: 'text-embedding-3-small', input: ['the quick brown fox', 'jumps over the lazy dog'] }).withResponse()
    expect(data.data).toHaveLength(2)
    expect(data.usage.prompt_tokens).toBeGreaterThan(0)
    const tokensAfter = Number((await openai().models.list().withResponse()).response.headers.get('x-ratelimit-remaining-tokens'))
    const embedding = (await decisions(3))[1]!
    expect(embedding).toMatchObject({ operation: 'embeddings', model: 'text-embedding-3-small', decision: 'allow' })
    expect(embedding.usage).toEqual({ inputTokens: data.usage.prompt_tokens, outputTokens: 0, cachedTokens: 0, reasoningTokens: 0 })
    // Less the refill between the two reads (≈ 1 token a second), which may round one token away.
    expect(tokensBefore - tokensAfter).toBeGreaterThanOrEqual(data.usage.prompt_tokens - 1)
    expect(tokensBefore - tokensAfter).toBeLessThanOrEqual(data.usage.prompt_tokens)
    const after = await shopBudget()
    expect(after.spentUsd).toBeGreaterThan(before.spentUsd)
    expect(after.reservedUsd).toBe(0)
  })
})

describe('Llama SDK: models', () => {
  it('models.list and models.retrieve are answered although the mount’s budget is spent', async () => {
    const list = await llama().models.list()
    expect(list.map((m) => m.id)).toEqual(LLAMA_MODELS)
    const model = await llama().models.retrieve(LLAMA_MODELS[0]!)
    expect(model).toMatchObject({ id: LLAMA_MODELS[0], object: 'model' })
    // The same budget refuses a generation.
    const err = await rejectionOf<Error & { status?: number }>(llama().chat.completions.create({ model: LLAMA_MODELS[0]!, messages: [{ role: 'user', content: 'hi' }] }))
    expect(err.status).toBe(429)
    const [a, b, c] = await decisions(3)
    expect([a!.operation, b!.operation, c!.code]).toEqual(['models.list', 'models.get', 'SLUICE_ERR_BUDGET_EXCEEDED'])
  })

  it('a provider kill switch refuses models.list in the SDK’s dialect', async () => {
    await admin('PUT', '/v1/kill-switches/provider/meta')
    try {
      const err = await rejectionOf<Error & { status?: number }>(llama().models.list())
      expect(err.status).toBe(503)
      expect(err.message).toContain('SLUICE_ERR_KILL_PROVIDER')
    } finally {
      await admin('DELETE', '/v1/kill-switches/provider/meta')
    }
    const [record] = await decisions(1)
    expect(record).toMatchObject({ operation: 'models.list', code: 'SLUICE_ERR_KILL_PROVIDER' })
  })
})

describe('@google/genai: models and embeddings', () => {
  it('models.list pages with pageSize and pageToken passed through', async () => {
    const pager = await genai().models.list({ config: { pageSize: 2 } })
    const names: string[] = []
    for await (const model of pager) names.push(model.name!)
    expect(names).toEqual(GEMINI_MODELS.map((m) => `models/${m.id}`))
    const records = await decisions(3)
    expect(records.map((r) => r.operation)).toEqual(['models.list', 'models.list', 'models.list'])
    const queries = stack.emulators.gemini.requests.entries.slice(-3).map((r) => r.query)
    expect(queries.map((q) => new URLSearchParams(q).get('pageToken'))).toEqual([null, '2', '4'])
  })

  it('models.get', async () => {
    const model = await genai().models.get({ model: 'gemini-2.0-flash' })
    expect(model.name).toBe('models/gemini-2.0-flash')
    const [record] = await decisions(1)
    expect(record).toMatchObject({ operation: 'models.get', model: 'gemini-2.0-flash', decision: 'allow' })
  })

  it('embedContent (sent as batchEmbedContents): usage estimated from the request and charged', async () => {
    const before = await shopBudget()
    const one = await genai().models.embedContent({ model: 'gemini-embedding-001', contents: 'hello embeddings' })
    const two = await genai().models.embedContent({ model: 'gemini-embedding-001', contents: ['first text', 'second text'] })
    expect(one.embeddings).toHaveLength(1)
    expect(two.embeddings).toHaveLength(2)
    const records = (await decisions(2)) as Array<DecisionRecord & { usageEstimated?: string }>
    const bodies = stack.emulators.gemini.requests.entries.slice(-2)
    for (const [i, record] of records.entries()) {
      expect(record).toMatchObject({ operation: 'batchEmbedContents', model: 'gemini-embedding-001', usageEstimated: 'not_reported' })
      // The Gemini API states no usage for embeddings: input = request bytes / 4, no output.
      expect(record.usage).toEqual({ inputTokens: Math.ceil(Buffer.byteLength(JSON.stringify(bodies[i]!.body)) / 4), outputTokens: 0, cachedTokens: 0, reasoningTokens: 0 })
    }
    expect((await shopBudget()).spentUsd).toBeGreaterThan(before.spentUsd)
  })

  it('REST embedContent is recognised too', async () => {
    const res = await fetch(`${stack.sluice.dataUrl}/google/v1beta/models/text-embedding-004:embedContent`, {
      method: 'POST',
      headers: { 'x-goog-api-key': CLIENT.credentials.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ content: { parts: [{ text: 'one text' }] } }),
    })
    expect(res.status).toBe(200)
    expect(((await res.json()) as { embedding: { values: number[] } }).embedding.values.length).toBeGreaterThan(0)
    const [record] = await decisions(1)
    expect(record).toMatchObject({ operation: 'embedContent', model: 'text-embedding-004' })
    expect(record!.usage!.inputTokens).toBeGreaterThan(0)
  })
})

describe('Bedrock InvokeModel on embedding models', () => {
  const invoke = async (modelId: string, body: Record<string, unknown>): Promise<{ answer: Record<string, unknown>; headers: Record<string, string> }> => {
    let headers: Record<string, string> = {}
    const client = bedrockThroughSluice(stack.sluice.dataUrl, { onHeaders: (h) => (headers = h) })
    const out = await client.send(new InvokeModelCommand({ modelId, contentType: 'application/json', body: JSON.stringify(body) }))
    return { answer: JSON.parse(Buffer.from(out.body).toString('utf8')) as Record<string, unknown>, headers }
  }

  it('Titan: {inputText} → {embedding, inputTextTokenCount}; the token count header is charged', async () => {
    const before = await shopBudget()
    const { answer, headers } = await invoke('amazon.titan-embed-text-v2:0', { inputText: 'an embedding for titan', dimensions: 8 })
    expect(answer.embedding).toHaveLength(8)
    const tokens = answer.inputTextTokenCount as number
    expect(headers['x-amzn-bedrock-input-token-count']).toBe(String(tokens))
    const [record] = await decisions(1)
    expect(record).toMatchObject({ operation: 'invoke', model: 'amazon.titan-embed-text-v2:0', decision: 'allow' })
    expect(record!.usage).toEqual({ inputTokens: tokens, outputTokens: 0, cachedTokens: 0, reasoningTokens: 0 })
    expect((await shopBudget()).spentUsd).toBeGreaterThan(before.spentUsd)
  })

  it('Cohere: {texts, input_type} → {embeddings, id, response_type, texts}', async () => {
    const texts = ['first document', 'second document']
    const { answer, headers } = await invoke('cohere.embed-english-v3', { texts, input_type: 'search_document' })
    expect(answer).toMatchObject({ response_type: 'embeddings_floats', texts })
    expect(answer.embeddings).toHaveLength(2)
    const [record] = await decisions(1)
    expect(record!.usage!.inputTokens).toBe(Number(headers['x-amzn-bedrock-input-token-count']))
    expect(record!.usage!.inputTokens).toBeGreaterThan(0)
  })
})

describe('a token limit overdrawn by a generation', () => {
  it('refuses the next generation but not a lookup of the same model', async () => {
    // 16 tokens reserved (a ~60-byte body, 1 default output token) within the limit of 40; the
    // answer's 200 output tokens overdraw the limit when the call settles.
    stack.emulators.openai.script.enqueue({ outputTokens: 200 })
    await openai().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
    const refused = await rejectionOf<InstanceType<typeof OpenAI.APIError>>(openai().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }))
    expect(refused).toBeInstanceOf(OpenAI.RateLimitError)
    expect(refused.code).toBe('SLUICE_ERR_RATE_LIMITED')
    const model = await openai().models.retrieve('gpt-4o-mini')
    expect(model.id).toBe('gpt-4o-mini')
    const records = await decisions(3)
    expect(records.map((r) => r.code)).toEqual(['200', 'SLUICE_ERR_RATE_LIMITED', '200'])
  })
})

describe('shadow traffic', () => {
  let mirrored: Stack
  beforeAll(async () => {
    mirrored = await startStack({
      configure(config) {
        // A second OpenAI provider on the same emulator, mirroring gpt-4o as gpt-4o.
        config.providers.mirror = { ...config.providers.openai, mount: '/mirror' }
        config.flags = { ...TRAFFIC_ON_FLAGS, 'ai.shadow.enabled': FLAG_ON }
        config.shadows = { native: { mount: 'openai', model: 'gpt-4o', target: { provider: 'mirror', model: 'gpt-4o' } } }
      },
    })
  })
  afterAll(async () => {
    await mirrored.close()
  })

  it('mirrors a generation of the shadowed model, never a lookup of it', async () => {
    const client = new OpenAI({ baseURL: `${mirrored.sluice.dataUrl}/openai/v1`, apiKey: CLIENT.credentials.apiKey, maxRetries: 0 })
    const log = mirrored.emulators.openai.requests
    const before = log.count
    await client.models.retrieve('gpt-4o')
    await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })
    // The chat's mirror starts after its answer ended; a lookup's mirror would have started before it.
    for (let i = 0; i < 500 && log.count < before + 3; i++) await new Promise((r) => setImmediate(r))
    expect(log.entries.slice(-(log.count - before)).map((r) => r.operation)).toEqual(['models.get', 'chat.completions', 'chat.completions'])
  })
})

describe('an experiment on the model looked up', () => {
  let split: Stack
  beforeAll(async () => {
    split = await startStack({
      configure(config) {
        const variants = [
          { name: 'control', control: true, weight: 1, target: { provider: 'openai', model: 'gpt-4o' } },
          { name: 'mini', weight: 1, target: { provider: 'openai', model: 'gpt-4o-mini' } },
        ]
        config.experiments = { native: { status: 'running', mount: 'openai', model: 'gpt-4o', variants } }
      },
    })
  })
  afterAll(async () => {
    await split.close()
  })

  it('neither moves nor tags nor counts a lookup, for any user', async () => {
    const client = new OpenAI({ baseURL: `${split.sluice.dataUrl}/openai/v1`, apiKey: CLIENT.credentials.apiKey, maxRetries: 0 })
    const log = split.emulators.openai.requests
    for (let i = 0; i < 8; i++) {
      const before = log.count
      const { data, response } = await client.models.retrieve('gpt-4o', { headers: { 'x-sluice-user': `user-${i}` } }).withResponse()
      expect(data.id).toBe('gpt-4o')
      expect(response.headers.get('x-sluice-variant')).toBeNull()
      expect(log.entries.slice(before - log.count).map((r) => r.path)).toEqual(['/v1/models/gpt-4o'])
    }
  })
})
