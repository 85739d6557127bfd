// The unified endpoint with the official openai SDK: one virtual model per provider type,
// each answered by its emulator in its native API and translated back to OpenAI's chat.completion,
// chunks, tool calls, usage and errors. Every count asserted here follows the emulators' rule:
// input tokens = ceil(prompt characters / 4); a text reply is `Hello from <model>.` padded to
// 8 words (= output tokens), cut to the request's max tokens; a tool call counts ceil(JSON
// arguments characters / 4).
import OpenAI, { APIError, BadRequestError, NotFoundError, PermissionDeniedError } from 'openai'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Emulator } from '../../src/emulators/index.js'
import { rejectionOf } from '../support/rejection.js'
import { CLIENT, startStack, type DecisionRecord, type Stack } from '../support/stack.js'

const ADMIN_TOKEN = 'unified-admin-token-0123456789'

type EmulatorName = 'bedrock' | 'gemini' | 'llama' | 'openai'

interface Case {
  /** The virtual model a client names. */
  readonly name: string
  /** The key of `providers:` its one target uses (x-sluice-provider). */
  readonly provider: string
  /** The target's native model id (x-sluice-model). */
  readonly model: string
  readonly emulator: EmulatorName
}

const CASES: readonly Case[] = [
  { name: 'chat-bedrock', provider: 'bedrock', model: 'anthropic.claude-3-haiku-20240307-v1:0', emulator: 'bedrock' },
  { name: 'chat-gemini', provider: 'google', model: 'gemini-2.5-flash', emulator: 'gemini' },
  { name: 'chat-llama', provider: 'meta', model: 'Llama-4-Maverick-17B-128E-Instruct-FP8', emulator: 'llama' },
  { name: 'chat-openai', provider: 'openai', model: 'gpt-4o-mini', emulator: 'openai' },
]

/** The same targets with parameters the target forces. */
const CAPPED = { temperature: 0.1, maxTokens: 5 } as const
const capped = (c: Case): string => `capped-${c.emulator}`

let stack: Stack

beforeAll(async () => {
  stack = await startStack({
    configure(config) {
      config.admin = { host: '127.0.0.1', port: 0, tokens: [{ name: 'ops', token: ADMIN_TOKEN, role: 'admin' }] }
      const models: Record<string, unknown> = {}
      for (const c of CASES) {
        models[c.name] = { description: `${c.emulator} only`, targets: [{ provider: c.provider, model: c.model }] }
        models[capped(c)] = { targets: [{ provider: c.provider, model: c.model, params: CAPPED }] }
      }
      config.models = models
    },
  })
})
afterAll(async () => {
  await stack.close()
})
beforeEach(() => {
  stack.decisions.length = 0
  for (const c of CASES) emulator(c).script.reset()
})

const openai = (apiKey: string = CLIENT.credentials.apiKey): OpenAI => new OpenAI({ baseURL: `${stack.sluice.dataUrl}/v1`, apiKey, maxRetries: 0 })
const emulator = (c: Case): Emulator => stack.emulators[c.emulator]
/** The body the emulator received last, as JSON. */
const lastBody = (c: Case): Record<string, any> => emulator(c).requests.last()!.body as Record<string, any>

/** The emulators' reply text: `Hello from <model>.` then filler, `words` words in all. */
function replyText(model: string, words = 8): string {
  const filler = ['This', 'is', 'a', 'deterministic', 'emulator', 'reply', 'with', 'padding', 'words']
  return ['Hello', 'from', `${model}.`, ...filler].slice(0, words).join(' ')
}

/** The emulators' input count: ceil(characters of every prompt text / 4). */
const inputTokens = (...texts: string[]): number => Math.max(1, Math.ceil(texts.join('').length / 4))

/** The decision Sluice logged for the one request a test made (settle runs just after the response ends). */
async function onlyDecision(): Promise<DecisionRecord & { route?: string }> {
  for (let i = 0; i < 200 && stack.decisions.length === 0; i++) await new Promise((r) => setImmediate(r))
  expect(stack.decisions).toHaveLength(1)
  return stack.decisions[0]!
}

