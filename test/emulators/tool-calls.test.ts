// Tool calls from each emulator, read by the provider's official SDK with no Sluice in between:
// scripted with `toolCall` (in-process and over the control endpoint) or forced by the request's
// tool choice, as JSON and streamed, in every native dialect (see src/emulators/tool-call.ts).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { BedrockRuntimeClient, ConverseCommand, ConverseStreamCommand, InvokeModelCommand, type ConverseStreamOutput, type Tool } from '@aws-sdk/client-bedrock-runtime'
import { FunctionCallingConfigMode, GoogleGenAI, type GenerateContentConfig } from '@google/genai'
import LlamaAPIClient from 'llama-api-client'
import OpenAI from 'openai'
import { EMULATOR_CREDENTIALS, EMULATOR_TYPES, startEmulators, type Emulators } from '../../src/emulators/index.js'
import { parseBehaviours } from '../../src/emulators/script.js'

const creds = EMULATOR_CREDENTIALS
const ARGS = { city: 'Paris', units: 'metric' }
const ARGS_JSON = JSON.stringify(ARGS)
// ceil(33 characters of compact JSON / 4); a forced call's `{}` counts 1.
const ARGS_TOKENS = 9
const scripted = { toolCall: { name: 'get_weather', arguments: ARGS } }

let emulators: Emulators
let bedrock: BedrockRuntimeClient

beforeAll(async () => {
  emulators = await startEmulators({ auth: EMULATOR_CREDENTIALS })
  bedrock = new BedrockRuntimeClient({ region: 'us-east-1', endpoint: emulators.bedrock.url, credentials: creds.bedrock, maxAttempts: 1 })
})

afterAll(async () => {
  bedrock.destroy()
  await emulators.close()
})

beforeEach(() => {
  for (const type of EMULATOR_TYPES) emulators[type].script.reset()
})

async function collect<T>(iterable: AsyncIterable<T>, into: T[] = []): Promise<T[]> {
  for await (const item of iterable) into.push(item)
  return into
}

