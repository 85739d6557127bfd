// Unified `POST /v1/responses` (docs/unified.md#responses) with the official openai SDK: the
// Responses request rewritten as a chat request, served by each target type's emulator in its
// native API, and rendered back as a Response object or Responses events — text, instructions,
// max_output_tokens, function tools (calls out, results back in), usage as Sluice counts it,
// refusals of what is not supported. Counts follow the emulators' rule: input tokens =
// ceil(prompt characters / 4); a text reply is `Hello from <model>.` padded to 8 words (= output
// tokens), cut to the request's max tokens; a tool call counts ceil(JSON arguments characters / 4).
import OpenAI, { APIError, BadRequestError } from 'openai'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Emulator } from '../../src/emulators/index.js'
import { TRAFFIC_ON_FLAGS } from '../../src/emulators/sluice-config.js'
import { rejectionOf } from '../support/rejection.js'
import { CLIENT, startStack, type DecisionRecord, type Stack } from '../support/stack.js'

type EmulatorName = 'bedrock' | 'gemini' | 'llama' | 'openai'

interface Case {
  readonly name: string
  readonly provider: string
  readonly model: string
  readonly emulator: EmulatorName
}

const CASES: readonly Case[] = [
  { name: 'resp-bedrock', provider: 'bedrock', model: 'anthropic.claude-3-haiku-20240307-v1:0', emulator: 'bedrock' },
  { name: 'resp-gemini', provider: 'google', model: 'gemini-2.5-flash', emulator: 'gemini' },
  { name: 'resp-llama', provider: 'meta', model: 'Llama-4-Maverick-17B-128E-Instruct-FP8', emulator: 'llama' },
  { name: 'resp-openai', provider: 'openai', model: 'gpt-4o-mini', emulator: 'openai' },
]

let stack: Stack

beforeAll(async () => {
  stack = await startStack({
    configure(config) {
      const models: Record<string, unknown> = {}
      for (const c of CASES) models[c.name] = { targets: [{ provider: c.provider, model: c.model }] }
      config.models = models
      // Guardrails only for requests with `x-sluice-attr-gr: block`.
      config.flags = {
        ...TRAFFIC_ON_FLAGS,
        'ai.guardrails.mode': {
          state: 'ENABLED',
          variants: { off: 'off', block: 'block' },
          defaultVariant: 'off',
          targeting: { if: [{ '==': [{ var: 'gr' }, 'block'] }, 'block', 'off'] },
        },
      }
    },
  })
})
afterAll(async () => {
  await stack.close()
})
beforeEach(() => {
  for (const c of CASES) {
    emulator(c).script.reset()
    emulator(c).requests.clear()
  }
})

const openai = (): OpenAI => new OpenAI({ baseURL: `${stack.sluice.dataUrl}/v1`, apiKey: CLIENT.credentials.apiKey, maxRetries: 0 })
const emulator = (c: Case): Emulator => stack.emulators[c.emulator]

function replyText(model: string, words = 8): string {
  const filler = ['This', 'is', 'a', 'deterministic', 'emulator', 'reply', 'with', 'padding', 'words']
  return ['Hello', 'from', `${model}.`, ...filler].slice(0, words).join(' ')
}

const inputTokens = (...texts: string[]): number => Math.max(1, Math.ceil(texts.join('').length / 4))

const WEATHER: OpenAI.Responses.FunctionTool = {
  type: 'function',
  name: 'get_weather',
  description: 'Current weather in a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  strict: false,
}
const PARIS = { city: 'Paris' }
const PARIS_JSON = '{"city":"Paris"}'

async function decisionOf(requestId: string | null): Promise<DecisionRecord & { route?: string }> {
  return stack.decision(requestId!)
}

