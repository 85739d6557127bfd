// Each official SDK against its emulator directly: if these pass, the emulators are
// faithful enough to stand in for the real providers in proxy tests, benchmarks and the demo.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  CountTokensCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
  type ConverseStreamOutput,
} from '@aws-sdk/client-bedrock-runtime'
import { Hash } from '@smithy/hash-node'
import { HttpRequest } from '@smithy/protocol-http'
import { SignatureV4 } from '@smithy/signature-v4'
import { GoogleGenAI } from '@google/genai'
import LlamaAPIClient from 'llama-api-client'
import OpenAI from 'openai'
import { EMULATOR_CREDENTIALS, EMULATOR_TYPES, startEmulators, type Emulators, type EmulatorType } from '../../src/emulators/index.js'

const HAIKU = 'anthropic.claude-3-haiku-20240307-v1:0'
// Default replies are 8 words (= output tokens) split into 4 deltas.
const haikuReply = `Hello from ${HAIKU}. This is a deterministic emulator`

let emulators: Emulators
let bedrock: BedrockRuntimeClient
const creds = EMULATOR_CREDENTIALS

beforeAll(async () => {
  emulators = await startEmulators({ auth: EMULATOR_CREDENTIALS })
  bedrock = newBedrock(creds.bedrock.secretAccessKey)
})

afterAll(async () => {
  bedrock.destroy()
  await emulators.close()
})

beforeEach(() => {
  for (const type of EMULATOR_TYPES) emulators[type].script.reset()
})

function newBedrock(secretAccessKey: string, accessKeyId = creds.bedrock.accessKeyId): BedrockRuntimeClient {
  // maxAttempts 1: scripted failures must reach the test, not the SDK's retry loop.
  return new BedrockRuntimeClient({ region: 'us-east-1', endpoint: emulators.bedrock.url, credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 })
}

const converseInput = {
  modelId: HAIKU,
  system: [{ text: 'Be brief.' }],
  messages: [{ role: 'user' as const, content: [{ text: 'Hello there, emulator!' }] }],
}

/** Credentials for a raw fetch; Bedrock takes its API key as a bearer token. */
function authHeaders(type: EmulatorType): Record<string, string> {
  if (type === 'gemini') return { 'x-goog-api-key': creds.gemini.apiKey }
  return { authorization: `Bearer ${type === 'bedrock' ? creds.bedrock.apiKey : creds[type].apiKey}` }
}

async function collect<T>(iterable: AsyncIterable<T>, into: T[] = []): Promise<T[]> {
  for await (const item of iterable) into.push(item)
  return into
}