describe('Bedrock Converse', () => {
  const modelId = 'anthropic.claude-3-haiku-20240307-v1:0'
  const messages = [{ role: 'user' as const, content: [{ text: 'Weather in Paris?' }] }]
  const tools: Tool[] = [{ toolSpec: { name: 'get_weather', inputSchema: { json: { type: 'object' } } } }, { toolSpec: { name: 'get_time', inputSchema: { json: { type: 'object' } } } }]

  it('answers a scripted call with a toolUse block and stop reason tool_use', async () => {
    emulators.bedrock.script.enqueue(scripted)
    const out = await bedrock.send(new ConverseCommand({ modelId, messages }))
    expect(out.stopReason).toBe('tool_use')
    expect(out.output?.message?.content).toEqual([{ toolUse: { toolUseId: expect.stringMatching(/^tooluse_/), name: 'get_weather', input: ARGS } }])
    expect(out.usage).toEqual({ inputTokens: 5, outputTokens: ARGS_TOKENS, totalTokens: 5 + ARGS_TOKENS })
  })

  it.each([
    ['any: the first declared tool', { any: {} }, 'get_weather'],
    ['tool: the named tool', { tool: { name: 'get_time' } }, 'get_time'],
  ])('forces a call by toolChoice %s', async (_, toolChoice, name) => {
    const out = await bedrock.send(new ConverseCommand({ modelId, messages, toolConfig: { tools, toolChoice } }))
    expect(out.stopReason).toBe('tool_use')
    expect(out.output?.message?.content?.[0]?.toolUse).toMatchObject({ name, input: {} })
    expect(out.usage?.outputTokens).toBe(1)
  })

  it('answers text when tools are offered but not forced', async () => {
    const out = await bedrock.send(new ConverseCommand({ modelId, messages, toolConfig: { tools, toolChoice: { auto: {} } } }))
    expect(out.stopReason).toBe('end_turn')
    expect(out.output?.message?.content?.[0]?.text).toContain('Hello from')
  })

  it('streams a scripted call: block start, input pieces, tool_use stop, usage', async () => {
    emulators.bedrock.script.enqueue(scripted)
    const events = await collect((await bedrock.send(new ConverseStreamCommand({ modelId, messages }))).stream!)
    expect(events[0]?.messageStart).toEqual({ role: 'assistant' })
    expect(events[1]?.contentBlockStart).toEqual({ contentBlockIndex: 0, start: { toolUse: { toolUseId: expect.stringMatching(/^tooluse_/), name: 'get_weather' } } })
    const pieces = events.flatMap((e) => (e.contentBlockDelta?.delta?.toolUse?.input === undefined ? [] : [e.contentBlockDelta.delta.toolUse.input]))
    expect(pieces).toHaveLength(4)
    expect(pieces.join('')).toBe(ARGS_JSON)
    expect(events.at(-3)?.contentBlockStop).toEqual({ contentBlockIndex: 0 })
    expect(events.at(-2)?.messageStop).toEqual({ stopReason: 'tool_use' })
    expect(events.at(-1)?.metadata?.usage).toEqual({ inputTokens: 5, outputTokens: ARGS_TOKENS, totalTokens: 5 + ARGS_TOKENS })
  })

  it('streams a forced call with `{}` split across two deltas', async () => {
    const out = await bedrock.send(new ConverseStreamCommand({ modelId, messages, toolConfig: { tools, toolChoice: { tool: { name: 'get_time' } } } }))
    const events = await collect(out.stream!)
    expect(events[1]?.contentBlockStart?.start?.toolUse?.name).toBe('get_time')
    expect(events.flatMap((e) => e.contentBlockDelta?.delta?.toolUse?.input ?? [])).toEqual(['{', '}'])
    expect(events.at(-2)?.messageStop?.stopReason).toBe('tool_use')
  })

  it('breaks a tool-call stream after the scripted number of frames', async () => {
    emulators.bedrock.script.enqueue({ ...scripted, breakAfterChunks: 3 })
    const events: ConverseStreamOutput[] = []
    await expect(collect((await bedrock.send(new ConverseStreamCommand({ modelId, messages }))).stream!, events)).rejects.toThrow()
    expect(events).toHaveLength(3)
  })

  it('InvokeModel still answers text, consuming the behaviour', async () => {
    emulators.bedrock.script.enqueue(scripted)
    const body = JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 3, messages: [{ role: 'user', content: 'Hi' }] })
    const out = await bedrock.send(new InvokeModelCommand({ modelId, body }))
    expect(JSON.parse(Buffer.from(out.body).toString('utf8'))).toMatchObject({ content: [{ type: 'text' }], stop_reason: 'max_tokens' })
    expect(emulators.bedrock.script.pending).toBe(0)
  })
})

