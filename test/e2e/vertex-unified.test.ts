// Vertex AI targets of virtual models on the unified endpoint, through the official openai SDK.
// Google's models: the chat request goes out as Gemini's body on the publisher path of the
// provider's own project and location, with Sluice's Google token, and comes back as OpenAI's
// answer and chunks with usage. A fallback from Vertex to the Gemini API shows the two are one
// translation with two addresses. Anthropic's models: the same request as Anthropic's Messages
// body on rawPredict / streamRawPredict (the emulator refuses what Claude would refuse:
// anthropic-check.ts), answers, tool calls, stop reasons, usage and errors translated back, and
// fallbacks between a Claude and a Gemini target on the one Vertex provider.
import OpenAI, { BadRequestError, InternalServerError } from 'openai'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { rejectionOf } from '../support/rejection.js'
import { CLIENT } from '../support/stack.js'
import { LOCATION, PROJECT, startVertexStack, type VertexStack } from '../support/vertex.js'

let stack: VertexStack
const CLAUDE = 'anthropic/claude-sonnet-4@20250514'
const ADMIN_TOKEN = 'vertex-unified-ops-token-0123456789'

beforeAll(async () => {
  stack = await startVertexStack((config) => {
    config.models = {
      'chat-vertex': { targets: [{ provider: 'vertex', model: 'gemini-2.0-flash' }] },
      // The resource form of the same model is the same target.
      'chat-vertex-resource': { targets: [{ provider: 'vertex', model: 'publishers/google/models/gemini-2.0-flash' }] },
      'vertex-then-gemini': { targets: [{ provider: 'vertex', model: 'gemini-2.0-flash' }, { provider: 'google', model: 'gemini-2.5-flash', weight: 0 }] },
      'chat-claude-vertex': { targets: [{ provider: 'vertex', model: CLAUDE }] },
      'claude-then-gemini': { targets: [{ provider: 'vertex', model: CLAUDE }, { provider: 'vertex', model: 'gemini-2.0-flash', weight: 0 }] },
      'gemini-then-claude': { targets: [{ provider: 'vertex', model: 'gemini-2.0-flash' }, { provider: 'vertex', model: CLAUDE, weight: 0 }] },
      // A bare Claude id names no Google model: refused with the name it should have.
      'claude-bare': { targets: [{ provider: 'vertex', model: 'claude-sonnet-4@20250514' }] },
    }
    config.admin = { host: '127.0.0.1', port: 0, tokens: [{ name: 'ops', token: ADMIN_TOKEN, role: 'admin' }] }
    config.budgets = { limits: { 'claude-spend': { scope: 'model', target: CLAUDE, limitUsd: 5, window: 'day' } } }
    // One attempt per target and no circuit, so each scripted failure is one target's.
    config.resilience = { retries: { maxRetries: 0 }, circuitBreaker: { enabled: false } }
  })
})
afterAll(async () => {
  await stack?.close()
})
beforeEach(() => {
  stack.decisions.length = 0
  stack.vertex.script.reset()
})

const openai = (): OpenAI => new OpenAI({ baseURL: `${stack.sluice.dataUrl}/v1`, apiKey: CLIENT.credentials.apiKey, maxRetries: 0 })
const UPSTREAM = `/v1/projects/${PROJECT}/locations/${LOCATION}/publishers/google/models/gemini-2.0-flash`

