// Each official SDK → Sluice → emulator, plain and streaming, over real sockets. Asserts the
// content arrives, the usage Sluice counted equals the usage the SDK saw, and Sluice's headers.
import {
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
} from '@aws-sdk/client-bedrock-runtime'
import { GoogleGenAI } from '@google/genai'
import LlamaAPIClient from 'llama-api-client'
import OpenAI from 'openai'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { rejectionOf } from '../support/rejection.js'
import { bedrockThroughSluice } from '../support/bedrock.js'
import { CLIENT, startStack, type DecisionRecord, type Stack } from '../support/stack.js'

let stack: Stack

beforeAll(async () => {
  stack = await startStack()
})
afterAll(async () => {
  await stack.close()
})
beforeEach(() => {
  stack.decisions.length = 0
})

/** The decision Sluice logged for the one request a test made (settle runs just after the response ends). */
async function onlyDecision(): Promise<DecisionRecord> {
  for (let i = 0; i < 100 && stack.decisions.length === 0; i++) await new Promise((r) => setImmediate(r))
  expect(stack.decisions).toHaveLength(1)
  return stack.decisions[0]!
}

function expectSluiceHeaders(get: (name: string) => string | null | undefined, provider: string, model: string): void {
  expect(get('x-sluice-request-id')).toMatch(/^[0-9a-f-]{36}$/)
  expect(get('x-sluice-decision')).toBe('allow')
  expect(get('x-sluice-provider')).toBe(provider)
  expect(get('x-sluice-model')).toBe(model)
  expect(Number(get('x-sluice-overhead-ms'))).toBeGreaterThanOrEqual(0)
}

describe('OpenAI SDK through Sluice', () => {
  const client = (): OpenAI => new OpenAI({ baseURL: `${stack.sluice.dataUrl}/openai/v1`, apiKey: CLIENT.credentials.apiKey, maxRetries: 0 })

  it('chat completion: content, usage counted, headers', async () => {
    const { data, response } = await client()
      .chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello there' }] })
      .withResponse()
    expect(data.choices[0]?.message.content).toBeTruthy()
    expectSluiceHeaders((n) => response.headers.get(n), 'openai', 'gpt-4o-mini')
    const record = await onlyDecision()
    expect(record).toMatchObject({ provider: 'openai', operation: 'chat.completions', client: CLIENT.id, decision: 'allow', status: 200 })
    expect(record.usage).toEqual({
      inputTokens: data.usage!.prompt_tokens,
      outputTokens: data.usage!.completion_tokens,
      cachedTokens: 0,
      reasoningTokens: 0,
    })
    // Upstream saw Sluice's key, never the client's.
    const upstream = stack.emulators.openai.requests.entries.at(-1)!
    expect(upstream.headers.authorization).not.toContain(CLIENT.credentials.apiKey)
  })

  it('chat completion stream with include_usage', async () => {
    const { data: stream, response } = await client()
      .chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'Stream to me' }],
        stream: true,
        stream_options: { include_usage: true },
      })
      .withResponse()
    let text = ''
    let usage: OpenAI.CompletionUsage | undefined | null
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? ''
      if (chunk.usage) usage = chunk.usage
    }
    expect(text.length).toBeGreaterThan(0)
    expect(response.headers.get('content-type')).toContain('text/event-stream')
    expectSluiceHeaders((n) => response.headers.get(n), 'openai', 'gpt-4o-mini')
    const record = await onlyDecision()
    expect(record.stream).toBe(true)
    expect(record.usage).toMatchObject({ inputTokens: usage!.prompt_tokens, outputTokens: usage!.completion_tokens })
  })

  it('responses API, plain and streamed', async () => {
    const plain = await client().responses.create({ model: 'gpt-4.1', input: 'Hi' })
    expect(plain.output_text.length).toBeGreaterThan(0)
    const first = await onlyDecision()
    expect(first.usage).toMatchObject({ inputTokens: plain.usage!.input_tokens, outputTokens: plain.usage!.output_tokens })

    stack.decisions.length = 0
    const stream = await client().responses.create({ model: 'gpt-4.1', input: 'Hi', stream: true })
    let completedUsage: OpenAI.Responses.ResponseUsage | undefined
    for await (const event of stream) if (event.type === 'response.completed') completedUsage = event.response.usage
    const second = await onlyDecision()
    expect(second.usage).toMatchObject({ inputTokens: completedUsage!.input_tokens, outputTokens: completedUsage!.output_tokens })
  })

  it('embeddings', async () => {
    const result = await client().embeddings.create({ model: 'text-embedding-3-small', input: 'vectors please' })
    expect(result.data[0]?.embedding.length).toBeGreaterThan(0)
    expect((await onlyDecision()).usage).toMatchObject({ inputTokens: result.usage.prompt_tokens, outputTokens: 0 })
  })
})