describe.each(CASES)('$name → $provider/$model', (c) => {
  it('text in, text out: a Response with one message, usage, the virtual model echoed', async () => {
    const { data, response } = await openai().responses.create({ model: c.name, input: 'Hello there', instructions: 'Be brief.' }).withResponse()
    expect(data.object).toBe('response')
    expect(data.id).toMatch(/^resp_[0-9a-f]{32}$/)
    expect(data.status).toBe('completed')
    expect(data.model).toBe(c.name)
    expect(data.instructions).toBe('Be brief.')
    expect(data.output).toHaveLength(1)
    expect(data.output[0]).toMatchObject({ type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: replyText(c.model) }] })
    // The SDK's convenience text, from the output items.
    expect(data.output_text).toBe(replyText(c.model))
    const input = inputTokens('Be brief.', 'Hello there')
    expect(data.usage).toMatchObject({ input_tokens: input, output_tokens: 8, total_tokens: input + 8 })
    expect(response.headers.get('x-sluice-provider')).toBe(c.provider)
    const record = await decisionOf(response.headers.get('x-sluice-request-id'))
    expect(record).toMatchObject({ provider: c.provider, model: c.model, route: c.name, status: 200, stream: false })
    expect(record.usage).toMatchObject({ inputTokens: input, outputTokens: 8 })
  })

  it('message items, max_output_tokens and temperature reach the target; a cut answer is incomplete', async () => {
    const data = await openai().responses.create({
      model: c.name,
      input: [
        { role: 'developer', content: 'Answer in English.' },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hi' }] },
        { role: 'assistant', content: 'Hello.' },
        { role: 'user', content: 'Again' },
      ],
      max_output_tokens: 3,
      temperature: 0.5,
    })
    expect(data.status).toBe('incomplete')
    expect(data.incomplete_details).toEqual({ reason: 'max_output_tokens' })
    expect(data.output_text).toBe(replyText(c.model, 3))
    expect(data.usage?.output_tokens).toBe(3)
    const body = JSON.stringify(emulator(c).requests.last()!.body)
    for (const text of ['Answer in English.', 'Hi', 'Hello.', 'Again']) expect(body).toContain(text)
    expect(body).toContain('0.5')
  })

  it('streamed: created, in_progress, item and text events, completed with usage', async () => {
    const stream = await openai().responses.create({ model: c.name, input: 'Hello there', stream: true })
    const events: OpenAI.Responses.ResponseStreamEvent[] = []
    for await (const event of stream) events.push(event)
    const types = events.map((e) => e.type)
    expect(types.slice(0, 4)).toEqual(['response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added'])
    expect(types.slice(-4)).toEqual(['response.output_text.done', 'response.content_part.done', 'response.output_item.done', 'response.completed'])
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_e, i) => i))
    const deltas = events.filter((e): e is OpenAI.Responses.ResponseTextDeltaEvent => e.type === 'response.output_text.delta')
    expect(deltas.length).toBeGreaterThan(0)
    expect(deltas.map((d) => d.delta).join('')).toBe(replyText(c.model))
    const completed = events.at(-1) as OpenAI.Responses.ResponseCompletedEvent
    expect(completed.response.status).toBe('completed')
    expect(completed.response.output_text ?? completed.response.output.flatMap((o) => (o.type === 'message' ? o.content : [])).map((p) => (p.type === 'output_text' ? p.text : '')).join('')).toBe(replyText(c.model))
    expect(completed.response.usage).toMatchObject({ input_tokens: inputTokens('Hello there'), output_tokens: 8 })
  })

  it('the SDK stream helper accumulates the same final response', async () => {
    const final = await openai().responses.stream({ model: c.name, input: 'Hello there' }).finalResponse()
    expect(final.output_text).toBe(replyText(c.model))
    expect(final.usage?.total_tokens).toBe(inputTokens('Hello there') + 8)
  })

  it('function tools: a function_call item out, its output back in as function_call_output', async () => {
    emulator(c).script.enqueue({ toolCall: { name: 'get_weather', arguments: PARIS } })
    const first = await openai().responses.create({ model: c.name, input: 'Weather in Paris?', tools: [WEATHER], tool_choice: 'auto' })
    const call = first.output.find((o): o is OpenAI.Responses.ResponseFunctionToolCall => o.type === 'function_call')!
    expect(call).toMatchObject({ type: 'function_call', name: 'get_weather', status: 'completed' })
    expect(JSON.parse(call.arguments)).toEqual(PARIS)
    expect(call.call_id).not.toBe('')
    expect(first.usage?.output_tokens).toBe(Math.ceil(PARIS_JSON.length / 4))
    const second = await openai().responses.create({
      model: c.name,
      tools: [WEATHER],
      input: [{ role: 'user', content: 'Weather in Paris?' }, call, { type: 'function_call_output', call_id: call.call_id, output: '{"tempC":21}' }],
    })
    expect(second.output_text).toBe(replyText(c.model))
    expect(JSON.stringify(emulator(c).requests.last()!.body)).toContain('tempC')
  })

  it('function tools, streamed: output_item.added, arguments deltas and done, the call in the completed response', async () => {
    emulator(c).script.enqueue({ toolCall: { name: 'get_weather', arguments: PARIS } })
    const stream = await openai().responses.create({ model: c.name, input: 'Weather in Paris?', tools: [WEATHER], stream: true })
    const events: OpenAI.Responses.ResponseStreamEvent[] = []
    for await (const event of stream) events.push(event)
    const added = events.find((e) => e.type === 'response.output_item.added' && e.item.type === 'function_call') as OpenAI.Responses.ResponseOutputItemAddedEvent
    expect(added.item).toMatchObject({ type: 'function_call', name: 'get_weather', status: 'in_progress' })
    const deltas = events.filter((e): e is OpenAI.Responses.ResponseFunctionCallArgumentsDeltaEvent => e.type === 'response.function_call_arguments.delta')
    expect(JSON.parse(deltas.map((d) => d.delta).join(''))).toEqual(PARIS)
    const done = events.find((e) => e.type === 'response.function_call_arguments.done') as OpenAI.Responses.ResponseFunctionCallArgumentsDoneEvent
    expect(JSON.parse(done.arguments)).toEqual(PARIS)
    const completed = events.at(-1) as OpenAI.Responses.ResponseCompletedEvent
    expect(completed.type).toBe('response.completed')
    expect(completed.response.output.some((o) => o.type === 'function_call' && o.name === 'get_weather')).toBe(true)
  })
})