describe('unified endpoint → Vertex AI', () => {
  it.each(['chat-vertex', 'chat-vertex-resource'])('%s: chat.completion with usage', async (model) => {
    const { data, response } = await openai().chat.completions.create({ model, messages: [{ role: 'user', content: 'Hello unified vertex' }] }).withResponse()
    expect(data.choices[0]!.message.content).toContain('Hello from gemini-2.0-flash.')
    expect(response.headers.get('x-sluice-provider')).toBe('vertex')
    expect(response.headers.get('x-sluice-model')).toBe('gemini-2.0-flash')
    const upstream = stack.vertex.requests.last()!
    expect(upstream.path).toBe(`${UPSTREAM}:generateContent`)
    expect(upstream.headers.authorization).toMatch(/^Bearer ya29\.emulator-/)
    expect(data.usage!.prompt_tokens).toBeGreaterThan(0)
    const record = await stack.decision(response.headers.get('x-sluice-request-id')!)
    expect(record.usage).toMatchObject({ inputTokens: data.usage!.prompt_tokens, outputTokens: data.usage!.completion_tokens })
  })

  it('streamed: chunks and the usage chunk', async () => {
    const { data: stream, response } = await openai()
      .chat.completions.create({
        model: 'chat-vertex',
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: 'user', content: 'Stream unified vertex' }],
      })
      .withResponse()
    let text = ''
    let usage: OpenAI.CompletionUsage | undefined
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? ''
      if (chunk.usage) usage = chunk.usage
    }
    expect(text).toContain('Hello from gemini-2.0-flash.')
    const upstream = stack.vertex.requests.last()!
    expect(upstream.path).toBe(`${UPSTREAM}:streamGenerateContent`)
    expect(upstream.query).toBe('alt=sse')
    expect(usage!.completion_tokens).toBeGreaterThan(0)
    const record = await stack.decision(response.headers.get('x-sluice-request-id')!)
    expect(record.usage).toMatchObject({ inputTokens: usage!.prompt_tokens, outputTokens: usage!.completion_tokens })
  })

  it('a Vertex 503 falls back to the Gemini API target', async () => {
    stack.vertex.script.enqueue({ status: 503 }, { status: 503 }, { status: 503 })
    const { data, response } = await openai().chat.completions.create({ model: 'vertex-then-gemini', messages: [{ role: 'user', content: 'fall back' }] }).withResponse()
    expect(response.headers.get('x-sluice-fallback')).toBe('google/gemini-2.5-flash')
    expect(data.choices[0]!.message.content).toContain('Hello from gemini-2.5-flash.')
  })
})

