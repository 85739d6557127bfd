// The unified endpoint and Anthropic's models on Vertex AI: the OpenAI chat request as the
// Messages body rawPredict takes (to-anthropic.ts through toVertex), and Anthropic's message and
// SSE events back as a chat.completion and chunks (from-anthropic.ts), read by the official
// openai SDK where the client would read them (its fetch is the only fake).
import OpenAI from 'openai'
import { describe, expect, it } from 'vitest'
import { fixture } from '../../test/fixtures/providers/helpers.js'
import { anthropicFinishReason, fromAnthropic } from './from-anthropic.js'
import { parseChatRequest } from './parse-request.js'
import { DEFAULT_ANTHROPIC_MAX_TOKENS } from './to-anthropic.js'
import { toVertex } from './to-vertex.js'
import { unifiedTranslators } from './translators.js'
import type { ChatRequest, ResponseContext } from './types.js'

const CLAUDE = 'anthropic/claude-sonnet-4@20250514'
const PATH = '/v1/publishers/anthropic/models/claude-sonnet-4@20250514'
const context: ResponseContext = { id: 'chatcmpl-a1', model: 'smart', clock: () => 1_700_000_000_000, includeUsage: true, targetModel: CLAUDE }

function request(body: Record<string, unknown>): ChatRequest {
  const parsed = parseChatRequest({ model: 'smart', ...body })
  if (!parsed.ok) throw new Error(parsed.message)
  return parsed.request
}