async function admin(method: string, path: string, body: unknown): Promise<number> {
  const res = await fetch(`${stack.sluice.adminUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  await res.arrayBuffer()
  return res.status
}

const HELLO: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Hello there' }]

const WEATHER: OpenAI.ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
}
/**
 * Chunks the client gets from a stream broken after two native frames: Bedrock messageStart (role)
 * and a delta; Gemini's first response (role, text) and its second (text); Llama's start (role) and
 * a progress event; OpenAI's role chunk and a delta.
 */
const CHUNKS_BEFORE_BREAK: Readonly<Record<EmulatorName, number>> = { bedrock: 2, gemini: 3, llama: 2, openai: 2 }

const PARIS = { city: 'Paris' }
const PARIS_JSON = '{"city":"Paris"}'

describe.each(CASES)('$name → $provider/$model', (c) => {
  it('plain completion: content, finish_reason, usage as logged, virtual model echoed, target headers', async () => {
    const { data, response } = await openai().chat.completions.create({ model: c.name, messages: HELLO }).withResponse()
    expect(data.object).toBe('chat.completion')
    expect(data.model).toBe(c.name)
    expect(data.choices).toHaveLength(1)
    expect(data.choices[0]!.message).toMatchObject({ role: 'assistant', content: replyText(c.model) })
    expect(data.choices[0]!.finish_reason).toBe('stop')
    expect(data.usage).toMatchObject({ prompt_tokens: inputTokens('Hello there'), completion_tokens: 8, total_tokens: inputTokens('Hello there') + 8 })
    expect(response.headers.get('content-type')).toContain('application/json')
    expect(response.headers.get('x-sluice-request-id')).toMatch(/^[0-9a-f-]{36}$/)
    expect(response.headers.get('x-sluice-decision')).toBe('allow')
    expect(response.headers.get('x-sluice-provider')).toBe(c.provider)
    expect(response.headers.get('x-sluice-model')).toBe(c.model)
    expect(response.headers.get('x-sluice-attempts')).toBeNull()
    expect(response.headers.get('x-sluice-fallback')).toBeNull()
    const record = await onlyDecision()
    expect(record).toMatchObject({
      requestId: response.headers.get('x-sluice-request-id'),
      provider: c.provider,
      model: c.model,
      route: c.name,
      client: CLIENT.id,
      decision: 'allow',
      status: 200,
      stream: false,
      target: `${c.provider}/${c.model}`,
    })
    expect(record.usage).toEqual({ inputTokens: data.usage!.prompt_tokens, outputTokens: data.usage!.completion_tokens, cachedTokens: 0, reasoningTokens: 0 })
    expect(emulator(c).requests.count).toBeGreaterThan(0)
    // Upstream saw Sluice's own credential, never the client's key.
    expect(JSON.stringify(emulator(c).requests.last()!.headers)).not.toContain(CLIENT.credentials.apiKey)
  })

  it('stream with include_usage: role first, text, one finish_reason, then a usage chunk with no choices', async () => {
    const { data: stream, response } = await openai()
      .chat.completions.create({ model: c.name, messages: HELLO, stream: true, stream_options: { include_usage: true } })
      .withResponse()
    const chunks: OpenAI.ChatCompletionChunk[] = []
    for await (const chunk of stream) chunks.push(chunk)
    expect(response.headers.get('content-type')).toContain('text/event-stream')
    expect(response.headers.get('x-sluice-provider')).toBe(c.provider)
    expect(response.headers.get('x-sluice-model')).toBe(c.model)
    expect(chunks.length).toBeGreaterThanOrEqual(4)
    expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant')
    expect(new Set(chunks.map((k) => k.id)).size).toBe(1)
    expect(chunks.every((k) => k.model === c.name && k.object === 'chat.completion.chunk')).toBe(true)
    const text = chunks.map((k) => k.choices[0]?.delta.content ?? '').join('')
    expect(text).toBe(replyText(c.model))
    // The text arrived in more than one delta: translated as it streamed, not buffered into one.
    expect(chunks.filter((k) => (k.choices[0]?.delta.content ?? '') !== '').length).toBeGreaterThan(1)
    const finishes = chunks.flatMap((k) => k.choices.filter((choice) => choice.finish_reason !== null).map((choice) => choice.finish_reason))
    expect(finishes).toEqual(['stop'])
    const last = chunks.at(-1)!
    expect(last.choices).toEqual([])
    expect(last.usage).toMatchObject({ prompt_tokens: inputTokens('Hello there'), completion_tokens: 8, total_tokens: inputTokens('Hello there') + 8 })
    expect(chunks.slice(0, -1).every((k) => k.usage === undefined || k.usage === null)).toBe(true)
    const record = await onlyDecision()
    expect(record).toMatchObject({ provider: c.provider, model: c.model, stream: true, status: 200, decision: 'allow' })
    expect(record.upstreamBroken).toBeUndefined()
    expect(record.usage).toMatchObject({ inputTokens: last.usage!.prompt_tokens, outputTokens: last.usage!.completion_tokens })
  })

  it('stream without include_usage: no usage chunk, every chunk has a choice', async () => {
    const stream = await openai().chat.completions.create({ model: c.name, messages: HELLO, stream: true })
    const chunks: OpenAI.ChatCompletionChunk[] = []
    for await (const chunk of stream) chunks.push(chunk)
    expect(chunks.map((k) => k.choices[0]?.delta.content ?? '').join('')).toBe(replyText(c.model))
    expect(chunks.every((k) => k.choices.length === 1)).toBe(true)
    expect(chunks.every((k) => k.usage === undefined || k.usage === null)).toBe(true)
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe('stop')
    // Sluice still counted the tokens it did not send.
    expect((await onlyDecision()).usage).toMatchObject({ inputTokens: inputTokens('Hello there'), outputTokens: 8 })
  })

  it('the SDK stream helper assembles the final completion', async () => {
    const runner = openai().chat.completions.stream({ model: c.name, messages: HELLO, stream_options: { include_usage: true } })
    let deltas = ''
    runner.on('content', (delta) => (deltas += delta))
    const final = await runner.finalChatCompletion()
    expect(final.model).toBe(c.name)
    expect(final.choices[0]!.message.content).toBe(replyText(c.model))
    expect(final.choices[0]!.finish_reason).toBe('stop')
    expect(deltas).toBe(replyText(c.model))
    expect(final.usage).toMatchObject({ prompt_tokens: inputTokens('Hello there'), completion_tokens: 8 })
  })

  it('tool call (required + scripted arguments): tool_calls with name and JSON arguments, finish tool_calls', async () => {
    emulator(c).script.enqueue({ toolCall: { name: 'get_weather', arguments: PARIS } })
    const data = await openai().chat.completions.create({
      model: c.name,
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [WEATHER],
      tool_choice: 'required',
    })
    const choice = data.choices[0]!
    expect(choice.finish_reason).toBe('tool_calls')
    expect(choice.message.tool_calls).toHaveLength(1)
    const call = choice.message.tool_calls![0]!
    expect(call.type).toBe('function')
    expect(call.id).toMatch(/\S/)
    if (call.type !== 'function') throw new Error('not a function call')
    expect(call.function.name).toBe('get_weather')
    expect(JSON.parse(call.function.arguments)).toEqual(PARIS)
    expect(data.usage).toMatchObject({ prompt_tokens: inputTokens('Weather in Paris?'), completion_tokens: Math.ceil(PARIS_JSON.length / 4) })
    expect((await onlyDecision()).usage).toMatchObject({ inputTokens: data.usage!.prompt_tokens, outputTokens: data.usage!.completion_tokens })
  })

  it('tool call forced by tool_choice alone reaches the native request as a forced choice', async () => {
    const data = await openai().chat.completions.create({
      model: c.name,
      messages: [{ role: 'user', content: 'Weather?' }],
      tools: [WEATHER],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    })
    const call = data.choices[0]!.message.tool_calls?.[0]
    expect(data.choices[0]!.finish_reason).toBe('tool_calls')
    expect(call?.type === 'function' ? call.function : undefined).toMatchObject({ name: 'get_weather' })
    expect(JSON.parse(call?.type === 'function' ? call.function.arguments : 'null')).toEqual({})
  })

  it('tool call streamed: id and name first, argument pieces that join to the JSON, finish tool_calls', async () => {
    emulator(c).script.enqueue({ toolCall: { name: 'get_weather', arguments: PARIS } })
    const stream = await openai().chat.completions.create({
      model: c.name,
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [WEATHER],
      tool_choice: 'required',
      stream: true,
      stream_options: { include_usage: true },
    })
    const chunks: OpenAI.ChatCompletionChunk[] = []
    for await (const chunk of stream) chunks.push(chunk)
    expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant')
    const deltas = chunks.flatMap((k) => k.choices[0]?.delta.tool_calls ?? [])
    expect(deltas.length).toBeGreaterThan(0)
    expect(deltas.every((d) => d.index === 0)).toBe(true)
    expect(deltas[0]).toMatchObject({ id: expect.any(String), function: { name: 'get_weather' } })
    expect(JSON.parse(deltas.map((d) => d.function?.arguments ?? '').join(''))).toEqual(PARIS)
    const finishes = chunks.flatMap((k) => k.choices.filter((choice) => choice.finish_reason !== null).map((choice) => choice.finish_reason))
    expect(finishes).toEqual(['tool_calls'])
    expect(chunks.at(-1)!.usage).toMatchObject({ completion_tokens: Math.ceil(PARIS_JSON.length / 4) })
  })

  it('tool call streamed through the SDK helper', async () => {
    emulator(c).script.enqueue({ toolCall: { name: 'get_weather', arguments: PARIS } })
    const final = await openai()
      .chat.completions.stream({ model: c.name, messages: [{ role: 'user', content: 'Weather in Paris?' }], tools: [WEATHER], tool_choice: 'required' })
      .finalChatCompletion()
    expect(final.choices[0]!.finish_reason).toBe('tool_calls')
    const call = final.choices[0]!.message.tool_calls?.[0]
    expect(call?.type === 'function' ? call.function.name : undefined).toBe('get_weather')
    expect(JSON.parse(call?.type === 'function' ? call.function.arguments : 'null')).toEqual(PARIS)
  })

  it('second turn: the assistant tool call and the tool result go back; the answer is text', async () => {
    emulator(c).script.enqueue({ toolCall: { name: 'get_weather', arguments: PARIS } })
    const question: OpenAI.ChatCompletionMessageParam = { role: 'user', content: 'Weather in Paris?' }
    const first = await openai().chat.completions.create({ model: c.name, messages: [question], tools: [WEATHER], tool_choice: 'required' })
    const call = first.choices[0]!.message.tool_calls![0]!
    if (call.type !== 'function') throw new Error('not a function call')
    const second = await openai().chat.completions.create({
      model: c.name,
      tools: [WEATHER],
      messages: [
        question,
        { role: 'assistant', content: null, tool_calls: [call] },
        { role: 'tool', tool_call_id: call.id, content: '{"temp":21}' },
      ],
    })
    expect(second.choices[0]!.finish_reason).toBe('stop')
    expect(second.choices[0]!.message.content).toBe(replyText(c.model))
    // The native request carried the call and its result, matched the provider's way.
    const body = lastBody(c)
    switch (c.emulator) {
      case 'bedrock':
        expect(body.messages).toEqual([
          { role: 'user', content: [{ text: 'Weather in Paris?' }] },
          { role: 'assistant', content: [{ toolUse: { toolUseId: call.id, name: 'get_weather', input: PARIS } }] },
          { role: 'user', content: [{ toolResult: { toolUseId: call.id, content: [{ text: '{"temp":21}' }] } }] },
        ])
        break
      case 'gemini':
        expect(body.contents).toEqual([
          { role: 'user', parts: [{ text: 'Weather in Paris?' }] },
          { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: PARIS } }] },
          { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { temp: 21 } } }] },
        ])
        break
      case 'llama':
        expect(body.messages).toEqual([
          { role: 'user', content: 'Weather in Paris?' },
          { role: 'assistant', content: '', tool_calls: [{ id: call.id, function: { name: 'get_weather', arguments: PARIS_JSON } }] },
          { role: 'tool', tool_call_id: call.id, content: '{"temp":21}' },
        ])
        break
      case 'openai':
        expect(body.messages).toEqual([
          { role: 'user', content: 'Weather in Paris?' },
          { role: 'assistant', content: null, tool_calls: [{ id: call.id, type: 'function', function: { name: 'get_weather', arguments: PARIS_JSON } }] },
          { role: 'tool', tool_call_id: call.id, content: '{"temp":21}' },
        ])
        break
    }
    const prompt = inputTokens('Weather in Paris?', '{"temp":21}')
    // The emulators count message text only (not tool calls); Bedrock's toolResult and Gemini's
    // functionResponse carry the result as a structure, so only what is text there counts.
    if (c.emulator === 'llama' || c.emulator === 'openai') expect(second.usage!.prompt_tokens).toBe(prompt)
  })

  it('system prompt, temperature, top_p, max_tokens and stop reach the native request', async () => {
    const stop = c.emulator === 'llama' ? undefined : ['END']
    const data = await openai().chat.completions.create({
      model: c.name,
      messages: [{ role: 'system', content: 'Be brief.' }, ...HELLO],
      temperature: 0.7,
      top_p: 0.9,
      max_tokens: 6,
      ...(stop === undefined ? {} : { stop }),
    })
    // The cap of 6 cut the 8-word reply: finish `length`, 6 output tokens.
    expect(data.choices[0]!.finish_reason).toBe('length')
    expect(data.choices[0]!.message.content).toBe(replyText(c.model, 6))
    expect(data.usage).toMatchObject({ prompt_tokens: inputTokens('Be brief.', 'Hello there'), completion_tokens: 6 })
    const body = lastBody(c)
    switch (c.emulator) {
      case 'bedrock':
        expect(body.system).toEqual([{ text: 'Be brief.' }])
        expect(body.messages).toEqual([{ role: 'user', content: [{ text: 'Hello there' }] }])
        expect(body.inferenceConfig).toEqual({ maxTokens: 6, temperature: 0.7, topP: 0.9, stopSequences: ['END'] })
        break
      case 'gemini':
        expect(body.systemInstruction).toEqual({ parts: [{ text: 'Be brief.' }] })
        expect(body.contents).toEqual([{ role: 'user', parts: [{ text: 'Hello there' }] }])
        expect(body.generationConfig).toEqual({ maxOutputTokens: 6, temperature: 0.7, topP: 0.9, stopSequences: ['END'] })
        break
      case 'llama':
        expect(body).toMatchObject({ model: c.model, max_completion_tokens: 6, temperature: 0.7, top_p: 0.9 })
        expect(body.messages).toEqual([
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hello there' },
        ])
        expect(body.stop).toBeUndefined()
        break
      case 'openai':
        expect(body).toMatchObject({ model: c.model, max_tokens: 6, temperature: 0.7, top_p: 0.9, stop: ['END'] })
        expect(body.messages).toEqual([{ role: 'system', content: 'Be brief.' }, ...HELLO])
        break
    }
  })

  it('target params win over the client: temperature and a lower max tokens', async () => {
    const { data, response } = await openai()
      .chat.completions.create({ model: capped(c), messages: HELLO, temperature: 0.9, max_tokens: 50 })
      .withResponse()
    expect(data.model).toBe(capped(c))
    expect(response.headers.get('x-sluice-model')).toBe(c.model)
    expect(data.choices[0]!.finish_reason).toBe('length')
    expect(data.usage!.completion_tokens).toBe(CAPPED.maxTokens)
    expect(data.choices[0]!.message.content).toBe(replyText(c.model, CAPPED.maxTokens))
    const body = lastBody(c)
    switch (c.emulator) {
      case 'bedrock':
        expect(body.inferenceConfig).toEqual({ maxTokens: 5, temperature: 0.1 })
        break
      case 'gemini':
        expect(body.generationConfig).toEqual({ maxOutputTokens: 5, temperature: 0.1 })
        break
      case 'llama':
        expect(body).toMatchObject({ max_completion_tokens: 5, temperature: 0.1 })
        break
      case 'openai':
        expect(body).toMatchObject({ max_completion_tokens: 5, temperature: 0.1 })
        expect(body.max_tokens).toBeUndefined()
        break
    }
    // The client's lower cap is kept.
    const lower = await openai().chat.completions.create({ model: capped(c), messages: HELLO, max_tokens: 3 })
    expect(lower.usage!.completion_tokens).toBe(3)
  })

  it('mid-stream break: the SDK stream throws after the chunks that did arrive, never a clean end', async () => {
    emulator(c).script.enqueue({ breakAfterChunks: 2, chunks: 6 })
    const { data: stream, response } = await openai()
      .chat.completions.create({ model: c.name, messages: HELLO, stream: true, stream_options: { include_usage: true } })
      .withResponse()
    expect(response.status).toBe(200)
    const seen: OpenAI.ChatCompletionChunk[] = []
    const err = await rejectionOf<Error>(
      (async () => {
        for await (const chunk of stream) seen.push(chunk)
      })(),
    )
    // Sluice ends the stream with an SSE error event before cutting it: the SDK raises a typed error.
    expect(err).toBeInstanceOf(APIError)
    expect((err as APIError).code).toBe('SLUICE_ERR_UPSTREAM_BROKEN')
    expect(err.message).toContain(`${c.provider}: the upstream broke off`)
    // The chunks the two native frames made arrived before the error: translated as they came.
    expect(seen).toHaveLength(CHUNKS_BEFORE_BREAK[c.emulator])
    expect(seen[0]!.choices[0]!.delta.role).toBe('assistant')
    expect(seen.map((k) => k.choices[0]?.delta.content ?? '').join('')).not.toBe('')
    expect(seen.some((k) => k.choices[0]?.finish_reason != null)).toBe(false)
    expect(seen.some((k) => k.usage != null)).toBe(false)
    const record = await onlyDecision()
    expect(record).toMatchObject({ provider: c.provider, model: c.model, upstreamBroken: true })
  })
})

describe('upstream errors in OpenAI format', () => {
  const [bedrock, gemini, llama, openaiCase] = CASES as [Case, Case, Case, Case]

  it('Bedrock 400: BadRequestError with the provider and its exception detail, not retried', async () => {
    const before = stack.emulators.bedrock.requests.count
    emulator(bedrock).script.enqueue({ status: 400 })
    const err = await rejectionOf<BadRequestError>(openai().chat.completions.create({ model: bedrock.name, messages: HELLO }))
    expect(err).toBeInstanceOf(BadRequestError)
    expect(err.status).toBe(400)
    expect(err.message).toContain('bedrock:')
    expect(err.message).toContain('ValidationException: The request is invalid.')
    expect(err.code).toBe('ValidationException')
    expect(err.headers?.get('x-sluice-provider')).toBe('bedrock')
    expect(stack.emulators.bedrock.requests.count).toBe(before + 1)
    expect(await onlyDecision()).toMatchObject({ provider: 'bedrock', status: 400 })
  })

  it('Gemini 404: NotFoundError with the Google status and message, not retried', async () => {
    const before = stack.emulators.gemini.requests.count
    emulator(gemini).script.enqueue({ status: 404 })
    const err = await rejectionOf<NotFoundError>(openai().chat.completions.create({ model: gemini.name, messages: HELLO }))
    expect(err).toBeInstanceOf(NotFoundError)
    expect(err.message).toContain('gemini:')
    expect(err.message).toContain('NOT_FOUND: Requested entity was not found.')
    expect(err.code).toBe('NOT_FOUND')
    expect(stack.emulators.gemini.requests.count).toBe(before + 1)
  })

  it('Llama 400 (problem details) and OpenAI 400 keep the upstream words', async () => {
    emulator(llama).script.enqueue({ status: 400, body: { title: 'Bad Request', detail: 'temperature is out of range', status: 400 } })
    const llamaErr = await rejectionOf<BadRequestError>(openai().chat.completions.create({ model: llama.name, messages: HELLO }))
    expect(llamaErr).toBeInstanceOf(BadRequestError)
    expect(llamaErr.message).toContain('llama: Bad Request: temperature is out of range')
    emulator(openaiCase).script.enqueue({ status: 400 })
    const openaiErr = await rejectionOf<BadRequestError>(openai().chat.completions.create({ model: openaiCase.name, messages: HELLO }))
    expect(openaiErr).toBeInstanceOf(BadRequestError)
    expect(openaiErr.message).toContain('openai: Invalid request.')
  })

  it('an upstream error on a stream request is an error answer, not a stream', async () => {
    emulator(bedrock).script.enqueue({ status: 400 })
    const err = await rejectionOf<BadRequestError>(openai().chat.completions.create({ model: bedrock.name, messages: HELLO, stream: true }))
    expect(err).toBeInstanceOf(BadRequestError)
    expect(err.message).toContain('ValidationException')
  })
})

describe('GET /v1/models', () => {
  it('lists every virtual model, and only those', async () => {
    const ids: string[] = []
    for await (const model of openai().models.list()) {
      expect(model).toMatchObject({ object: 'model', owned_by: 'sluice', created: expect.any(Number) })
      ids.push(model.id)
    }
    expect(ids.sort()).toEqual(CASES.flatMap((c) => [c.name, capped(c)]).sort())
  })

  it('retrieves one by name; an unknown name is a NotFoundError', async () => {
    expect(await openai().models.retrieve('chat-gemini')).toMatchObject({ id: 'chat-gemini', object: 'model', owned_by: 'sluice' })
    const err = await rejectionOf<NotFoundError>(openai().models.retrieve('gemini-2.5-flash'))
    expect(err).toBeInstanceOf(NotFoundError)
    expect(err.code).toBe('SLUICE_ERR_VIRTUAL_MODEL_NOT_FOUND')
  })

  it('needs a client key', async () => {
    const err = await rejectionOf<PermissionDeniedError>(openai('sk-not-a-client').models.list())
    expect(err).toBeInstanceOf(PermissionDeniedError)
    expect(err.code).toBe('SLUICE_ERR_AUTH_INVALID')
  })
})

describe('requests Sluice refuses itself', () => {
  const counts = (): number => CASES.reduce((sum, c) => sum + emulator(c).requests.count, 0)

  it('unknown virtual model: 404 SLUICE_ERR_VIRTUAL_MODEL_NOT_FOUND, nothing upstream', async () => {
    const before = counts()
    const err = await rejectionOf<NotFoundError>(openai().chat.completions.create({ model: 'gpt-4o-mini', messages: HELLO }))
    expect(err).toBeInstanceOf(NotFoundError)
    expect(err.code).toBe('SLUICE_ERR_VIRTUAL_MODEL_NOT_FOUND')
    expect(err.message).toContain('gpt-4o-mini')
    expect(counts()).toBe(before)
    expect(await onlyDecision()).toMatchObject({ decision: 'deny', code: 'SLUICE_ERR_VIRTUAL_MODEL_NOT_FOUND', status: 404 })
  })

  it('no messages: 400 BadRequestError SLUICE_ERR_REQUEST_INVALID naming the field', async () => {
    const err = await rejectionOf<BadRequestError>(openai().chat.completions.create({ model: 'chat-bedrock', messages: [] }))
    expect(err).toBeInstanceOf(BadRequestError)
    expect(err.code).toBe('SLUICE_ERR_REQUEST_INVALID')
    expect(err.message).toContain('`messages` must be a non-empty array.')
  })

  it('stop sequences to a Llama-only model: 400 SLUICE_ERR_TRANSLATION_UNSUPPORTED, nothing upstream', async () => {
    const before = stack.emulators.llama.requests.count
    const err = await rejectionOf<BadRequestError>(openai().chat.completions.create({ model: 'chat-llama', messages: HELLO, stop: ['END'] }))
    expect(err).toBeInstanceOf(BadRequestError)
    expect(err.code).toBe('SLUICE_ERR_TRANSLATION_UNSUPPORTED')
    expect(err.message).toContain('stop')
    expect(stack.emulators.llama.requests.count).toBe(before)
  })

  it('a key that is no client: 403 SLUICE_ERR_AUTH_INVALID, nothing upstream', async () => {
    const before = counts()
    const err = await rejectionOf<PermissionDeniedError>(openai('sk-unknown-key').chat.completions.create({ model: 'chat-bedrock', messages: HELLO }))
    expect(err).toBeInstanceOf(PermissionDeniedError)
    expect(err.status).toBe(403)
    expect(err.code).toBe('SLUICE_ERR_AUTH_INVALID')
    expect(counts()).toBe(before)
  })

  // GET /v1/models is behind client auth; the chat endpoint must not answer the same question
  // (which virtual models exist) to a caller it has not authenticated. Open bug: run.ts parses and
  // looks up the virtual model before it authenticates, so this gets 404 VIRTUAL_MODEL_NOT_FOUND.
  it('a key that is no client learns nothing about the virtual models: refused before the lookup', async () => {
    const err = await rejectionOf<APIError>(openai('sk-unknown-key').chat.completions.create({ model: 'no-such-model', messages: HELLO }))
    expect(err.status).toBe(403)
    expect(err.code).toBe('SLUICE_ERR_AUTH_INVALID')
  })
})

describe('gates apply to the chosen target', () => {
  it('a provider kill switch: 503 SLUICE_ERR_KILL_PROVIDER in OpenAI format when no other target exists', async () => {
    expect(await admin('PUT', '/v1/kill-switches/provider/google', { reason: 'gemini incident' })).toBe(200)
    try {
      const before = stack.emulators.gemini.requests.count
      const err = await rejectionOf<APIError>(openai().chat.completions.create({ model: 'chat-gemini', messages: HELLO }))
      expect(err).toBeInstanceOf(APIError)
      expect(err.status).toBe(503)
      expect(err.code).toBe('SLUICE_ERR_KILL_PROVIDER')
      expect(err.message).toContain('gemini incident')
      expect(err.headers?.get('x-sluice-decision')).toBe('deny')
      expect(stack.emulators.gemini.requests.count).toBe(before)
      expect(await onlyDecision()).toMatchObject({ provider: 'google', route: 'chat-gemini', code: 'SLUICE_ERR_KILL_PROVIDER', status: 503 })
      // Other providers' virtual models are untouched.
      stack.decisions.length = 0
      expect((await openai().chat.completions.create({ model: 'chat-bedrock', messages: HELLO })).choices[0]!.finish_reason).toBe('stop')
    } finally {
      expect(await admin('DELETE', '/v1/kill-switches/provider/google', { reason: 'resolved' })).toBe(200)
    }
    expect((await openai().chat.completions.create({ model: 'chat-gemini', messages: HELLO })).model).toBe('chat-gemini')
  })

  it('streaming refused with 403 SLUICE_ERR_STREAMING_DISABLED while ai.streaming.enabled is off; plain calls still pass', async () => {
    const off = { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off' }
    expect(await admin('PUT', '/v1/flags/ai.streaming.enabled', { definition: off, reason: 'no streams today' })).toBe(200)
    try {
      const before = stack.emulators.bedrock.requests.count
      const err = await rejectionOf<PermissionDeniedError>(openai().chat.completions.create({ model: 'chat-bedrock', messages: HELLO, stream: true }))
      expect(err).toBeInstanceOf(PermissionDeniedError)
      expect(err.code).toBe('SLUICE_ERR_STREAMING_DISABLED')
      expect(stack.emulators.bedrock.requests.count).toBe(before)
      expect((await openai().chat.completions.create({ model: 'chat-bedrock', messages: HELLO })).choices[0]!.message.content).toBe(
        replyText(CASES[0]!.model),
      )
    } finally {
      expect(await admin('DELETE', '/v1/flags/ai.streaming.enabled/override', { reason: 'done' })).toBe(200)
    }
  })
})