const CLAUDE_UPSTREAM = `/v1/projects/${PROJECT}/locations/${LOCATION}/publishers/anthropic/models/claude-sonnet-4@20250514`
const weather: OpenAI.ChatCompletionTool = {
  type: 'function',
  function: { name: 'get_weather', description: 'Weather now', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
}

/** The Messages body the emulator got. */
const sentBody = (): Record<string, unknown> => stack.vertex.requests.last()!.body as Record<string, unknown>

async function metricsText(): Promise<string> {
  return (await fetch(`${stack.sluice.adminUrl}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).text()
}

describe('unified endpoint → Claude on Vertex AI', () => {
  it('chat.completion: the Messages body on rawPredict, the answer and its usage back, counted by the decision log, metrics and budget', async () => {
    const { data, response } = await openai()
      .chat.completions.create({ model: 'chat-claude-vertex', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hello unified Claude' }], temperature: 0.5 })
      .withResponse()
    expect(data.choices[0]).toMatchObject({ message: { role: 'assistant', content: 'Hello from claude-sonnet-4@20250514. This is a deterministic emulator' }, finish_reason: 'stop' })
    expect(data.model).toBe('chat-claude-vertex')
    expect(response.headers.get('x-sluice-provider')).toBe('vertex')
    const upstream = stack.vertex.requests.last()!
    expect(upstream.path).toBe(`${CLAUDE_UPSTREAM}:rawPredict`)
    expect(upstream.headers.authorization).toMatch(/^Bearer ya29\.emulator-/)
    expect(sentBody()).toEqual({
      anthropic_version: 'vertex-2023-10-16',
      max_tokens: 4096,
      system: [{ type: 'text', text: 'Be brief.' }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello unified Claude' }] }],
      temperature: 0.5,
    })
    // The emulator counts ceil(prompt characters / 4): "Be brief." + "Hello unified Claude" = 29.
    expect(data.usage).toEqual({ prompt_tokens: 8, completion_tokens: 8, total_tokens: 16 })
    const record = await stack.decision(response.headers.get('x-sluice-request-id')!)
    expect(record).toMatchObject({ provider: 'vertex', model: CLAUDE, operation: 'rawPredict', stream: false, usage: { inputTokens: 8, outputTokens: 8 } })
    expect(await metricsText()).toMatch(/sluice_tokens_total\{provider="vertex",model="anthropic\/claude-sonnet-4@20250514",kind="output"\} [1-9]/)
    const budgets = (await (await fetch(`${stack.sluice.adminUrl}/v1/budgets`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json()) as { budgets: { budget: string; spentUsd: number }[] }
    expect(budgets.budgets.find((b) => b.budget === 'claude-spend')!.spentUsd).toBeGreaterThan(0)
  })

  it('streamed with include_usage: streamRawPredict, text deltas, one finish, the usage chunk last, as the decision log counts it', async () => {
    stack.vertex.script.enqueue({ outputTokens: 12, chunks: 4 })
    const { data: stream, response } = await openai()
      .chat.completions.create({ model: 'chat-claude-vertex', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Stream unified Claude' }] })
      .withResponse()
    const chunks: OpenAI.ChatCompletionChunk[] = []
    for await (const chunk of stream) chunks.push(chunk)
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')
    expect(text.split(' ')).toHaveLength(12)
    expect(text.startsWith('Hello from claude-sonnet-4@20250514.')).toBe(true)
    expect(chunks.filter((c) => c.choices[0]?.finish_reason).map((c) => c.choices[0]!.finish_reason)).toEqual(['stop'])
    expect(chunks.filter((c) => c.choices[0]?.delta.content).length).toBe(4)
    const last = chunks.at(-1)!
    expect(last.choices).toEqual([])
    expect(last.usage).toEqual({ prompt_tokens: 6, completion_tokens: 12, total_tokens: 18 })
    expect(stack.vertex.requests.last()!.path).toBe(`${CLAUDE_UPSTREAM}:streamRawPredict`)
    expect(sentBody()).toMatchObject({ stream: true })
    const record = await stack.decision(response.headers.get('x-sluice-request-id')!)
    expect(record).toMatchObject({ operation: 'streamRawPredict', stream: true, usage: { inputTokens: 6, outputTokens: 12 } })
  })

  it('a forced tool call comes back as tool_calls, and its result goes back as a tool_result Claude accepts', async () => {
    const question: OpenAI.ChatCompletionMessageParam = { role: 'user', content: 'Weather in Paris?' }
    const first = await openai().chat.completions.create({ model: 'chat-claude-vertex', messages: [question], tools: [weather], tool_choice: 'required' })
    expect(sentBody()).toMatchObject({ tools: [{ name: 'get_weather', description: 'Weather now', input_schema: weather.function.parameters }], tool_choice: { type: 'any' } })
    const choice = first.choices[0]!
    expect(choice.finish_reason).toBe('tool_calls')
    expect(choice.message.content).toBeNull()
    const call = choice.message.tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall
    expect(call).toMatchObject({ id: expect.stringMatching(/^toolu_/), type: 'function', function: { name: 'get_weather', arguments: '{}' } })
    expect(first.usage!.completion_tokens).toBe(1)

    const second = await openai().chat.completions.create({
      model: 'chat-claude-vertex',
      messages: [question, choice.message, { role: 'tool', tool_call_id: call.id, content: '{"temp":21}' }],
      tools: [weather],
    })
    expect(second.choices[0]).toMatchObject({ finish_reason: 'stop', message: { content: expect.stringContaining('Hello from claude-sonnet-4@20250514.') } })
    expect((sentBody().messages as unknown[]).slice(1)).toEqual([
      { role: 'assistant', content: [{ type: 'tool_use', id: call.id, name: 'get_weather', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: '{"temp":21}' }] },
    ])

    // OpenAI takes the same history without tools; Claude would refuse it, so the called tool is declared, not callable.
    const third = await openai().chat.completions.create({
      model: 'chat-claude-vertex',
      messages: [question, choice.message, { role: 'tool', tool_call_id: call.id, content: '{"temp":21}' }, { role: 'user', content: 'Thanks, summarise.' }],
    })
    expect(third.choices[0]!.finish_reason).toBe('stop')
    expect(sentBody()).toMatchObject({ tools: [{ name: 'get_weather', input_schema: { type: 'object' } }], tool_choice: { type: 'none' } })
  })

  it('a tool call streamed: the call opens with its id and name, the arguments follow in pieces the SDK joins', async () => {
    stack.vertex.script.enqueue({ toolCall: { name: 'get_weather', arguments: { city: 'Paris', unit: 'celsius' } }, chunks: 3 })
    const stream = await openai().chat.completions.create({ model: 'chat-claude-vertex', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Weather?' }], tools: [weather] })
    const deltas: OpenAI.ChatCompletionChunk.Choice.Delta.ToolCall[] = []
    const finishes: string[] = []
    let usage: OpenAI.CompletionUsage | undefined
    for await (const chunk of stream) {
      deltas.push(...(chunk.choices[0]?.delta.tool_calls ?? []))
      if (chunk.choices[0]?.finish_reason) finishes.push(chunk.choices[0].finish_reason)
      usage = chunk.usage ?? usage
    }
    expect(finishes).toEqual(['tool_calls'])
    expect(deltas[0]).toEqual({ index: 0, id: expect.stringMatching(/^toolu_/), type: 'function', function: { name: 'get_weather', arguments: '' } })
    expect(deltas.length).toBe(4)
    expect(deltas.every((d) => d.index === 0)).toBe(true)
    expect(deltas.map((d) => d.function?.arguments ?? '').join('')).toBe('{"city":"Paris","unit":"celsius"}')
    // ceil(33 characters of arguments / 4)
    expect(usage).toMatchObject({ completion_tokens: 9 })
  })

  it('an image as a base64 data URL goes as an image block; a remote URL is refused, naming why', async () => {
    const image = { type: 'image_url' as const, image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }
    const data = await openai().chat.completions.create({ model: 'chat-claude-vertex', messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, image] }] })
    expect(data.choices[0]!.message.content).toContain('Hello from claude-sonnet-4@20250514.')
    expect((sentBody().messages as { content: unknown[] }[])[0]!.content[1]).toEqual({ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } })
    const err = await rejectionOf<BadRequestError>(
      openai().chat.completions.create({ model: 'chat-claude-vertex', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] }] }),
    )
    expect(err).toMatchObject({ status: 400, code: 'SLUICE_ERR_TRANSLATION_UNSUPPORTED' })
    expect(err.message).toContain('remote image URLs cannot be translated')
  })

  it('max_tokens cuts the answer: finish_reason length, completion_tokens the cap', async () => {
    const data = await openai().chat.completions.create({ model: 'chat-claude-vertex', messages: [{ role: 'user', content: 'Say a lot' }], max_tokens: 3 })
    expect(sentBody()).toMatchObject({ max_tokens: 3 })
    expect(data.choices[0]).toMatchObject({ finish_reason: 'length', message: { content: 'Hello from claude-sonnet-4@20250514.' } })
    expect(data.usage!.completion_tokens).toBe(3)
    const stream = await openai().chat.completions.create({ model: 'chat-claude-vertex', messages: [{ role: 'user', content: 'Say a lot' }], max_completion_tokens: 2, stream: true })
    const finishes: (string | null)[] = []
    for await (const chunk of stream) if (chunk.choices[0]?.finish_reason) finishes.push(chunk.choices[0].finish_reason)
    expect(finishes).toEqual(['length'])
  })

  it('stop becomes stop_sequences: the answer ends before the sequence, finish_reason stop', async () => {
    const data = await openai().chat.completions.create({ model: 'chat-claude-vertex', messages: [{ role: 'user', content: 'Hi' }], stop: ['deterministic', 'from'] })
    expect(sentBody()).toMatchObject({ stop_sequences: ['deterministic', 'from'] })
    expect(data.choices[0]).toMatchObject({ finish_reason: 'stop', message: { content: 'Hello ' } })
  })

  it("Claude's refusal of a request (a tool result answering no call) reaches the client as the SDK's BadRequestError, in OpenAI's error shape", async () => {
    const err = await rejectionOf<BadRequestError>(
      openai().chat.completions.create({ model: 'chat-claude-vertex', messages: [{ role: 'user', content: 'Hi' }, { role: 'tool', tool_call_id: 'toolu_nope', content: 'x' }], tools: [weather] }),
    )
    expect(err).toBeInstanceOf(BadRequestError)
    expect(err.status).toBe(400)
    expect(err.message).toBe('400 vertex: invalid_request_error: unexpected tool_use_id found in tool_result blocks: toolu_nope')
    expect(err.code).toBe('invalid_request_error')
    expect(err.type).toBe('invalid_request_error')
  })

  it("an overloaded Claude (529, Anthropic's error body) with no fallback: the SDK's InternalServerError naming it", async () => {
    stack.vertex.script.enqueue({ status: 529, body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } })
    const err = await rejectionOf<InternalServerError>(openai().chat.completions.create({ model: 'chat-claude-vertex', messages: [{ role: 'user', content: 'Hi' }] }))
    expect(err).toBeInstanceOf(InternalServerError)
    expect(err).toMatchObject({ status: 529, code: 'overloaded_error', type: 'server_error', message: '529 vertex: overloaded_error: Overloaded' })
  })

  it('a stream that breaks off after it started: the SDK raises instead of taking part of the answer for all of it', async () => {
    stack.vertex.script.enqueue({ breakAfterChunks: 3, outputTokens: 12, chunks: 6 })
    const stream = await openai().chat.completions.create({ model: 'chat-claude-vertex', stream: true, messages: [{ role: 'user', content: 'Hi' }] })
    let text = ''
    const error = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? ''
    })().catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'SLUICE_ERR_UPSTREAM_BROKEN' })
    expect(text).toBe('Hello from')
  })

  it('Claude overloaded falls back to the Gemini target on the same provider, and Gemini unavailable to Claude', async () => {
    stack.vertex.script.enqueue({ status: 529, body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } })
    const toGemini = await openai().chat.completions.create({ model: 'claude-then-gemini', messages: [{ role: 'user', content: 'fall back' }] }).withResponse()
    expect(toGemini.response.headers.get('x-sluice-fallback')).toBe('vertex/gemini-2.0-flash')
    expect(toGemini.data.choices[0]!.message.content).toContain('Hello from gemini-2.0-flash.')
    expect(stack.vertex.requests.last()!.path).toBe(`${UPSTREAM}:generateContent`)

    stack.vertex.script.enqueue({ status: 503 })
    const stream = await openai()
      .chat.completions.create({ model: 'gemini-then-claude', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'fall back' }] })
      .withResponse()
    expect(stream.response.headers.get('x-sluice-fallback')).toBe(`vertex/${CLAUDE}`)
    let text = ''
    let usage: OpenAI.CompletionUsage | undefined
    for await (const chunk of stream.data) {
      text += chunk.choices[0]?.delta.content ?? ''
      usage = chunk.usage ?? usage
    }
    expect(text).toContain('Hello from claude-sonnet-4@20250514.')
    expect(stack.vertex.requests.last()!.path).toBe(`${CLAUDE_UPSTREAM}:streamRawPredict`)
    const record = await stack.decision(stream.response.headers.get('x-sluice-request-id')!)
    expect(record).toMatchObject({ model: CLAUDE, fallback: true, usage: { inputTokens: usage!.prompt_tokens, outputTokens: usage!.completion_tokens } })
  })

  it('a request Claude cannot take (temperature above 1) skips the Claude target; with none left, a 400 naming why', async () => {
    const before = stack.vertex.requests.count
    const { data, response } = await openai().chat.completions.create({ model: 'claude-then-gemini', temperature: 1.5, messages: [{ role: 'user', content: 'warm' }] }).withResponse()
    expect(response.headers.get('x-sluice-model')).toBe('gemini-2.0-flash')
    expect(data.choices[0]!.message.content).toContain('Hello from gemini-2.0-flash.')
    expect(stack.vertex.requests.count).toBe(before + 1)

    const err = await rejectionOf<BadRequestError>(openai().chat.completions.create({ model: 'chat-claude-vertex', temperature: 1.5, messages: [{ role: 'user', content: 'warm' }] }))
    expect(err.status).toBe(400)
    expect(err.code).toBe('SLUICE_ERR_TRANSLATION_UNSUPPORTED')
    expect(err.message).toContain('Claude takes temperature from 0 to 1; 1.5 cannot be translated.')
    expect(stack.vertex.requests.count).toBe(before + 1)
  })

  it('a Claude id without its publisher is refused with the name it needs', async () => {
    const err = await rejectionOf<BadRequestError>(openai().chat.completions.create({ model: 'claude-bare', messages: [{ role: 'user', content: 'hi' }] }))
    expect(err.status).toBe(400)
    expect(err.message).toContain("Anthropic's models on Vertex AI are named anthropic/claude-sonnet-4@20250514")
  })
})