describe('Bedrock Runtime (SigV4 over h2c)', () => {
  it('Converse returns the reply, usage and metrics', async () => {
    const out = await bedrock.send(new ConverseCommand(converseInput))
    expect(out.output?.message?.content).toEqual([{ text: haikuReply }])
    expect(out.stopReason).toBe('end_turn')
    // 9 + 22 prompt characters → ceil(31 / 4) = 8 input tokens.
    expect(out.usage).toEqual({ inputTokens: 8, outputTokens: 8, totalTokens: 16 })
    expect(out.metrics).toEqual({ latencyMs: 0 })
    const seen = emulators.bedrock.requests.last()
    expect(seen?.path).toBe('/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse')
    expect(seen?.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAEMULATOR0EXAMPLE\//)
  })

  it('ConverseStream sends eventstream deltas and a metadata event with usage', async () => {
    const out = await bedrock.send(new ConverseStreamCommand(converseInput))
    const events = await collect(out.stream!)
    const deltas = events.flatMap((e) => (e.contentBlockDelta?.delta?.text === undefined ? [] : [e.contentBlockDelta.delta.text]))
    expect(deltas).toHaveLength(4)
    expect(deltas.join('')).toBe(haikuReply)
    expect(events[0]?.messageStart).toEqual({ role: 'assistant' })
    expect(events.at(-2)?.messageStop).toEqual({ stopReason: 'end_turn' })
    expect(events.at(-1)?.metadata).toEqual({ usage: { inputTokens: 8, outputTokens: 8, totalTokens: 16 }, metrics: { latencyMs: 0 } })
  })

  it('InvokeModel answers an Anthropic Messages body, capped by max_tokens', async () => {
    const body = { anthropic_version: 'bedrock-2023-05-31', max_tokens: 5, messages: [{ role: 'user', content: 'Hello there, emulator!' }] }
    const out = await bedrock.send(new InvokeModelCommand({ modelId: HAIKU, contentType: 'application/json', body: JSON.stringify(body) }))
    const message = JSON.parse(Buffer.from(out.body).toString('utf8')) as Record<string, unknown>
    expect(message).toMatchObject({
      type: 'message',
      role: 'assistant',
      content: [{ type: 'text', text: `Hello from ${HAIKU}. This is` }],
      stop_reason: 'max_tokens',
      usage: { input_tokens: 6, output_tokens: 5 },
    })
  })

  it('InvokeModelWithResponseStream sends base64 chunks ending with invocation metrics', async () => {
    const body = { anthropic_version: 'bedrock-2023-05-31', max_tokens: 100, messages: [{ role: 'user', content: 'Hello there, emulator!' }] }
    const out = await bedrock.send(new InvokeModelWithResponseStreamCommand({ modelId: HAIKU, body: JSON.stringify(body) }))
    const chunks = (await collect(out.body!)).map((e) => JSON.parse(Buffer.from(e.chunk!.bytes!).toString('utf8')) as Record<string, unknown>)
    const text = chunks.map((c) => (c.type === 'content_block_delta' ? (c.delta as { text: string }).text : '')).join('')
    expect(text).toBe(haikuReply)
    expect(chunks.at(-1)).toEqual({
      type: 'message_stop',
      'amazon-bedrock-invocationMetrics': { inputTokenCount: 6, outputTokenCount: 8, invocationLatency: 0, firstByteLatency: 0 },
    })
  })

  it('CountTokens counts a Converse input', async () => {
    const out = await bedrock.send(new CountTokensCommand({ modelId: HAIKU, input: { converse: { messages: converseInput.messages } } }))
    expect(out.inputTokens).toBe(6)
  })

  it('decodes percent-encoded inference-profile ARNs', async () => {
    const arn = 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-haiku-20240307-v1:0'
    const out = await bedrock.send(new ConverseCommand({ ...converseInput, modelId: arn }))
    expect(out.output?.message?.content?.[0]?.text).toContain(`from ${arn}.`)
    expect(emulators.bedrock.requests.last()?.path).toContain('inference-profile%2Fus.anthropic')
  })

  it('refuses a wrong secret or an unknown access key', async () => {
    const wrongSecret = newBedrock('not-the-secret')
    const unknownKey = newBedrock(creds.bedrock.secretAccessKey, 'AKIAUNKNOWN000000000')
    try {
      await expect(wrongSecret.send(new ConverseCommand(converseInput))).rejects.toMatchObject({
        name: 'InvalidSignatureException',
        $metadata: { httpStatusCode: 403 },
      })
      await expect(unknownKey.send(new ConverseCommand(converseInput))).rejects.toMatchObject({ name: 'UnrecognizedClientException' })
    } finally {
      wrongSecret.destroy()
      unknownKey.destroy()
    }
  })

  it('verifies a SigV4 signature over HTTP/1.1, signed with host as a proxy would', async () => {
    const url = new URL(`${emulators.bedrock.url}/model/${encodeURIComponent(HAIKU)}/converse`)
    const body = JSON.stringify({ messages: converseInput.messages })
    const signer = new SignatureV4({ service: 'bedrock', region: 'us-east-1', sha256: Hash.bind(null, 'sha256'), credentials: creds.bedrock })
    const signed = await signer.sign(
      new HttpRequest({ method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: url.pathname, headers: { host: url.host, 'content-type': 'application/json' }, body }),
    )
    const res = await fetch(url, { method: 'POST', headers: signed.headers, body })
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ usage: { inputTokens: 6, outputTokens: 8 } })
  })

  it('accepts the Bedrock API key as a bearer token and reports token-count headers', async () => {
    const res = await fetch(`${emulators.bedrock.url}/model/${encodeURIComponent(HAIKU)}/invoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${creds.bedrock.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ max_tokens: 3, messages: [{ role: 'user', content: 'Hi' }] }),
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('x-amzn-bedrock-input-token-count')).toBe('1')
    expect(res.headers.get('x-amzn-bedrock-output-token-count')).toBe('3')
  })

  it('throttles with a scripted ThrottlingException', async () => {
    emulators.bedrock.script.enqueue({ status: 429 })
    await expect(bedrock.send(new ConverseCommand(converseInput))).rejects.toMatchObject({
      name: 'ThrottlingException',
      $metadata: { httpStatusCode: 429 },
    })
    await expect(bedrock.send(new ConverseCommand(converseInput))).resolves.toBeDefined()
  })

  it('resets the HTTP/2 stream before answering, leaving the session usable', async () => {
    emulators.bedrock.script.enqueue({ reset: true })
    await expect(bedrock.send(new ConverseCommand(converseInput))).rejects.toThrow()
    await expect(bedrock.send(new ConverseCommand(converseInput))).resolves.toBeDefined()
  })

  it('breaks a ConverseStream mid-stream after the scripted number of frames', async () => {
    emulators.bedrock.script.enqueue({ breakAfterChunks: 2 })
    const out = await bedrock.send(new ConverseStreamCommand(converseInput))
    const events: ConverseStreamOutput[] = []
    await expect(collect(out.stream!, events)).rejects.toThrow()
    expect(events).toHaveLength(2)
  })
})

describe('Gemini', () => {
  const model = 'gemini-2.0-flash'
  const reply = `Hello from ${model}. This is a deterministic emulator`
  const genai = (apiKey = creds.gemini.apiKey): GoogleGenAI => new GoogleGenAI({ apiKey, httpOptions: { baseUrl: emulators.gemini.url } })

  it('generateContent returns text and usageMetadata', async () => {
    const out = await genai().models.generateContent({ model, contents: 'Hello Gemini' })
    expect(out.text).toBe(reply)
    expect(out.usageMetadata).toMatchObject({ promptTokenCount: 3, candidatesTokenCount: 8, totalTokenCount: 11 })
    expect(emulators.gemini.requests.last()?.path).toBe(`/v1beta/models/${model}:generateContent`)
  })

  it('generateContentStream streams SSE chunks with running usage', async () => {
    const chunks = await collect(await genai().models.generateContentStream({ model, contents: 'Hello Gemini' }))
    expect(chunks.map((c) => c.text).join('')).toBe(reply)
    expect(chunks.map((c) => c.usageMetadata?.candidatesTokenCount)).toEqual([2, 4, 6, 8])
    expect(chunks.at(-1)?.candidates?.[0]?.finishReason).toBe('STOP')
    expect(emulators.gemini.requests.last()?.query).toBe('alt=sse')
  })

  it('countTokens counts the contents', async () => {
    expect((await genai().models.countTokens({ model, contents: 'Hello Gemini' })).totalTokens).toBe(3)
  })

  it('streams a JSON array without alt=sse and takes the key from ?key=', async () => {
    const res = await fetch(`${emulators.gemini.url}/v1beta/models/${model}:streamGenerateContent?key=${creds.gemini.apiKey}`, {
      method: 'POST',
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'Hello Gemini' }] }] }),
    })
    const text = await res.text()
    expect(text.startsWith('[{')).toBe(true)
    expect(text).toContain('\n,\r\n{')
    const items = JSON.parse(text) as { usageMetadata: { totalTokenCount: number } }[]
    expect(items).toHaveLength(4)
    expect(items.at(-1)?.usageMetadata.totalTokenCount).toBe(11)
  })

  it('refuses a wrong key with PERMISSION_DENIED', async () => {
    await expect(genai('wrong').models.generateContent({ model, contents: 'Hello Gemini' })).rejects.toMatchObject({ status: 403 })
  })
})

describe('Llama API', () => {
  const model = 'Llama-4-Maverick-17B-128E-Instruct-FP8'
  const reply = `Hello from ${model}. This is a deterministic emulator`
  const llama = (): LlamaAPIClient => new LlamaAPIClient({ apiKey: creds.llama.apiKey, baseURL: `${emulators.llama.url}/v1`, maxRetries: 0 })
  const messages = [{ role: 'user' as const, content: 'Hello Llama' }]

  it('create returns completion_message and token metrics', async () => {
    const out = await llama().chat.completions.create({ model, messages })
    expect(out.completion_message).toEqual({ role: 'assistant', stop_reason: 'stop', content: { type: 'text', text: reply } })
    expect(out.metrics?.map((m) => [m.metric, m.value])).toEqual([
      ['num_prompt_tokens', 3],
      ['num_completion_tokens', 8],
      ['num_total_tokens', 11],
    ])
  })

  it('streams start, progress, complete and metrics events', async () => {
    const chunks = await collect(await llama().chat.completions.create({ model, messages, stream: true }))
    expect(chunks.map((c) => c.event.event_type)).toEqual(['start', 'progress', 'progress', 'progress', 'progress', 'complete', 'metrics'])
    expect(chunks.map((c) => (c.event.delta.type === 'text' ? c.event.delta.text : '')).join('')).toBe(reply)
    expect(chunks.at(-1)?.event.metrics?.find((m) => m.metric === 'num_completion_tokens')?.value).toBe(8)
  })

  it('never sends [DONE] on the native stream', async () => {
    const res = await fetch(`${emulators.llama.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${creds.llama.apiKey}` },
      body: JSON.stringify({ model, messages, stream: true }),
    })
    expect(await res.text()).not.toContain('[DONE]')
  })

  it('serves the OpenAI-compatible endpoint to the OpenAI SDK', async () => {
    const compat = new OpenAI({ apiKey: creds.llama.apiKey, baseURL: `${emulators.llama.url}/compat/v1`, maxRetries: 0 })
    const out = await compat.chat.completions.create({ model, messages })
    expect(out.choices[0]?.message.content).toBe(reply)
    expect(out.usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 8, total_tokens: 11 })
  })

  it('refuses a wrong bearer key', async () => {
    const client = new LlamaAPIClient({ apiKey: 'wrong', baseURL: `${emulators.llama.url}/v1`, maxRetries: 0 })
    await expect(client.chat.completions.create({ model, messages })).rejects.toMatchObject({ status: 401 })
  })
})

describe('OpenAI', () => {
  const model = 'gpt-4o-mini'
  const reply = `Hello from ${model}. This is a deterministic emulator`
  const messages = [{ role: 'user' as const, content: 'Hello OpenAI' }]
  const openai = (apiKey = creds.openai.apiKey): OpenAI => new OpenAI({ apiKey, baseURL: `${emulators.openai.url}/v1`, maxRetries: 0 })

  it('chat.completions.create returns the reply and usage', async () => {
    const out = await openai().chat.completions.create({ model, messages })
    expect(out.choices[0]?.message.content).toBe(reply)
    expect(out.choices[0]?.finish_reason).toBe('stop')
    expect(out.usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 8, total_tokens: 11 })
    expect(emulators.openai.requests.last()?.headers.authorization).toBe(`Bearer ${creds.openai.apiKey}`)
  })

  it('streams chat chunks with a final usage chunk when include_usage is set', async () => {
    const stream = await openai().chat.completions.create({ model, messages, stream: true, stream_options: { include_usage: true } })
    const chunks = await collect(stream)
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe(reply)
    expect(chunks.at(-1)?.choices).toEqual([])
    expect(chunks.at(-1)?.usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 8, total_tokens: 11 })
  })

  it('responses.create returns output_text and usage', async () => {
    const out = await openai().responses.create({ model, input: 'Hello OpenAI' })
    expect(out.output_text).toBe(reply)
    expect(out.usage).toMatchObject({ input_tokens: 3, output_tokens: 8, total_tokens: 11 })
  })

  it('streams responses events ending in response.completed with usage', async () => {
    const events = await collect(await openai().responses.create({ model, input: 'Hello OpenAI', stream: true }))
    const text = events.map((e) => (e.type === 'response.output_text.delta' ? e.delta : '')).join('')
    expect(text).toBe(reply)
    const last = events.at(-1)
    expect(last?.type).toBe('response.completed')
    expect(last?.type === 'response.completed' ? last.response.usage : undefined).toMatchObject({ input_tokens: 3, output_tokens: 8 })
  })

  it('embeddings decode from the base64 the SDK asks for', async () => {
    const out = await openai().embeddings.create({ model: 'text-embedding-3-small', input: ['Hello', 'OpenAI'] })
    expect(out.data).toHaveLength(2)
    expect(out.data[0]?.embedding).toHaveLength(16)
    expect(out.usage).toEqual({ prompt_tokens: 4, total_tokens: 4 })
  })

  it('refuses a wrong key with 401', async () => {
    await expect(openai('sk-wrong').chat.completions.create({ model, messages })).rejects.toMatchObject({ status: 401, code: 'invalid_api_key' })
  })

  it('throttles with a scripted 429 carrying retry-after', async () => {
    emulators.openai.script.enqueue({ status: 429, retryAfterSeconds: 7 })
    const err: unknown = await openai().chat.completions.create({ model, messages }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(OpenAI.RateLimitError)
    expect(err).toMatchObject({ status: 429, code: 'rate_limit_exceeded' })
    expect((err as InstanceType<typeof OpenAI.RateLimitError>).headers.get('retry-after')).toBe('7')
  })

  it('breaks a chat stream mid-way so the SDK throws', async () => {
    emulators.openai.script.enqueue({ breakAfterChunks: 2 })
    const chunks: OpenAI.Chat.ChatCompletionChunk[] = []
    await expect(collect(await openai().chat.completions.create({ model, messages, stream: true }), chunks)).rejects.toThrow()
    expect(chunks).toHaveLength(2)
  })

  it('resets the connection before answering', async () => {
    emulators.openai.script.enqueue({ reset: true })
    await expect(openai().chat.completions.create({ model, messages })).rejects.toBeInstanceOf(OpenAI.APIConnectionError)
  })
})

describe('control endpoints and bad input', () => {
  it('scripts over HTTP and reports stats', async () => {
    const { url } = emulators.openai
    const scripted = await fetch(`${url}/__emulator/script`, { method: 'POST', body: JSON.stringify([{ status: 503 }]) })
    expect(await scripted.json()).toEqual({ pending: 1 })
    const before = emulators.openai.requests.count
    const res = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${creds.openai.apiKey}` },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [] }),
    })
    expect(res.status).toBe(503)
    expect(await res.json()).toMatchObject({ error: { type: 'server_error' } })
    const stats = (await (await fetch(`${url}/__emulator/stats`)).json()) as { total: number; pending: number }
    expect(stats).toMatchObject({ total: before + 1, pending: 0 })
  })

  it('rejects an invalid behaviour', async () => {
    const res = await fetch(`${emulators.gemini.url}/__emulator/script`, { method: 'POST', body: JSON.stringify({ latencyMs: -1 }) })
    expect(res.status).toBe(400)
  })

  it.each([
    ['bedrock', `/model/${encodeURIComponent(HAIKU)}/converse`],
    ['bedrock', `/model/${encodeURIComponent(HAIKU)}/count-tokens`],
    ['gemini', '/v1beta/models/gemini-2.0-flash:streamGenerateContent'],
    ['llama', '/v1/chat/completions'],
    ['openai', '/v1/responses'],
    ['openai', '/v1/embeddings'],
  ] as const)('survives odd bodies on %s %s', async (type, path) => {
    const odd = ['[]', 'null', '5', '{"messages":5,"contents":{"x":1},"input":[[1,2],{"a":1}],"stream":true}', '{"model":7}', '{"input":{}}']
    for (const body of odd) {
      const res = await fetch(`${emulators[type].url}${path}`, { method: 'POST', headers: authHeaders(type), body })
      expect(res.status).toBeLessThan(500)
      await res.arrayBuffer()
    }
  })

  it('answers malformed JSON with a provider-format 400', async () => {
    const res = await fetch(`${emulators.gemini.url}/v1beta/models/gemini-2.0-flash:generateContent`, {
      method: 'POST',
      headers: { 'x-goog-api-key': creds.gemini.apiKey },
      body: '{not json',
    })
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ error: { code: 400, status: 'INVALID_ARGUMENT' } })
  })
})
