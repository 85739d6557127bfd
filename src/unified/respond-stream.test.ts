// The streamed unified answer over real native bytes (recorded fixtures and hand-built frames),
// each cut whole, byte by byte and at seeded random points: every cutting must write the same text.
import { EventStreamCodec } from '@smithy/eventstream-codec'
import { fromUtf8, toUtf8 } from '@smithy/util-utf8'
import { describe, expect, it } from 'vitest'
import { chunkings, fixture } from '../../test/fixtures/providers/helpers.js'
import type { ProviderType } from '../core/wire.js'
import { unifiedTranslators } from './translators.js'
import type { ResponseContext } from './types.js'

const context = (includeUsage: boolean): ResponseContext => ({ id: 'chatcmpl-r1', model: 'smart', clock: () => 1_700_000_000_500, includeUsage })

const codec = new EventStreamCodec(toUtf8, fromUtf8)
const message = (headers: Record<string, string>, body: string): Buffer =>
  Buffer.from(codec.encode({ headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, { type: 'string' as const, value: v }])), body: fromUtf8(body) }))
const frame = (type: string, payload: unknown): Buffer =>
  message({ ':event-type': type, ':content-type': 'application/json', ':message-type': 'event' }, typeof payload === 'string' ? payload : JSON.stringify(payload))
const bedrockFixture = (JSON.parse(fixture('bedrock/converse-stream.events.json').toString()) as { type: string; body: unknown }[]).map((e) => frame(e.type, e.body))
const bedrock = (...frames: Buffer[]): Buffer => Buffer.concat(frames)
const sse = (...events: (object | string)[]): Buffer => Buffer.from(events.map((e) => (typeof e === 'string' ? e : `data: ${JSON.stringify(e)}\n\n`)).join(''))

const chunk = (delta: object, finish: string | null = null): object => ({
  id: 'chatcmpl-r1',
  object: 'chat.completion.chunk',
  created: 1_700_000_000,
  model: 'smart',
  choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
})
const role = chunk({ role: 'assistant', content: '' })
const text = (content: string): object => chunk({ content })
const finish = (reason: string): object => chunk({}, reason)
const usage = (prompt: number, completion: number, extra: object = {}): object => ({
  id: 'chatcmpl-r1',
  object: 'chat.completion.chunk',
  created: 1_700_000_000,
  model: 'smart',
  choices: [],
  usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion, ...extra },
})
const tool = (index: number, args: string, id?: string, name?: string): object =>
  chunk({ tool_calls: [id === undefined ? { index, function: { arguments: args } } : { index, id, type: 'function', function: { name, arguments: args } }] })

/** Each `data:` of the written SSE text, parsed; `[DONE]` kept as is. */
function events(written: string): unknown[] {
  return written
    .split('\n\n')
    .filter((e) => e !== '')
    .map((e) => {
      expect(e.startsWith('data: ')).toBe(true)
      const data = e.slice('data: '.length)
      return data === '[DONE]' ? data : JSON.parse(data)
    })
}

function run(provider: ProviderType, includeUsage: boolean, chunks: Buffer[]): { written: string; failure: string | undefined } {
  const responder = unifiedTranslators[provider].responder(true, context(includeUsage))
  let written = ''
  for (const piece of chunks) written += responder.push(piece)
  written += responder.end()
  return { written, failure: responder.failure }
}

const geminiChunk = (parts: object[], finishReason?: string): object => ({
  candidates: [{ content: { role: 'model', parts }, ...(finishReason !== undefined ? { finishReason } : {}), index: 0 }],
  usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 3, totalTokenCount: 8 },
})
const llama = (event: object): object => ({ id: 'llama-1', event })
const empty = { type: 'text', text: '' }
const llamaText = fixture('llama/chat-completion-stream.sse')
const geminiText = fixture('gemini/stream-generate-content.sse')
const cutBeforeStop = bedrockFixture.slice(0, 4)

