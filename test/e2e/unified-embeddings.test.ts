// Unified `POST /v1/embeddings` (docs/unified.md#embeddings) with the official openai SDK: one
// virtual model per embedding target — Titan and Cohere on Bedrock (InvokeModel), Gemini
// (`:embedContent` / `:batchEmbedContents`), OpenAI (passthrough) — answered by the emulators and
// translated back to OpenAI's embeddings response; the SDK's default base64 encoding and explicit
// floats; `dimensions`; usage as Sluice counts it (read from the answer, estimated for Gemini) in
// the answer, the decision record and a token budget; bad input, a chat-model target and the
// providers without embeddings refused in OpenAI's error shape. The emulators' vectors are
// `embed(text, dimensions)` (src/emulators/content.ts); their token rule is ceil(characters / 4).
import OpenAI, { APIError, BadRequestError, NotFoundError } from 'openai'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { embed } from '../../src/emulators/content.js'
import { FLAG_ON, TRAFFIC_ON_FLAGS } from '../../src/emulators/sluice-config.js'
import { rejectionOf } from '../support/rejection.js'
import { CLIENT, startStack, type DecisionRecord, type Stack } from '../support/stack.js'

const TITAN = 'amazon.titan-embed-text-v2:0'
const COHERE = 'cohere.embed-english-v3'
const GEMINI = 'gemini-embedding-001'
const OPENAI = 'text-embedding-3-small'
/** The emulators' width when the request names none. */
const WIDTH = 16

const ADMIN_TOKEN = 'unified-embeddings-admin-0123456789'

let stack: Stack

beforeAll(async () => {
  stack = await startStack({
    configure(config) {
      config.admin = { host: '127.0.0.1', port: 0, tokens: [{ name: 'ops', token: ADMIN_TOKEN, role: 'admin' }] }
      config.flags = { ...TRAFFIC_ON_FLAGS, 'ai.budget.enforce': FLAG_ON, 'ai.ratelimit.enforce': FLAG_ON }
      config.budgets = { limits: { shop: { scope: 'tenant', target: CLIENT.tenant, limitUsd: 5, window: 'day' } } }
      config.rateLimits = {
        // Below the default output reservation (1024 tokens): only a call that reserves no output fits.
        rules: [{ name: 'embedding-tokens', match: { model: [TITAN, GEMINI] }, key: ['client'], tokens: { limit: 500, windowSeconds: 86_400 } }],
      }
      config.models = {
        'emb-titan': { targets: [{ provider: 'bedrock', model: TITAN }] },
        'emb-cohere': { targets: [{ provider: 'bedrock', model: COHERE }] },
        'emb-gemini': { targets: [{ provider: 'google', model: GEMINI }] },
        'emb-openai': { targets: [{ provider: 'openai', model: OPENAI }] },
        // Titan takes one text per call: a batch goes to the next target.
        'emb-titan-then-cohere': { targets: [{ provider: 'bedrock', model: TITAN }, { provider: 'bedrock', model: COHERE, weight: 0 }] },
        'emb-llama': { targets: [{ provider: 'meta', model: 'Llama-4-Maverick-17B-128E-Instruct-FP8' }] },
        chat: {
          targets: [
            { provider: 'bedrock', model: 'anthropic.claude-3-haiku-20240307-v1:0' },
            { provider: 'google', model: 'gemini-2.5-flash' },
          ],
        },
      }
    },
  })
})
afterAll(async () => {
  await stack.close()
})
beforeEach(() => {
  for (const e of [stack.emulators.bedrock, stack.emulators.gemini, stack.emulators.openai]) e.requests.clear()
})

const client = (): OpenAI => new OpenAI({ baseURL: `${stack.sluice.dataUrl}/v1`, apiKey: CLIENT.credentials.apiKey, maxRetries: 0 })

const tokens = (text: string): number => Math.max(1, Math.ceil(text.length / 4))

/** What the SDK decodes from base64: the vector as float32s. */
const float32 = (vector: number[]): number[] => Array.from(new Float32Array(vector))

const lastBody = (e: 'bedrock' | 'gemini' | 'openai'): Record<string, unknown> => stack.emulators[e].requests.last()!.body as Record<string, unknown>