describe('Llama SDK through Sluice', () => {
  const client = (): LlamaAPIClient =>
    new LlamaAPIClient({ baseURL: `${stack.sluice.dataUrl}/meta/v1`, apiKey: CLIENT.credentials.apiKey, maxRetries: 0 })
  const model = 'Llama-4-Maverick-17B-128E-Instruct-FP8'
  const metric = (metrics: Array<{ metric: string; value: number }> | undefined, name: string): number | undefined =>
    metrics?.find((m) => m.metric === name)?.value

  it('native chat completion', async () => {
    const { data, response } = await client()
      .chat.completions.create({ model, messages: [{ role: 'user', content: 'Hello llama' }] })
      .withResponse()
    const content = data.completion_message.content
    expect(typeof content === 'string' ? content : content?.text).toBeTruthy()
    expectSluiceHeaders((n) => response.headers.get(n), 'meta', model)
    const record = await onlyDecision()
    expect(record.usage).toMatchObject({
      inputTokens: metric(data.metrics, 'num_prompt_tokens'),
      outputTokens: metric(data.metrics, 'num_completion_tokens'),
    })
  })

  it('native stream (no [DONE])', async () => {
    const stream = await client().chat.completions.create({ model, messages: [{ role: 'user', content: 'Stream llama' }], stream: true })
    let text = ''
    let metrics: Array<{ metric: string; value: number }> | undefined
    for await (const chunk of stream) {
      const delta = chunk.event.delta
      if (delta?.type === 'text') text += delta.text
      if (chunk.event.metrics) metrics = chunk.event.metrics
    }
    expect(text.length).toBeGreaterThan(0)
    const record = await onlyDecision()
    expect(record.usage).toMatchObject({
      inputTokens: metric(metrics, 'num_prompt_tokens'),
      outputTokens: metric(metrics, 'num_completion_tokens'),
    })
  })
})

describe('Gemini SDK through Sluice', () => {
  const client = (): GoogleGenAI =>
    new GoogleGenAI({ apiKey: CLIENT.credentials.apiKey, httpOptions: { baseUrl: `${stack.sluice.dataUrl}/google` } })

  it('generateContent', async () => {
    const result = await client().models.generateContent({ model: 'gemini-2.5-flash', contents: 'Hello gemini' })
    expect(result.text).toBeTruthy()
    const headers = result.sdkHttpResponse?.headers ?? {}
    expectSluiceHeaders((n) => headers[n], 'google', 'gemini-2.5-flash')
    const record = await onlyDecision()
    expect(record).toMatchObject({ operation: 'generateContent', client: CLIENT.id })
    expect(record.usage).toMatchObject({
      inputTokens: result.usageMetadata!.promptTokenCount,
      outputTokens: result.usageMetadata!.candidatesTokenCount,
    })
  })

  it('generateContentStream (SSE)', async () => {
    const stream = await client().models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'Stream gemini' })
    let text = ''
    let last: { promptTokenCount?: number; candidatesTokenCount?: number } | undefined
    for await (const chunk of stream) {
      text += chunk.text ?? ''
      if (chunk.usageMetadata) last = chunk.usageMetadata
    }
    expect(text.length).toBeGreaterThan(0)
    const record = await onlyDecision()
    expect(record).toMatchObject({ operation: 'streamGenerateContent', stream: true })
    expect(record.usage).toMatchObject({ inputTokens: last!.promptTokenCount, outputTokens: last!.candidatesTokenCount })
  })

  it('streamGenerateContent as a JSON array (no alt=sse)', async () => {
    const res = await fetch(`${stack.sluice.dataUrl}/google/v1beta/models/gemini-2.5-flash:streamGenerateContent`, {
      method: 'POST',
      headers: { 'x-goog-api-key': CLIENT.credentials.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'array stream' }] }] }),
    })
    expect(res.status).toBe(200)
    const items = JSON.parse(await res.text()) as Array<{ usageMetadata?: { promptTokenCount: number; candidatesTokenCount: number } }>
    const usage = items.at(-1)!.usageMetadata!
    expect((await onlyDecision()).usage).toMatchObject({ inputTokens: usage.promptTokenCount, outputTokens: usage.candidatesTokenCount })
  })
})