describe('Gemini', () => {
  const model = 'gemini-2.0-flash'
  const contents = 'Weather in Paris?'
  const genai = (): GoogleGenAI => new GoogleGenAI({ apiKey: creds.gemini.apiKey, httpOptions: { baseUrl: emulators.gemini.url } })
  const tools = [{ functionDeclarations: [{ name: 'get_weather' }, { name: 'get_time' }] }]
  const forced = (allowedFunctionNames?: string[]): GenerateContentConfig => ({
    tools,
    toolConfig: { functionCallingConfig: { mode: FunctionCallingConfigMode.ANY, ...(allowedFunctionNames === undefined ? {} : { allowedFunctionNames }) } },
  })

  it('answers a scripted call with a functionCall part and finishReason STOP', async () => {
    emulators.gemini.script.enqueue(scripted)
    const out = await genai().models.generateContent({ model, contents })
    expect(out.functionCalls).toEqual([{ name: 'get_weather', args: ARGS }])
    expect(out.candidates?.[0]?.finishReason).toBe('STOP')
    expect(out.usageMetadata).toMatchObject({ promptTokenCount: 5, candidatesTokenCount: ARGS_TOKENS, totalTokenCount: 5 + ARGS_TOKENS })
  })

  it.each([
    ['ANY: the first declared function', undefined, 'get_weather'],
    ['ANY with allowedFunctionNames: the first allowed', ['get_time'], 'get_time'],
  ])('forces a call by mode %s', async (_, allowed, name) => {
    const out = await genai().models.generateContent({ model, contents, config: forced(allowed) })
    expect(out.functionCalls).toEqual([{ name, args: {} }])
    expect(out.usageMetadata?.candidatesTokenCount).toBe(1)
    expect(emulators.gemini.requests.last()?.body).toMatchObject({ toolConfig: { functionCallingConfig: { mode: 'ANY' } } })
  })

  it('answers text in AUTO mode', async () => {
    const config = { tools, toolConfig: { functionCallingConfig: { mode: FunctionCallingConfigMode.AUTO } } }
    const out = await genai().models.generateContent({ model, contents, config })
    expect(out.functionCalls).toBeUndefined()
    expect(out.text).toContain('Hello from')
  })

  it.each([
    ['scripted', true, undefined, { name: 'get_weather', args: ARGS }],
    ['forced', false, forced(['get_time']), { name: 'get_time', args: {} }],
  ])('streams a %s call over SSE as one chunk', async (_, script, config, call) => {
    if (script) emulators.gemini.script.enqueue(scripted)
    const chunks = await collect(await genai().models.generateContentStream({ model, contents, ...(config === undefined ? {} : { config }) }))
    expect(chunks.flatMap((c) => c.functionCalls ?? [])).toEqual([call])
    expect(chunks.at(-1)?.candidates?.[0]?.finishReason).toBe('STOP')
    expect(emulators.gemini.requests.last()?.query).toBe('alt=sse')
  })

  it('streams a forced call in the JSON-array form, snake_case fields accepted', async () => {
    const res = await fetch(`${emulators.gemini.url}/v1beta/models/${model}:streamGenerateContent?key=${creds.gemini.apiKey}`, {
      method: 'POST',
      body: JSON.stringify({
        contents: [{ role: 'user', parts: [{ text: contents }] }],
        tools: [{ function_declarations: [{ name: 'get_weather' }] }],
        tool_config: { function_calling_config: { mode: 'ANY' } },
      }),
    })
    const items = JSON.parse(await res.text()) as unknown[]
    expect(items).toEqual([
      expect.objectContaining({ candidates: [{ content: { parts: [{ functionCall: { name: 'get_weather', args: {} } }], role: 'model' }, index: 0, finishReason: 'STOP' }] }),
    ])
  })
})

