import { describe, expect, it } from 'vitest'
import { bedrockFinishReason, fromBedrock } from './from-bedrock.js'
import { fromGemini, geminiFinishReason } from './from-gemini.js'
import { fromLlama, llamaFinishReason } from './from-llama.js'
import { parseChatRequest } from './parse-request.js'
import { toBedrock } from './to-bedrock.js'
import { toGemini } from './to-gemini.js'
import type { ChatCompletion, CompletionResult, ResponseContext } from './types.js'

const context: ResponseContext = { id: 'chatcmpl-r1', model: 'smart', clock: () => 1_700_000_000_500, includeUsage: false }

function completion(message: ChatCompletion['choices'][0]['message'], finish: string, usage?: object): CompletionResult {
  return {
    ok: true,
    completion: {
      id: 'chatcmpl-r1',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: 'smart',
      choices: [{ index: 0, message, finish_reason: finish, logprobs: null }],
      ...(usage !== undefined ? { usage } : {}),
    } as ChatCompletion,
  }
}
const text = (content: string | null, toolCalls?: object[]): ChatCompletion['choices'][0]['message'] =>
  ({ role: 'assistant', content, refusal: null, ...(toolCalls !== undefined ? { tool_calls: toolCalls } : {}) }) as ChatCompletion['choices'][0]['message']
const call = (id: string, name: string, args: string): object => ({ id, type: 'function', function: { name, arguments: args } })

describe('finish reasons', () => {
  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['model_context_window_exceeded', 'length'],
    ['tool_use', 'tool_calls'],
    ['guardrail_intervened', 'content_filter'],
    ['content_filtered', 'content_filter'],
    ['something_new', 'stop'],
  ])('bedrock %s → %s', (native, expected) => expect(bedrockFinishReason(native)).toBe(expected))

  it.each([
    ['STOP', false, 'stop'],
    ['STOP', true, 'tool_calls'],
    ['MAX_TOKENS', true, 'length'],
    ['SAFETY', false, 'content_filter'],
    ['RECITATION', false, 'content_filter'],
    ['PROHIBITED_CONTENT', false, 'content_filter'],
    ['OTHER', false, 'stop'],
  ])('gemini %s (tools called: %s) → %s', (native, calledTools, expected) => expect(geminiFinishReason(native, calledTools)).toBe(expected))

  it.each([
    ['stop', 'stop'],
    ['length', 'length'],
    ['tool_calls', 'tool_calls'],
    [undefined, 'stop'],
  ])('llama %s → %s', (native, expected) => expect(llamaFinishReason(native)).toBe(expected))
})

describe('fromBedrock', () => {
  it.each([
    [
      'text with cache usage',
      {
        output: { message: { role: 'assistant', content: [{ text: 'Hello' }, { text: ' there' }] } },
        stopReason: 'end_turn',
        usage: { inputTokens: 10, outputTokens: 3, totalTokens: 13, cacheReadInputTokens: 5, cacheWriteInputTokens: 2 },
      },
      completion(text('Hello there'), 'stop', { prompt_tokens: 17, completion_tokens: 3, total_tokens: 20, prompt_tokens_details: { cached_tokens: 5 } }),
    ],
    [
      'tool use',
      {
        output: { message: { role: 'assistant', content: [{ text: 'Checking.' }, { toolUse: { toolUseId: 'tooluse_1', name: 'get_weather', input: { city: 'Paris' } } }] } },
        stopReason: 'tool_use',
        usage: { inputTokens: 20, outputTokens: 8 },
      },
      completion(text('Checking.', [call('tooluse_1', 'get_weather', '{"city":"Paris"}')]), 'tool_calls', { prompt_tokens: 20, completion_tokens: 8, total_tokens: 28 }),
    ],
    ['truncated, no usage', { output: { message: { content: [{ text: 'Hel' }] } }, stopReason: 'max_tokens' }, completion(text('Hel'), 'length')],
    ['no output', { message: 'oops' }, { ok: false, message: 'The Bedrock Converse response has no output.message.content.' }],
  ])('%s', (_name, body, expected) => expect(fromBedrock(body, context)).toEqual(expected))
})