async function decisionOf(response: Response): Promise<DecisionRecord> {
  return stack.decision(response.headers.get('x-sluice-request-id')!)
}

describe('unified embeddings: one virtual model per target type', () => {
  it('Titan on Bedrock: InvokeModel {inputText, dimensions, normalize}, usage from Bedrock, base64 decoded by the SDK', async () => {
    const text = 'The quick brown fox'
    const { data, response } = await client().embeddings.create({ model: 'emb-titan', input: text, dimensions: 256 }).withResponse()
    expect(response.status).toBe(200)
    expect(response.headers.get('x-sluice-provider')).toBe('bedrock')
    expect(response.headers.get('x-sluice-model')).toBe(TITAN)
    expect(data.object).toBe('list')
    expect(data.model).toBe('emb-titan')
    expect(data.data).toHaveLength(1)
    expect(data.data[0]!.index).toBe(0)
    expect(data.data[0]!.object).toBe('embedding')
    expect(Array.from(data.data[0]!.embedding)).toEqual(float32(embed(text, 256)))
    expect(data.usage).toEqual({ prompt_tokens: tokens(text), total_tokens: tokens(text) })
    const upstream = stack.emulators.bedrock.requests.last()!
    expect(decodeURIComponent(upstream.path)).toBe(`/model/${TITAN}/invoke`)
    expect(upstream.body).toEqual({ inputText: text, dimensions: 256, normalize: true })
    const decision = await decisionOf(response)
    expect(decision.operation).toBe('invoke')
    expect(decision.usage).toMatchObject({ inputTokens: tokens(text), outputTokens: 0 })
  })

  it('Titan V2 takes only 256, 512 or 1024 dimensions: anything else is refused before any call', async () => {
    const err = await rejectionOf<BadRequestError>(client().embeddings.create({ model: 'emb-titan', input: 'x', dimensions: 100 }))
    expect(err).toBeInstanceOf(BadRequestError)
    expect(err.code).toBe('SLUICE_ERR_TRANSLATION_UNSUPPORTED')
    expect(err.message).toContain('256, 512 or 1024')
    expect(stack.emulators.bedrock.requests.count).toBe(0)
  })

  it('Cohere on Bedrock: a batch as {texts, input_type}, floats when asked, usage from the invocation headers', async () => {
    const input = ['first text', 'a second, longer text']
    const { data, response } = await client().embeddings.create({ model: 'emb-cohere', input, encoding_format: 'float' }).withResponse()
    expect(data.data.map((d) => d.index)).toEqual([0, 1])
    expect(data.data.map((d) => d.embedding)).toEqual(input.map((t) => embed(t, WIDTH)))
    const prompt = tokens(input[0]!) + tokens(input[1]!)
    expect(data.usage).toEqual({ prompt_tokens: prompt, total_tokens: prompt })
    expect(lastBody('bedrock')).toEqual({ texts: input, input_type: 'search_document' })
    expect((await decisionOf(response)).usage).toMatchObject({ inputTokens: prompt })
  })

  it('Cohere: `input_type` is passed on', async () => {
    await client().embeddings.create({ model: 'emb-cohere', input: 'where is it?', input_type: 'search_query' } as OpenAI.EmbeddingCreateParams)
    expect(lastBody('bedrock').input_type).toBe('search_query')
  })

  it('Gemini: one text by :embedContent, outputDimensionality from dimensions; usage is estimated and said so', async () => {
    const text = 'Gemini embeds this'
    const { data, response } = await client().embeddings.create({ model: 'emb-gemini', input: text, dimensions: 8 }).withResponse()
    expect(Array.from(data.data[0]!.embedding)).toEqual(float32(embed(text, 8)))
    const upstream = stack.emulators.gemini.requests.last()!
    expect(upstream.path).toBe(`/v1beta/models/${GEMINI}:embedContent`)
    expect(upstream.body).toEqual({ content: { parts: [{ text }] }, outputDimensionality: 8 })
    // The Gemini API states no usage for embeddings: the request bytes / 4 (budgets' estimate.bytesPerToken).
    const estimated = Math.ceil(Buffer.byteLength(JSON.stringify(upstream.body)) / 4)
    expect(data.usage).toEqual({ prompt_tokens: estimated, total_tokens: estimated })
    const decision = (await decisionOf(response)) as DecisionRecord & { usageEstimated?: string }
    expect(decision.operation).toBe('embedContent')
    expect(decision.usage?.inputTokens).toBe(estimated)
    expect(decision.usageEstimated).toBeDefined()
  })

  it('Gemini: a batch by :batchEmbedContents, in input order', async () => {
    const input = ['one', 'two', 'three']
    const { data } = await client().embeddings.create({ model: 'emb-gemini', input, encoding_format: 'float' })
    expect(data.map((d) => d.embedding)).toEqual(input.map((t) => embed(t, WIDTH)))
    const upstream = stack.emulators.gemini.requests.last()!
    expect(upstream.path).toBe(`/v1beta/models/${GEMINI}:batchEmbedContents`)
    expect(upstream.body).toEqual({ requests: input.map((text) => ({ model: `models/${GEMINI}`, content: { parts: [{ text }] } })) })
  })

  it('OpenAI: the client body with the target model, base64 passed through, usage from the answer', async () => {
    const input = ['alpha', 'beta']
    const { data, response } = await client().embeddings.create({ model: 'emb-openai', input, dimensions: 4 }).withResponse()
    expect(lastBody('openai')).toEqual({ model: OPENAI, input, dimensions: 4, encoding_format: 'base64' })
    expect(data.model).toBe('emb-openai')
    expect(data.data.map((d) => Array.from(d.embedding))).toEqual(input.map((t) => float32(embed(t, 4))))
    expect(data.usage.prompt_tokens).toBe(tokens('alpha') + tokens('beta'))
    expect((await decisionOf(response)).operation).toBe('embeddings')
  })

  it('OpenAI: token-id input goes through (only an OpenAI target takes it)', async () => {
    const single = await client().embeddings.create({ model: 'emb-openai', input: [1, 2, 3], encoding_format: 'float' })
    expect(single.data).toHaveLength(1)
    expect(single.usage.prompt_tokens).toBe(3)
    const batch = await client().embeddings.create({ model: 'emb-openai', input: [[1, 2, 3], [4, 5]], encoding_format: 'float' })
    expect(batch.data.map((d) => d.index)).toEqual([0, 1])
    expect(batch.usage.prompt_tokens).toBe(5)
    const err = await rejectionOf<BadRequestError>(client().embeddings.create({ model: 'emb-titan', input: [1, 2, 3] }))
    expect(err.code).toBe('SLUICE_ERR_TRANSLATION_UNSUPPORTED')
    expect(err.message).toContain('token ids')
  })

  it('a batch skips Titan (one text per call) for the next target, which answers', async () => {
    const { data, response } = await client().embeddings.create({ model: 'emb-titan-then-cohere', input: ['a', 'b'] }).withResponse()
    expect(data.data).toHaveLength(2)
    expect(response.headers.get('x-sluice-model')).toBe(COHERE)
    // One text: Titan, the first target.
    const one = await client().embeddings.create({ model: 'emb-titan-then-cohere', input: 'a' }).withResponse()
    expect(one.response.headers.get('x-sluice-model')).toBe(TITAN)
  })

  it('an embedding reserves no output tokens: a token limit below the default output reservation admits it, and counts its input', async () => {
    const remaining = (r: Response): number => Number(r.headers.get('x-ratelimit-remaining-tokens'))
    const first = await client().embeddings.create({ model: 'emb-titan', input: 'limited' }).withResponse()
    expect(first.response.status).toBe(200)
    expect(first.response.headers.get('x-ratelimit-limit-tokens')).toBe('500')
    await decisionOf(first.response)
    // The next call sees the first one's tokens (its usage, as Bedrock stated it) taken from the window.
    const second = await client().embeddings.create({ model: 'emb-titan', input: 'limited' }).withResponse()
    expect(remaining(second.response)).toBeLessThan(remaining(first.response))
    expect(remaining(first.response) - remaining(second.response)).toBeGreaterThanOrEqual(tokens('limited'))
  })

  it('the spend is charged to the tenant budget', async () => {
    const spent = async (): Promise<number> => {
      const res = await fetch(`${stack.sluice.adminUrl}/v1/budgets`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
      const body = (await res.json()) as { budgets: Array<{ budget: string; spentUsd: number }> }
      return body.budgets.find((b) => b.budget === 'shop')!.spentUsd
    }
    const before = await spent()
    const { response } = await client().embeddings.create({ model: 'emb-openai', input: 'x'.repeat(4000) }).withResponse()
    await decisionOf(response)
    expect(await spent()).toBeGreaterThan(before)
  })
})

describe('unified embeddings: refusals in OpenAI error shape', () => {
  it.each([
    ['an empty string', { input: '' }, '`input` must not be an empty string'],
    ['an empty array', { input: [] }, '`input` must not be an empty array'],
    ['an empty item', { input: ['ok', ''] }, '`input[1]` must not be an empty string'],
    ['a mixed array', { input: ['ok', 3] }, '`input` must be a string'],
    ['no input', {}, '`input` must be a string'],
    ['an unknown encoding', { input: 'x', encoding_format: 'int8' }, '`encoding_format` must be "float" or "base64"'],
    ['bad dimensions', { input: 'x', dimensions: 0 }, '`dimensions` must be a positive integer'],
  ])('%s: 400 SLUICE_ERR_REQUEST_INVALID naming the field', async (_name, fields, message) => {
    const res = await fetch(`${stack.sluice.dataUrl}/v1/embeddings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${CLIENT.credentials.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'emb-openai', ...fields }),
    })
    expect(res.status).toBe(400)
    const body = (await res.json()) as { error: { message: string; type: string; code: string } }
    expect(body.error.code).toBe('SLUICE_ERR_REQUEST_INVALID')
    expect(body.error.type).toBe('invalid_request_error')
    expect(body.error.message).toContain(message)
    expect(stack.emulators.openai.requests.count).toBe(0)
  })

  it('the SDK raises BadRequestError for bad input', async () => {
    const err = await rejectionOf<BadRequestError>(client().embeddings.create({ model: 'emb-openai', input: '' }))
    expect(err).toBeInstanceOf(BadRequestError)
    expect(err.code).toBe('SLUICE_ERR_REQUEST_INVALID')
  })

  it('a virtual model whose targets are chat models: 400 naming each target', async () => {
    const err = await rejectionOf<BadRequestError>(client().embeddings.create({ model: 'chat', input: 'hello' }))
    expect(err).toBeInstanceOf(BadRequestError)
    expect(err.status).toBe(400)
    expect(err.code).toBe('SLUICE_ERR_TRANSLATION_UNSUPPORTED')
    expect(err.message).toContain('anthropic.claude-3-haiku-20240307-v1:0 is not an embedding model')
    expect(err.message).toContain('gemini-2.5-flash is not a Gemini embedding model')
    expect(stack.emulators.bedrock.requests.count + stack.emulators.gemini.requests.count).toBe(0)
  })

  it('the Llama API has no embeddings: refused, saying so', async () => {
    const err = await rejectionOf<BadRequestError>(client().embeddings.create({ model: 'emb-llama', input: 'hello' }))
    expect(err.code).toBe('SLUICE_ERR_TRANSLATION_UNSUPPORTED')
    expect(err.message).toContain('The Llama API has no embeddings endpoint')
  })

  it('an unknown virtual model: 404', async () => {
    const err = await rejectionOf<NotFoundError>(client().embeddings.create({ model: 'nope', input: 'hello' }))
    expect(err).toBeInstanceOf(NotFoundError)
    expect(err.code).toBe('SLUICE_ERR_VIRTUAL_MODEL_NOT_FOUND')
  })

  it('an upstream error keeps its status and detail', async () => {
    stack.emulators.gemini.script.enqueue({ status: 429, retryAfterSeconds: 7 })
    const err = await rejectionOf<APIError>(client().embeddings.create({ model: 'emb-gemini', input: 'hello' }))
    expect(err.status).toBe(429)
    expect(err.message).toContain('gemini: RESOURCE_EXHAUSTED')
  })

  it('the wrong method: 405', async () => {
    const res = await fetch(`${stack.sluice.dataUrl}/v1/embeddings`, { headers: { authorization: `Bearer ${CLIENT.credentials.apiKey}` } })
    expect(res.status).toBe(405)
  })
})