describe('Llama API native', () => {
  const model = 'Llama-4-Maverick-17B-128E-Instruct-FP8'
  const messages = [{ role: 'user' as const, content: 'Weather in Paris?' }]
  const tools = [
    { type: 'function' as const, function: { name: 'get_weather' } },
    { type: 'function' as const, function: { name: 'get_time' } },
  ]
  const llama = (): LlamaAPIClient => new LlamaAPIClient({ apiKey: creds.llama.apiKey, baseURL: `${emulators.llama.url}/v1`, maxRetries: 0 })

  it('answers a scripted call in completion_message.tool_calls with stop_reason tool_calls', async () => {
    emulators.llama.script.enqueue(scripted)
    const out = await llama().chat.completions.create({ model, messages })
    expect(out.completion_message).toEqual({
      role: 'assistant',
      stop_reason: 'tool_calls',
      content: { type: 'text', text: '' },
      tool_calls: [{ id: expect.stringMatching(/^call_/), function: { name: 'get_weather', arguments: ARGS_JSON } }],
    })
    expect(out.metrics?.find((m) => m.metric === 'num_completion_tokens')?.value).toBe(ARGS_TOKENS)
  })

  it.each([
    ['"required": the first declared tool', 'required' as const, 'get_weather'],
    ['a named function', { type: 'function' as const, function: { name: 'get_time' } }, 'get_time'],
  ])('forces a call by tool_choice %s', async (_, tool_choice, name) => {
    const out = await llama().chat.completions.create({ model, messages, tools, tool_choice })
    expect(out.completion_message.stop_reason).toBe('tool_calls')
    expect(out.completion_message.tool_calls).toEqual([{ id: expect.any(String), function: { name, arguments: '{}' } }])
  })

  it('answers text with tool_choice auto', async () => {
    const out = await llama().chat.completions.create({ model, messages, tools, tool_choice: 'auto' })
    expect(out.completion_message.stop_reason).toBe('stop')
    expect(out.completion_message.tool_calls).toBeUndefined()
  })

  it('streams a scripted call as tool_call progress deltas, id and name first', async () => {
    emulators.llama.script.enqueue(scripted)
    const chunks = await collect(await llama().chat.completions.create({ model, messages, stream: true }))
    expect(chunks.map((c) => c.event.event_type)).toEqual(['start', 'progress', 'progress', 'progress', 'progress', 'complete', 'metrics'])
    const deltas = chunks.filter((c) => c.event.event_type === 'progress').map((c) => c.event.delta)
    expect(deltas[0]).toMatchObject({ type: 'tool_call', id: expect.stringMatching(/^call_/), function: { name: 'get_weather' } })
    expect(deltas.slice(1).every((d) => d.type === 'tool_call' && d.id === undefined)).toBe(true)
    expect(deltas.map((d) => (d.type === 'tool_call' ? d.function.arguments : '')).join('')).toBe(ARGS_JSON)
    expect(chunks.at(-2)?.event.stop_reason).toBe('tool_calls')
    expect(chunks.at(-1)?.event.metrics?.find((m) => m.metric === 'num_completion_tokens')?.value).toBe(ARGS_TOKENS)
  })

  it('streams a forced call', async () => {
    const chunks = await collect(await llama().chat.completions.create({ model, messages, tools, tool_choice: 'required', stream: true }))
    const deltas = chunks.filter((c) => c.event.event_type === 'progress').map((c) => c.event.delta)
    expect(deltas).toEqual([
      { type: 'tool_call', id: expect.any(String), function: { name: 'get_weather', arguments: '{' } },
      { type: 'tool_call', function: { arguments: '}' } },
    ])
    expect(chunks.at(-2)?.event.stop_reason).toBe('tool_calls')
  })
})