describe('fromGemini', () => {
  it.each([
    [
      'text, thoughts skipped and counted',
      {
        candidates: [{ content: { role: 'model', parts: [{ text: 'hmm', thought: true }, { text: 'Hi!' }] }, finishReason: 'STOP' }],
        usageMetadata: { promptTokenCount: 7, candidatesTokenCount: 2, thoughtsTokenCount: 4, cachedContentTokenCount: 3, totalTokenCount: 13 },
      },
      completion(text('Hi!'), 'stop', {
        prompt_tokens: 7,
        completion_tokens: 6,
        total_tokens: 13,
        prompt_tokens_details: { cached_tokens: 3 },
        completion_tokens_details: { reasoning_tokens: 4 },
      }),
    ],
    [
      'function calls get ids',
      {
        candidates: [{ content: { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } } }, { functionCall: { name: 'now', id: 'fc-9' } }] }, finishReason: 'STOP' }],
        usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 4 },
      },
      completion(text(null, [call('call_0_chatcmpl-r1', 'get_weather', '{"city":"Paris"}'), call('fc-9', 'now', '{}')]), 'tool_calls', {
        prompt_tokens: 5,
        completion_tokens: 4,
        total_tokens: 9,
      }),
    ],
    ['safety stop', { candidates: [{ finishReason: 'SAFETY' }] }, completion(text(''), 'content_filter')],
    [
      'blocked prompt',
      { promptFeedback: { blockReason: 'SAFETY' }, usageMetadata: { promptTokenCount: 4 } },
      completion(text(''), 'content_filter', { prompt_tokens: 4, completion_tokens: 0, total_tokens: 4 }),
    ],
    ['no candidates', {}, { ok: false, message: 'The Gemini response has no candidates.' }],
    ['not an object', 'x', { ok: false, message: 'The Gemini response is not a JSON object.' }],
  ])('%s', (_name, body, expected) => expect(fromGemini(body, context)).toEqual(expected))
})

const metrics = (prompt: number, completionTokens: number): object[] => [
  { metric: 'num_prompt_tokens', value: prompt, unit: 'tokens' },
  { metric: 'num_completion_tokens', value: completionTokens, unit: 'tokens' },
  { metric: 'num_total_tokens', value: prompt + completionTokens, unit: 'tokens' },
]

describe('fromLlama', () => {
  it.each([
    [
      'text item',
      { id: 'x', completion_message: { role: 'assistant', stop_reason: 'stop', content: { type: 'text', text: 'Hi' } }, metrics: metrics(3, 1) },
      completion(text('Hi'), 'stop', { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 }),
    ],
    [
      'tool call',
      {
        completion_message: { role: 'assistant', stop_reason: 'tool_calls', content: '', tool_calls: [{ id: 'c1', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } }] },
        metrics: metrics(9, 6),
      },
      completion(text(null, [call('c1', 'get_weather', '{"city":"Rome"}')]), 'tool_calls', { prompt_tokens: 9, completion_tokens: 6, total_tokens: 15 }),
    ],
    ['length, string content, no metrics', { completion_message: { role: 'assistant', stop_reason: 'length', content: 'Hel' } }, completion(text('Hel'), 'length')],
    ['error body', { title: 'Bad Request', detail: 'x', status: 400 }, { ok: false, message: 'The Llama response has no completion_message.' }],
  ])('%s', (_name, body, expected) => expect(fromLlama(body, context)).toEqual(expected))
})

describe('tool call round trip', () => {
  const tools = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }]
  const first = [{ role: 'user', content: 'Weather in Paris?' }]

  it.each([
    [
      'bedrock',
      { output: { message: { content: [{ toolUse: { toolUseId: 'tooluse_A', name: 'get_weather', input: { city: 'Paris' } } }] } }, stopReason: 'tool_use' },
      fromBedrock,
      (body: unknown) => {
        const parsed = parseChatRequest(body)
        return parsed.ok ? toBedrock(parsed.request, 'm') : parsed
      },
      [
        { role: 'user', content: [{ text: 'Weather in Paris?' }] },
        { role: 'assistant', content: [{ toolUse: { toolUseId: 'tooluse_A', name: 'get_weather', input: { city: 'Paris' } } }] },
        { role: 'user', content: [{ toolResult: { toolUseId: 'tooluse_A', content: [{ text: '{"temp":21}' }] } }] },
      ],
    ],
    [
      'gemini',
      { candidates: [{ content: { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } } }] }, finishReason: 'STOP' }] },
      fromGemini,
      (body: unknown) => {
        const parsed = parseChatRequest(body)
        return parsed.ok ? toGemini(parsed.request, 'gemini-2.5-flash') : parsed
      },
      [
        { role: 'user', parts: [{ text: 'Weather in Paris?' }] },
        { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } } }] },
        { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { temp: 21 } } }] },
      ],
    ],
  ])('%s', (_name, nativeResponse, from, to, expectedTurns) => {
    const answer = from(nativeResponse, context)
    if (!answer.ok) throw new Error(answer.message)
    const message = answer.completion.choices[0].message
    expect(answer.completion.choices[0].finish_reason).toBe('tool_calls')
    const id = message.tool_calls?.[0]?.id
    const next = to({ model: 'smart', tools, messages: [...first, message, { role: 'tool', tool_call_id: id, content: '{"temp":21}' }] })
    expect(next).toMatchObject({ ok: true })
    const turns = next.ok ? (next.body.messages ?? next.body.contents) : undefined
    expect(turns).toEqual(expectedTurns)
  })
})