describe('unified responses: refusals and errors in OpenAI error shape', () => {
  const c = CASES[0]!

  it.each([
    ['previous_response_id', { input: 'x', previous_response_id: 'resp_1' }, 'Sluice stores no responses'],
    ['a built-in tool', { input: 'x', tools: [{ type: 'web_search' }] }, 'only `function` tools are supported'],
    ['an unsupported item', { input: [{ type: 'reasoning', id: 'r', summary: [] }] }, 'item type "reasoning" is not supported'],
    ['an input file', { input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'f' }] }] }, 'content type "input_file" is not supported'],
    ['no input', {}, '`input` must be a string or a non-empty array'],
    ['a bad temperature', { input: 'x', temperature: 3 }, '`temperature` must be a number from 0 to 2'],
    ['background', { input: 'x', background: true }, 'background responses are not supported'],
  ])('%s: 400 SLUICE_ERR_REQUEST_INVALID naming it', async (_name, fields, message) => {
    const err = await rejectionOf<BadRequestError>(openai().responses.create({ model: c.name, ...fields } as unknown as OpenAI.Responses.ResponseCreateParamsNonStreaming))
    expect(err).toBeInstanceOf(BadRequestError)
    expect(err.code).toBe('SLUICE_ERR_REQUEST_INVALID')
    expect(err.message).toContain(message)
    expect(emulator(c).requests.count).toBe(0)
  })

  it('an unknown virtual model: 404', async () => {
    const err = await rejectionOf<APIError>(openai().responses.create({ model: 'nope', input: 'x' }))
    expect(err.status).toBe(404)
    expect(err.code).toBe('SLUICE_ERR_VIRTUAL_MODEL_NOT_FOUND')
  })

  it('an upstream error keeps its status and detail', async () => {
    emulator(c).script.enqueue({ status: 400 })
    const err = await rejectionOf<APIError>(openai().responses.create({ model: c.name, input: 'x' }))
    expect(err.status).toBe(400)
    expect(err.message).toContain('bedrock: ValidationException')
  })

  it('a stream that breaks mid-answer ends with an error event and the SDK raises', async () => {
    emulator(c).script.enqueue({ breakAfterChunks: 2 })
    const stream = await openai().responses.create({ model: c.name, input: 'Hello there', stream: true })
    const types: string[] = []
    const err = await rejectionOf(
      (async () => {
        for await (const event of stream) types.push(event.type)
      })(),
    )
    expect(err).toBeInstanceOf(Error)
    expect(types[0]).toBe('response.created')
    expect(types).not.toContain('response.completed')
  })
})

describe('unified responses: guardrails read the request as chat, and the answer as it streams', () => {
  const c = CASES[0]!
  const BLOCK = { headers: { 'x-sluice-attr-gr': 'block' } }

  it('personal data is masked before the request leaves', async () => {
    await openai().responses.create({ model: c.name, input: [{ role: 'user', content: 'Charge card 4111 1111 1111 1111 please.' }] }, BLOCK)
    const sent = JSON.stringify(emulator(c).requests.last()!.body)
    expect(sent).toContain('[REDACTED:card]')
    expect(sent).not.toContain('4111')
  })

  it('a credential in the request is refused before anything goes upstream', async () => {
    const err = await rejectionOf<BadRequestError>(openai().responses.create({ model: c.name, input: 'my key is AKIAQ3EGRN5LP7XKZ2VD' }, BLOCK))
    expect(err).toBeInstanceOf(BadRequestError)
    expect(err.code).toBe('SLUICE_ERR_GUARDRAIL_CREDENTIALS')
    expect(emulator(c).requests.count).toBe(0)
  })

  it.each([false, true])('a credential in the answer (stream %s) is refused with the guardrail code; no completed response', async (stream) => {
    emulator(c).script.enqueue({ text: 'Your key is AKIAQ3EGRN5LP7XKZ2VD okay' })
    const types: string[] = []
    const err = await rejectionOf<APIError>(
      (async () => {
        if (!stream) return void (await openai().responses.create({ model: c.name, input: 'Hello there' }, BLOCK))
        // The guardrail holds back the first events: the refusal comes before the head, as a 400.
        for await (const event of await openai().responses.create({ model: c.name, input: 'Hello there', stream: true }, BLOCK)) types.push(event.type)
      })(),
    )
    expect(err).toBeInstanceOf(APIError)
    expect(err.code).toBe('SLUICE_ERR_GUARDRAIL_CREDENTIALS')
    expect(types).not.toContain('response.completed')
  })
})