describe('OpenAI chat (and the Llama compat endpoint)', () => {
  const model = 'gpt-4o-mini'
  const messages = [{ role: 'user' as const, content: 'Weather in Paris?' }]
  const tools = [
    { type: 'function' as const, function: { name: 'get_weather' } },
    { type: 'function' as const, function: { name: 'get_time' } },
  ]
  const openai = (baseURL = `${emulators.openai.url}/v1`, apiKey = creds.openai.apiKey): OpenAI => new OpenAI({ apiKey, baseURL, maxRetries: 0 })

  it('answers a scripted call in message.tool_calls with finish_reason tool_calls', async () => {
    emulators.openai.script.enqueue(scripted)
    const out = await openai().chat.completions.create({ model, messages })
    expect(out.choices[0]?.finish_reason).toBe('tool_calls')
    expect(out.choices[0]?.message).toEqual({
      role: 'assistant',
      content: null,
      refusal: null,
      tool_calls: [{ id: expect.stringMatching(/^call_/), type: 'function', function: { name: 'get_weather', arguments: ARGS_JSON } }],
    })
    expect(out.usage).toMatchObject({ prompt_tokens: 5, completion_tokens: ARGS_TOKENS, total_tokens: 5 + ARGS_TOKENS })
  })

  it.each([
    ['"required": the first declared tool', 'required' as const, 'get_weather'],
    ['a named function', { type: 'function' as const, function: { name: 'get_time' } }, 'get_time'],
  ])('forces a call by tool_choice %s', async (_, tool_choice, name) => {
    const out = await openai().chat.completions.create({ model, messages, tools, tool_choice })
    expect(out.choices[0]?.finish_reason).toBe('tool_calls')
    expect(out.choices[0]?.message.tool_calls).toEqual([{ id: expect.any(String), type: 'function', function: { name, arguments: '{}' } }])
    expect(out.usage?.completion_tokens).toBe(1)
  })

  it('answers text when tools are declared but not forced', async () => {
    const out = await openai().chat.completions.create({ model, messages, tools })
    expect(out.choices[0]?.finish_reason).toBe('stop')
    expect(out.choices[0]?.message.tool_calls).toBeUndefined()
  })

  it('streams a scripted call as indexed tool_calls deltas the SDK reassembles', async () => {
    emulators.openai.script.enqueue(scripted)
    const stream = openai().chat.completions.stream({ model, messages, stream_options: { include_usage: true } })
    const pieces: string[] = []
    stream.on('tool_calls.function.arguments.delta', (event) => pieces.push(event.arguments_delta))
    const final = await stream.finalChatCompletion()
    // The opening chunk's empty arguments count as a delta too.
    expect(pieces).toEqual(['', '{"city":', '"Paris",', '"units":', '"metric"}'])
    expect(final.choices[0]?.finish_reason).toBe('tool_calls')
    expect(final.choices[0]?.message.tool_calls).toEqual([{ id: expect.stringMatching(/^call_/), type: 'function', function: { name: 'get_weather', arguments: ARGS_JSON } }])
    expect(final.usage).toMatchObject({ completion_tokens: ARGS_TOKENS })
  })

  it('streams a forced call: the first chunk opens it with id and name', async () => {
    const chunks = await collect(await openai().chat.completions.create({ model, messages, tools, tool_choice: 'required', stream: true }))
    const calls = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? [])
    expect(calls).toEqual([
      { index: 0, id: expect.any(String), type: 'function', function: { name: 'get_weather', arguments: '' } },
      { index: 0, function: { arguments: '{' } },
      { index: 0, function: { arguments: '}' } },
    ])
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('tool_calls')
  })

  it('answers a forced call on the Llama compat endpoint', async () => {
    const compat = openai(`${emulators.llama.url}/compat/v1`, creds.llama.apiKey)
    const out = await compat.chat.completions.create({ model: 'Llama-3.3-70B-Instruct', messages, tools, tool_choice: { type: 'function', function: { name: 'get_time' } } })
    expect(out.choices[0]?.message.tool_calls?.[0]).toMatchObject({ type: 'function', function: { name: 'get_time', arguments: '{}' } })
  })
})

describe('scripting a tool call over the control endpoint', () => {
  it('queues a valid toolCall and answers with it', async () => {
    const { url } = emulators.openai
    const res = await fetch(`${url}/__emulator/script`, { method: 'POST', body: JSON.stringify(scripted) })
    expect(await res.json()).toEqual({ pending: 1 })
    const out = await new OpenAI({ apiKey: creds.openai.apiKey, baseURL: `${url}/v1`, maxRetries: 0 }).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi' }],
    })
    expect(out.choices[0]?.message.tool_calls?.[0]).toMatchObject({ function: { name: 'get_weather', arguments: ARGS_JSON } })
  })

  it.each([
    ['a string', 'get_weather', 'behaviour.toolCall: must be an object'],
    ['no name', { arguments: {} }, 'behaviour.toolCall.name: must be a non-empty string'],
    ['an empty name', { name: '', arguments: {} }, 'behaviour.toolCall.name: must be a non-empty string'],
    ['no arguments', { name: 'f' }, 'behaviour.toolCall.arguments: must be a JSON object'],
    ['array arguments', { name: 'f', arguments: [1] }, 'behaviour.toolCall.arguments: must be a JSON object'],
    ['string arguments', { name: 'f', arguments: '{}' }, 'behaviour.toolCall.arguments: must be a JSON object'],
    ['an unknown key', { name: 'f', arguments: {}, id: 'x' }, 'behaviour.toolCall: unknown key id'],
  ])('rejects a toolCall with %s', async (_, toolCall, message) => {
    expect(() => parseBehaviours({ toolCall })).toThrow(message)
    const res = await fetch(`${emulators.gemini.url}/__emulator/script`, { method: 'POST', body: JSON.stringify({ toolCall }) })
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({ error: message })
  })
})