type StreamCase = [string, ProviderType, boolean, Buffer, unknown[], string | undefined]
const streamCases: StreamCase[] = [
  ['bedrock text, usage', 'bedrock', true, bedrock(...bedrockFixture), [role, text('Hello'), text(', "usage": {"inputTokens": 7}'), finish('stop'), usage(14, 9), '[DONE]'], undefined],
  ['bedrock text, no usage', 'bedrock', false, bedrock(...bedrockFixture), [role, text('Hello'), text(', "usage": {"inputTokens": 7}'), finish('stop'), '[DONE]'], undefined],
  [
    'bedrock tool call',
    'bedrock',
    true,
    bedrock(
      frame('messageStart', { role: 'assistant' }),
      frame('contentBlockStart', { contentBlockIndex: 0, start: { toolUse: { toolUseId: 'tooluse_A', name: 'get_weather' } } }),
      frame('contentBlockDelta', { contentBlockIndex: 0, delta: { toolUse: { input: '{"city":' } } }),
      frame('contentBlockDelta', { contentBlockIndex: 0, delta: { toolUse: { input: '"Paris"}' } } }),
      frame('contentBlockStop', { contentBlockIndex: 0 }),
      frame('messageStop', { stopReason: 'tool_use' }),
      frame('metadata', { usage: { inputTokens: 5, outputTokens: 3, cacheReadInputTokens: 2 } }),
    ),
    [role, tool(0, '', 'tooluse_A', 'get_weather'), tool(0, '{"city":'), tool(0, '"Paris"}'), finish('tool_calls'), usage(7, 3, { prompt_tokens_details: { cached_tokens: 2 } }), '[DONE]'],
    undefined,
  ],
  [
    'bedrock exception frame mid-stream',
    'bedrock',
    true,
    bedrock(
      ...cutBeforeStop.slice(0, 2),
      message({ ':message-type': 'exception', ':exception-type': 'throttlingException', ':content-type': 'application/json' }, '{"message":"Too many tokens, please wait."}'),
      ...bedrockFixture.slice(2),
    ),
    [role, text('Hello')],
    'bedrock: throttlingException: Too many tokens, please wait.',
  ],
  ['bedrock error message', 'bedrock', true, bedrock(bedrockFixture[0]!, message({ ':message-type': 'error', ':error-code': 'InternalFailure', ':error-message': 'boom' }, '')), [role], 'bedrock: InternalFailure: boom'],
  ['bedrock unknown message type', 'bedrock', true, bedrock(bedrockFixture[0]!, message({ ':message-type': 'surprise' }, '{}')), [role], 'bedrock: unknown stream message type surprise.'],
  ['bedrock event that is not JSON', 'bedrock', true, bedrock(bedrockFixture[0]!, frame('contentBlockDelta', '{"contentBlockIndex":')), [role], 'bedrock: stream event contentBlockDelta is not a JSON object.'],
  ['bedrock cut before messageStop', 'bedrock', true, bedrock(...cutBeforeStop), [role, text('Hello'), text(', "usage": {"inputTokens": 7}')], 'bedrock: upstream stream ended before its final event.'],
  // The finish is what makes an end clean: a missing metadata event only costs the usage chunk.
  ['bedrock cut before metadata', 'bedrock', true, bedrock(...bedrockFixture.slice(0, 5)), [role, text('Hello'), text(', "usage": {"inputTokens": 7}'), finish('stop'), '[DONE]'], undefined],
  // A bad checksum stops the decoder; the stream then ends without its finish.
  ['bedrock corrupt frame', 'bedrock', true, bedrock(bedrockFixture[0]!, Buffer.from(bedrockFixture[1]!).fill(0x41, 40, 41), ...bedrockFixture.slice(2)), [role], 'bedrock: upstream stream ended before its final event.'],
  [
    'gemini text, usage',
    'gemini',
    true,
    geminiText,
    [role, text('Once upon'), text(' a time, in a land far away'), text(', there lived a cat.'), finish('stop'), usage(9, 33, { completion_tokens_details: { reasoning_tokens: 12 } }), '[DONE]'],
    undefined,
  ],
  [
    'gemini function call, no usage',
    'gemini',
    false,
    sse(geminiChunk([{ text: 'Checking.' }]), geminiChunk([{ functionCall: { name: 'get_weather', args: { city: 'Paris' } } }], 'STOP')),
    [role, text('Checking.'), tool(0, '{"city":"Paris"}', 'call_0_chatcmpl-r1', 'get_weather'), finish('tool_calls'), '[DONE]'],
    undefined,
  ],
  [
    'gemini error event',
    'gemini',
    true,
    sse(geminiChunk([{ text: 'Hel' }]), { error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' } }, geminiChunk([{ text: 'lo' }], 'STOP')),
    [role, text('Hel')],
    'gemini: UNAVAILABLE: The model is overloaded.',
  ],
  ['gemini event that is not JSON', 'gemini', true, sse(geminiChunk([{ text: 'Hel' }]), 'data: {"candidates": [\n\n'), [role, text('Hel')], 'gemini: stream event is not a JSON object.'],
  ['gemini cut before finishReason', 'gemini', true, sse(geminiChunk([{ text: 'Hel' }])), [role, text('Hel')], 'gemini: upstream stream ended before its final event.'],
  ['llama text, usage', 'llama', true, llamaText, [role, text('Hello!'), text(' How can I help?'), finish('stop'), usage(21, 9), '[DONE]'], undefined],
  ['llama text ending in [DONE]', 'llama', false, Buffer.concat([llamaText, Buffer.from('data: [DONE]\n\n')]), [role, text('Hello!'), text(' How can I help?'), finish('stop'), '[DONE]'], undefined],
  [
    'llama tool call',
    'llama',
    false,
    sse(
      llama({ event_type: 'start', delta: empty }),
      llama({ event_type: 'progress', delta: { type: 'tool_call', id: 'c1', function: { name: 'get_weather', arguments: '' } } }),
      llama({ event_type: 'progress', delta: { type: 'tool_call', function: { arguments: '{"city":"Rome"}' } } }),
      llama({ event_type: 'complete', delta: empty, stop_reason: 'tool_calls' }),
    ),
    [role, tool(0, '', 'c1', 'get_weather'), tool(0, '{"city":"Rome"}'), finish('tool_calls'), '[DONE]'],
    undefined,
  ],
  [
    'llama error event',
    'llama',
    true,
    sse(llama({ event_type: 'start', delta: empty }), 'event: error\ndata: {"title":"Internal Server Error","detail":"upstream overloaded","status":500}\n\n'),
    [role],
    'llama: Internal Server Error: upstream overloaded',
  ],
  ['llama cut before complete', 'llama', true, sse(llama({ event_type: 'start', delta: empty }), llama({ event_type: 'progress', delta: { type: 'text', text: 'Hi' } })), [role, text('Hi')], 'llama: upstream stream ended before its final event.'],
]

describe('stream responder', () => {
  it.each(streamCases)('%s', (_name, provider, includeUsage, body, expected, failure) => {
    for (const [cutting, chunks] of chunkings(body, 3)) {
      const result = run(provider, includeUsage, chunks)
      expect({ cutting, events: events(result.written), failure: result.failure }).toEqual({ cutting, events: expected, failure })
    }
  })

  it('writes nothing after a failure', () => {
    const responder = unifiedTranslators['gemini'].responder(true, context(true))
    expect(responder.contentType).toBe('text/event-stream')
    expect(responder.push(sse({ error: { code: 500, message: 'Internal error', status: 'INTERNAL' } }))).toBe('')
    expect(responder.failure).toBe('gemini: INTERNAL: Internal error')
    expect(responder.push(sse(geminiChunk([{ text: 'late' }], 'STOP')))).toBe('')
    expect(responder.end()).toBe('')
  })
})