describe('Bedrock SDK through Sluice (default HTTP/2 handler)', () => {
  const modelId = 'anthropic.claude-3-haiku-20240307-v1:0'
  let headers: Record<string, string> = {}
  const client = (secretAccessKey: string = CLIENT.credentials.secretAccessKey): BedrockRuntimeClient =>
    bedrockThroughSluice(stack.sluice.dataUrl, { secretAccessKey, onHeaders: (h) => (headers = h) })

  it('Converse', async () => {
    const c = client()
    const out = await c.send(new ConverseCommand({ modelId, messages: [{ role: 'user', content: [{ text: 'Hello bedrock' }] }] }))
    c.destroy()
    expect(out.output?.message?.content?.[0]?.text).toBeTruthy()
    expectSluiceHeaders((n) => headers[n], 'bedrock', modelId)
    const record = await onlyDecision()
    expect(record).toMatchObject({ operation: 'converse', client: CLIENT.id })
    expect(record.usage).toMatchObject({ inputTokens: out.usage!.inputTokens, outputTokens: out.usage!.outputTokens })
  })

  it('ConverseStream (binary event stream)', async () => {
    const c = client()
    const out = await c.send(new ConverseStreamCommand({ modelId, messages: [{ role: 'user', content: [{ text: 'Stream bedrock' }] }] }))
    let text = ''
    let usage: { inputTokens?: number; outputTokens?: number } | undefined
    for await (const event of out.stream!) {
      text += event.contentBlockDelta?.delta?.text ?? ''
      if (event.metadata?.usage) usage = event.metadata.usage
    }
    c.destroy()
    expect(text.length).toBeGreaterThan(0)
    const record = await onlyDecision()
    expect(record).toMatchObject({ operation: 'converse-stream', stream: true })
    expect(record.usage).toMatchObject({ inputTokens: usage!.inputTokens, outputTokens: usage!.outputTokens })
  })

  it('InvokeModel (token counts from headers)', async () => {
    const c = client()
    const body = JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] })
    await c.send(new InvokeModelCommand({ modelId, body, contentType: 'application/json' }))
    c.destroy()
    const record = await onlyDecision()
    expect(record.operation).toBe('invoke')
    expect(record.usage).toMatchObject({
      inputTokens: Number(headers['x-amzn-bedrock-input-token-count']),
      outputTokens: Number(headers['x-amzn-bedrock-output-token-count']),
    })
    expect(record.usage!.inputTokens).toBeGreaterThan(0)
  })

  it('InvokeModelWithResponseStream (invocation metrics in the last chunk)', async () => {
    const c = client()
    const body = JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] })
    const out = await c.send(new InvokeModelWithResponseStreamCommand({ modelId, body, contentType: 'application/json' }))
    let metrics: { inputTokenCount: number; outputTokenCount: number } | undefined
    for await (const event of out.body!) {
      const json = JSON.parse(Buffer.from(event.chunk!.bytes!).toString('utf8')) as Record<string, unknown>
      const m = json['amazon-bedrock-invocationMetrics'] as typeof metrics
      if (m) metrics = m
    }
    c.destroy()
    const record = await onlyDecision()
    expect(record.operation).toBe('invoke-stream')
    expect(record.usage).toMatchObject({ inputTokens: metrics!.inputTokenCount, outputTokens: metrics!.outputTokenCount })
  })

  it('refuses a client whose secret is wrong, and nothing reaches upstream', async () => {
    const before = stack.emulators.bedrock.requests.stats().total
    const c = client('not-the-right-secret-at-all')
    const err = await rejectionOf<Error & { $metadata?: { httpStatusCode?: number } }>(
      c.send(new ConverseCommand({ modelId, messages: [{ role: 'user', content: [{ text: 'let me in' }] }] })),
    )
    c.destroy()
    expect(err.$metadata?.httpStatusCode).toBe(403)
    expect(err.message).toContain('SLUICE_ERR_AUTH_INVALID')
    expect(stack.emulators.bedrock.requests.stats().total).toBe(before)
    expect((await onlyDecision()).code).toBe('SLUICE_ERR_AUTH_INVALID')
  })
})