const hi = [{ role: 'user', content: 'Hi' }]
const version = { anthropic_version: 'vertex-2023-10-16' }
const weather = {
  type: 'function',
  function: { name: 'get_weather', description: 'Weather now', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
}
const weatherTool = { name: 'get_weather', description: 'Weather now', input_schema: weather.function.parameters }
const toolHistory = [
  { role: 'system', content: 'Be brief.' },
  { role: 'user', content: 'Weather in Paris and Rome?' },
  {
    role: 'assistant',
    content: 'Checking both.',
    tool_calls: [
      { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
      { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
    ],
  },
  { role: 'tool', tool_call_id: 'call_1', content: '{"temp":21}' },
  { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: 'sunny' }] },
  { role: 'user', content: 'And tomorrow?' },
]

describe('toVertex for Anthropic models: the Messages body on rawPredict', () => {
  it.each<[string, Record<string, unknown>, string, Record<string, unknown>]>([
    ['plain: the default max_tokens, no model in the body', { messages: hi }, ':rawPredict', { ...version, max_tokens: DEFAULT_ANTHROPIC_MAX_TOKENS, messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] }],
    [
      'system and developer anywhere become system blocks in order; parameters; stream',
      {
        messages: [{ role: 'system', content: 'A' }, ...hi, { role: 'developer', content: [{ type: 'text', text: 'B' }] }, { role: 'assistant', content: 'Hello' }],
        stream: true,
        stream_options: { include_usage: true },
        max_completion_tokens: 50,
        temperature: 1,
        top_p: 0.5,
        stop: 'END',
      },
      ':streamRawPredict',
      {
        ...version,
        max_tokens: 50,
        system: [
          { type: 'text', text: 'A' },
          { type: 'text', text: 'B' },
        ],
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
          { role: 'assistant', content: [{ type: 'text', text: 'Hello' }] },
        ],
        temperature: 1,
        top_p: 0.5,
        stop_sequences: ['END'],
        stream: true,
      },
    ],
    [
      'tool history: calls as tool_use, parallel results as tool_result blocks in one user turn, a named choice',
      { messages: toolHistory, tools: [weather], tool_choice: { type: 'function', function: { name: 'get_weather' } }, max_tokens: 9 },
      ':rawPredict',
      {
        ...version,
        max_tokens: 9,
        system: [{ type: 'text', text: 'Be brief.' }],
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'Weather in Paris and Rome?' }] },
          {
            role: 'assistant',
            content: [
              { type: 'text', text: 'Checking both.' },
              { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
              { type: 'tool_use', id: 'call_2', name: 'get_weather', input: { city: 'Rome' } },
            ],
          },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 'call_1', content: '{"temp":21}' },
              { type: 'tool_result', tool_use_id: 'call_2', content: 'sunny' },
              { type: 'text', text: 'And tomorrow?' },
            ],
          },
        ],
        tools: [weatherTool],
        tool_choice: { type: 'tool', name: 'get_weather' },
      },
    ],
    [
      'images as base64 sources (image/jpg read as image/jpeg), tool_choice required, a tool without parameters',
      {
        messages: [{ role: 'user', content: [{ type: 'text', text: 'What?' }, { type: 'image_url', image_url: { url: 'data:image/jpg;base64,/9j/', detail: 'low' } }] }],
        tools: [{ type: 'function', function: { name: 'now' } }],
        tool_choice: 'required',
      },
      ':rawPredict',
      {
        ...version,
        max_tokens: DEFAULT_ANTHROPIC_MAX_TOKENS,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What?' },
              { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/' } },
            ],
          },
        ],
        tools: [{ name: 'now', input_schema: { type: 'object', properties: {} } }],
        tool_choice: { type: 'any' },
      },
    ],
    [
      'tool_choice none keeps the tools declared; auto; an empty tool result has no content',
      { messages: [...toolHistory.slice(1, 3), { role: 'tool', tool_call_id: 'call_1', content: '' }, { role: 'tool', tool_call_id: 'call_2', content: 'x' }], tools: [weather], tool_choice: 'none' },
      ':rawPredict',
      {
        ...version,
        max_tokens: DEFAULT_ANTHROPIC_MAX_TOKENS,
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'Weather in Paris and Rome?' }] },
          {
            role: 'assistant',
            content: [
              { type: 'text', text: 'Checking both.' },
              { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
              { type: 'tool_use', id: 'call_2', name: 'get_weather', input: { city: 'Rome' } },
            ],
          },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 'call_1' },
              { type: 'tool_result', tool_use_id: 'call_2', content: 'x' },
            ],
          },
        ],
        tools: [weatherTool],
        tool_choice: { type: 'none' },
      },
    ],
  ])('%s', (_name, body, method, expected) => {
    expect(toVertex(request(body), CLAUDE)).toEqual({ ok: true, path: `${PATH}${method}`, body: expected })
  })

  it.each(['publishers/anthropic/models/claude-sonnet-4@20250514', 'projects/p/locations/us-east5/publishers/anthropic/models/claude-sonnet-4@20250514'])('the resource form %s is the same target', (model) => {
    expect(toVertex(request({ messages: hi }), model)).toMatchObject({ ok: true, path: `${PATH}:rawPredict` })
  })

  it('response_format text is the default answer, and is taken', () => {
    expect(toVertex(request({ messages: hi, response_format: { type: 'text' } }), CLAUDE)).toMatchObject({ ok: true })
  })

  it('a tool history without tools: the called tools are declared and none may be called', () => {
    const built = toVertex(request({ messages: toolHistory }), CLAUDE)
    expect(built.ok && { tools: built.body.tools, tool_choice: built.body.tool_choice }).toEqual({ tools: [{ name: 'get_weather', input_schema: { type: 'object' } }], tool_choice: { type: 'none' } })
    const plain = toVertex(request({ messages: hi }), CLAUDE)
    expect(plain.ok && Object.keys(plain.body)).toEqual(['anthropic_version', 'max_tokens', 'messages'])
  })

  it('tool_choice auto', () => {
    const built = toVertex(request({ messages: hi, tools: [weather], tool_choice: 'auto' }), CLAUDE)
    expect(built.ok && built.body.tool_choice).toEqual({ type: 'auto' })
  })

  it.each<[string, string, Record<string, unknown>, string]>([
    ['a remote image', CLAUDE, { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x/cat.png' } }] }] }, 'Claude on Vertex AI takes images here only as base64 data URLs; remote image URLs cannot be translated.'],
    ['an image type Claude does not read', CLAUDE, { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/tiff;base64,AAAA' } }] }] }, 'Claude takes png, jpeg, gif and webp images; image/tiff cannot be translated.'],
    ['temperature above 1', CLAUDE, { messages: hi, temperature: 1.5 }, 'Claude takes temperature from 0 to 1; 1.5 cannot be translated.'],
    [
      'arguments not JSON',
      CLAUDE,
      { messages: [...hi, { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{' } }] }] },
      'Tool call c has arguments that are not a JSON object.',
    ],
    [
      'a JSON response_format',
      CLAUDE,
      { messages: hi, response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } } },
      'Claude on Vertex AI has no structured output mode; response_format json_schema cannot be translated.',
    ],
    ['only system text', CLAUDE, { messages: [{ role: 'system', content: 'x' }] }, "Anthropic's Messages API needs at least one user or assistant message with content."],
    ['another partner publisher', 'meta/llama-4@001', { messages: hi }, "The unified endpoint serves only Google's and Anthropic's models on Vertex AI; meta/llama-4@001 is a meta model."],
    ['a Claude id without its publisher', 'claude-sonnet-4@20250514', { messages: hi }, "claude-sonnet-4@20250514 names no Google model; Anthropic's models on Vertex AI are named anthropic/claude-sonnet-4@20250514."],
  ])('refuses %s, saying why', (_name, model, body, message) => {
    expect(toVertex(request(body), model)).toEqual({ ok: false, message })
  })
})

describe('fromAnthropic: a message as a chat.completion', () => {
  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['pause_turn', 'stop'],
    ['max_tokens', 'length'],
    ['model_context_window_exceeded', 'length'],
    ['tool_use', 'tool_calls'],
    ['refusal', 'content_filter'],
    [null, 'stop'],
    ['something_new', 'stop'],
  ])('stop_reason %s → %s', (native, expected) => expect(anthropicFinishReason(native)).toBe(expected))

  it('the recorded message: text, the tool_use as a call with its JSON arguments, cache reads counted as prompt tokens', () => {
    const body: unknown = JSON.parse(fixture('vertex/anthropic-message.json').toString())
    expect(fromAnthropic(body, context)).toEqual({
      ok: true,
      completion: {
        id: 'chatcmpl-a1',
        object: 'chat.completion',
        created: 1_700_000_000,
        model: 'smart',
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: "I'll check the weather in Paris.",
              refusal: null,
              tool_calls: [{ id: 'toolu_vrtx_01A09q90qw90lq917835lq9', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius"}' } }],
            },
            finish_reason: 'tool_calls',
            logprobs: null,
          },
        ],
        usage: { prompt_tokens: 1436, completion_tokens: 71, total_tokens: 1507, prompt_tokens_details: { cached_tokens: 1024 } },
      },
    })
  })

  it('thinking blocks are left out; a tool call alone has null content', () => {
    const body = { content: [{ type: 'thinking', thinking: 'hmm', signature: 's' }, { type: 'tool_use', id: 't1', name: 'f', input: {} }], stop_reason: 'tool_use' }
    const result = fromAnthropic(body, context)
    expect(result.ok && result.completion.choices[0].message).toEqual({ role: 'assistant', content: null, refusal: null, tool_calls: [{ id: 't1', type: 'function', function: { name: 'f', arguments: '{}' } }] })
    expect(result.ok && result.completion.usage).toBeUndefined()
  })

  it.each([
    ['an error body', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, 'overloaded_error: Overloaded'],
    ['no content', { type: 'message', stop_reason: 'end_turn' }, 'The Anthropic message has no content array.'],
  ])('%s is a failure', (_name, body, message) => {
    expect(fromAnthropic(body, context)).toEqual({ ok: false, message })
  })
})

/** The chunks a vertex responder writes for these native bytes, parsed. */
function translateStream(body: Buffer, includeUsage = true): { chunks: OpenAI.ChatCompletionChunk[]; written: string; failure: string | undefined } {
  const responder = unifiedTranslators.vertex.responder(true, { ...context, includeUsage })
  const written = [...body].map((byte) => responder.push(Buffer.of(byte))).join('') + responder.end()
  const chunks = written
    .split('\n\n')
    .filter((line) => line.startsWith('data: {'))
    .map((line) => JSON.parse(line.slice(6)) as OpenAI.ChatCompletionChunk)
  return { chunks, written, failure: responder.failure }
}

const sse = (...events: Record<string, unknown>[]): Buffer => Buffer.from(events.map((e) => `event: ${String(e.type)}\ndata: ${JSON.stringify(e)}\n\n`).join(''))
const start = (usage: object): Record<string, unknown> => ({ type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', content: [], stop_reason: null, usage } })

describe('streamRawPredict events as chunks', () => {
  it('the recorded stream, byte by byte: role, text, the call and its argument pieces, one finish, usage last', () => {
    const { chunks, written, failure } = translateStream(fixture('vertex/anthropic-stream.sse'))
    expect(failure).toBeUndefined()
    expect(written.endsWith('data: [DONE]\n\n')).toBe(true)
    expect(chunks.map((c) => c.choices[0]?.delta ?? null)).toEqual([
      { role: 'assistant', content: '' },
      { content: "Okay, let's check" },
      { content: ' the weather for San Francisco, CA:' },
      { tool_calls: [{ index: 0, id: 'toolu_vrtx_01T1x1fJ34qAmk2tNTrN7Up6', type: 'function', function: { name: 'get_weather', arguments: '' } }] },
      { tool_calls: [{ index: 0, function: { arguments: '{"location":' } }] },
      { tool_calls: [{ index: 0, function: { arguments: ' "San Francisco, CA", "unit": "fahrenheit"}' } }] },
      {},
      null,
    ])
    expect(chunks.map((c) => c.choices[0]?.finish_reason ?? null)).toEqual([null, null, null, null, null, null, 'tool_calls', null])
    // input 472 + cache writes 128 + cache reads 256; the output count is message_delta's.
    expect(chunks.at(-1)!.usage).toEqual({ prompt_tokens: 856, completion_tokens: 89, total_tokens: 945, prompt_tokens_details: { cached_tokens: 256 } })
    expect(chunks.every((c) => c.id === 'chatcmpl-a1' && c.model === 'smart')).toBe(true)
  })

  it('two tool_use blocks are two calls, indexed in order', () => {
    const { chunks } = translateStream(
      sse(
        start({ input_tokens: 3, output_tokens: 1 }),
        { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'a', name: 'f', input: {} } },
        { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{}' } },
        { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'b', name: 'g', input: {} } },
        { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"x":1}' } },
        { type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 6 } },
        { type: 'message_stop' },
      ),
      false,
    )
    const calls = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? [])
    expect(calls).toEqual([
      { index: 0, id: 'a', type: 'function', function: { name: 'f', arguments: '' } },
      { index: 0, function: { arguments: '{}' } },
      { index: 1, id: 'b', type: 'function', function: { name: 'g', arguments: '' } },
      { index: 1, function: { arguments: '{"x":1}' } },
    ])
    expect(chunks.some((c) => c.usage !== undefined)).toBe(false)
  })

  it('max_tokens finishes with length', () => {
    const { chunks } = translateStream(
      sse(
        start({ input_tokens: 3, output_tokens: 1 }),
        { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'cut' } },
        { type: 'message_delta', delta: { stop_reason: 'max_tokens' }, usage: { output_tokens: 1 } },
        { type: 'message_stop' },
      ),
    )
    expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0]?.finish_reason).toBe('length')
    expect(chunks.at(-1)!.usage).toEqual({ prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 })
  })

  it.each<[string, Buffer, string]>([
    [
      "Anthropic's error event, named by its type",
      Buffer.concat([sse(start({ input_tokens: 3, output_tokens: 1 })), Buffer.from('event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n')]),
      'vertex: overloaded_error: Overloaded',
    ],
    ['a stream cut before message_delta', sse(start({ input_tokens: 3, output_tokens: 1 }), { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hel' } }), 'vertex: upstream stream ended before its final event.'],
  ])('%s is a failure, with the usage read so far', (_name, body, failure) => {
    const responder = unifiedTranslators.vertex.responder(true, context)
    responder.push(body)
    expect(responder.end()).toBe('')
    expect(responder.failure).toBe(failure)
    expect(responder.usage()).toEqual({ inputTokens: 3, outputTokens: 1, cachedTokens: 0, reasoningTokens: 0 })
  })

  it('the openai SDK assembles the translated stream into the whole completion', async () => {
    const { written } = translateStream(fixture('vertex/anthropic-stream.sse'))
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: 'http://sluice.test/v1', maxRetries: 0, fetch: async () => new Response(written, { headers: { 'content-type': 'text/event-stream' } }) })
    const completion = await client.chat.completions.stream({ model: 'smart', messages: [{ role: 'user', content: 'Weather?' }], stream_options: { include_usage: true } }).finalChatCompletion()
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls')
    expect(completion.choices[0]?.message).toMatchObject({
      content: "Okay, let's check the weather for San Francisco, CA:",
      tool_calls: [{ id: 'toolu_vrtx_01T1x1fJ34qAmk2tNTrN7Up6', type: 'function', function: { name: 'get_weather', arguments: '{"location": "San Francisco, CA", "unit": "fahrenheit"}' } }],
    })
    expect(completion.usage).toMatchObject({ prompt_tokens: 856, completion_tokens: 89, total_tokens: 945 })
  })

  it("a Google model's answers are still read as Gemini's", () => {
    const responder = unifiedTranslators.vertex.responder(false, { ...context, targetModel: 'gemini-2.0-flash' })
    responder.push(fixture('gemini/generate-content.json'))
    expect(JSON.parse(responder.end())).toMatchObject({ object: 'chat.completion', model: 'smart' })
    expect(responder.failure).toBeUndefined()
  })
})
