// Stream translators fed through the real stream parsers, one byte chunking per case.
import { describe, expect, it } from 'vitest'
import { EventStreamDecoder } from '../providers/streams/eventstream.js'
import { SseParser } from '../providers/streams/sse.js'
import { SSE_DONE, sseLine } from './chunks.js'
import { createBedrockStreamTranslator, type BedrockStreamEvent } from './from-bedrock.js'
import { createGeminiStreamTranslator } from './from-gemini.js'
import { createLlamaStreamTranslator } from './from-llama.js'
import type { ChatCompletionChunk, ChunkDelta, CompletionUsage, ResponseContext, StreamTranslator } from './types.js'
import { bedrockEvent as frame } from '../../test/support/arbitraries.js'

const sse = (...events: unknown[]): Buffer => Buffer.from(events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join(''))

/** Splits bytes into `size`-byte pieces, as a socket might deliver them. */
function pieces(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = []
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size))
  return out
}

function runBedrock(bytes: Buffer, size: number, translator: StreamTranslator<BedrockStreamEvent>): ChatCompletionChunk[] {
  const out: ChatCompletionChunk[] = []
  const decoder = new EventStreamDecoder((message) => {
    const type = message.headers[':event-type']?.value
    out.push(...translator.push({ type: String(type), payload: JSON.parse(Buffer.from(message.body).toString('utf8')) }))
  })
  for (const piece of pieces(bytes, size)) decoder.push(piece)
  return [...out, ...translator.end()]
}

function runSse(bytes: Buffer, size: number, translator: StreamTranslator<unknown>): ChatCompletionChunk[] {
  const out: ChatCompletionChunk[] = []
  const parser = new SseParser((data) => out.push(...translator.push(JSON.parse(data.toString('utf8')))))
  for (const piece of pieces(bytes, size)) parser.push(piece)
  return [...out, ...translator.end()]
}

const context = (includeUsage: boolean): ResponseContext => ({ id: 'chatcmpl-s1', model: 'smart', clock: () => 1_700_000_000_999, includeUsage })
const chunk = (delta: ChunkDelta, finish: string | null = null): object => ({
  id: 'chatcmpl-s1',
  object: 'chat.completion.chunk',
  created: 1_700_000_000,
  model: 'smart',
  choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
})
const usageChunk = (usage: CompletionUsage): object => ({ id: 'chatcmpl-s1', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'smart', choices: [], usage })
const role = chunk({ role: 'assistant', content: '' })
const tokens3 = { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 }

const bedrockOpening = Buffer.concat([
  frame('messageStart', { role: 'assistant' }),
  frame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Hel' } }),
  frame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'lo' } }),
])
const bedrockText = Buffer.concat([
  bedrockOpening,
  frame('contentBlockStop', { contentBlockIndex: 0 }),
  frame('messageStop', { stopReason: 'max_tokens' }),
  frame('metadata', { usage: { inputTokens: 5, outputTokens: 3, totalTokens: 8 }, metrics: { latencyMs: 10 } }),
])
const bedrockTool = Buffer.concat([
  frame('messageStart', { role: 'assistant' }),
  frame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Let me check.' } }),
  frame('contentBlockStop', { contentBlockIndex: 0 }),
  frame('contentBlockStart', { contentBlockIndex: 1, start: { toolUse: { toolUseId: 'tooluse_A', name: 'get_weather' } } }),
  frame('contentBlockDelta', { contentBlockIndex: 1, delta: { toolUse: { input: '{"city":' } } }),
  frame('contentBlockDelta', { contentBlockIndex: 1, delta: { toolUse: { input: '"Paris"}' } } }),
  frame('contentBlockStop', { contentBlockIndex: 1 }),
  frame('contentBlockStart', { contentBlockIndex: 2, start: { toolUse: { toolUseId: 'tooluse_B', name: 'now' } } }),
  frame('contentBlockDelta', { contentBlockIndex: 2, delta: { toolUse: { input: '{}' } } }),
  frame('contentBlockStop', { contentBlockIndex: 2 }),
  frame('messageStop', { stopReason: 'tool_use' }),
  frame('metadata', { usage: { inputTokens: 5, outputTokens: 3 } }),
])

describe('bedrock stream', () => {
  it.each([
    ['text, usage requested', bedrockText, true, 7, [role, chunk({ content: 'Hel' }), chunk({ content: 'lo' }), chunk({}, 'length'), usageChunk(tokens3)]],
    ['text, usage not requested', bedrockText, false, 1000, [role, chunk({ content: 'Hel' }), chunk({ content: 'lo' }), chunk({}, 'length')]],
    [
      'two tool calls',
      bedrockTool,
      true,
      13,
      [
        role,
        chunk({ content: 'Let me check.' }),
        chunk({ tool_calls: [{ index: 0, id: 'tooluse_A', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }),
        chunk({ tool_calls: [{ index: 1, id: 'tooluse_B', type: 'function', function: { name: 'now', arguments: '' } }] }),
        chunk({ tool_calls: [{ index: 1, function: { arguments: '{}' } }] }),
        chunk({}, 'tool_calls'),
        usageChunk(tokens3),
      ],
    ],
    ['cut before messageStop: no finish invented', bedrockText.subarray(0, bedrockOpening.length + 20), true, 50, [role, chunk({ content: 'Hel' }), chunk({ content: 'lo' })]],
  ])('%s', (_name, bytes, includeUsage, size, expected) => {
    expect(runBedrock(bytes, size, createBedrockStreamTranslator(context(includeUsage)))).toEqual(expected)
  })
})

const geminiChunk = (parts: object[], finishReason: string | undefined, candidates: number): object => ({
  candidates: [{ content: { role: 'model', parts }, ...(finishReason !== undefined ? { finishReason } : {}), index: 0 }],
  usageMetadata: { promptTokenCount: 5, candidatesTokenCount: candidates, totalTokenCount: 5 + candidates },
})

describe('gemini stream', () => {
  it.each([
    [
      'text, usage at the end',
      sse(geminiChunk([{ text: 'Hel' }], undefined, 1), geminiChunk([{ text: 'lo' }], 'STOP', 3)),
      true,
      11,
      [role, chunk({ content: 'Hel' }), chunk({ content: 'lo' }), chunk({}, 'stop'), usageChunk(tokens3)],
    ],
    [
      'function call streamed whole',
      sse(geminiChunk([{ text: 'Checking.' }], undefined, 1), geminiChunk([{ functionCall: { name: 'get_weather', args: { city: 'Paris' } } }], 'STOP', 3)),
      false,
      64,
      [
        role,
        chunk({ content: 'Checking.' }),
        chunk({ tool_calls: [{ index: 0, id: 'call_0_chatcmpl-s1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] }),
        chunk({}, 'tool_calls'),
      ],
    ],
    ['safety', sse(geminiChunk([], 'SAFETY', 0)), true, 1000, [role, chunk({}, 'content_filter'), usageChunk({ prompt_tokens: 5, completion_tokens: 0, total_tokens: 5 })]],
    ['blocked prompt', sse({ promptFeedback: { blockReason: 'OTHER' } }), false, 1000, [role, chunk({}, 'content_filter')]],
  ])('%s', (_name, bytes, includeUsage, size, expected) => {
    expect(runSse(bytes, size, createGeminiStreamTranslator(context(includeUsage)))).toEqual(expected)
  })
})

const llama = (event: object): object => ({ id: 'llama-1', event })
const empty = { type: 'text', text: '' }
const llamaMetrics = llama({
  event_type: 'metrics',
  delta: empty,
  metrics: [
    { metric: 'num_prompt_tokens', value: 5, unit: 'tokens' },
    { metric: 'num_completion_tokens', value: 3, unit: 'tokens' },
  ],
})

describe('llama stream', () => {
  it.each([
    [
      'text with metrics',
      sse(
        llama({ event_type: 'start', delta: empty }),
        llama({ event_type: 'progress', delta: { type: 'text', text: 'Hel' } }),
        llama({ event_type: 'progress', delta: { type: 'text', text: 'lo' } }),
        llama({ event_type: 'complete', delta: empty, stop_reason: 'stop' }),
        llamaMetrics,
      ),
      true,
      9,
      [role, chunk({ content: 'Hel' }), chunk({ content: 'lo' }), chunk({}, 'stop'), usageChunk(tokens3)],
    ],
    [
      'tool calls: a new id opens the next call',
      sse(
        llama({ event_type: 'start', delta: empty }),
        llama({ event_type: 'progress', delta: { type: 'tool_call', id: 'c1', function: { name: 'get_weather', arguments: '' } } }),
        llama({ event_type: 'progress', delta: { type: 'tool_call', function: { arguments: '{"city":"Rome"}' } } }),
        llama({ event_type: 'progress', delta: { type: 'tool_call', id: 'c2', function: { name: 'now', arguments: '{}' } } }),
        llama({ event_type: 'complete', delta: empty, stop_reason: 'tool_calls' }),
        llamaMetrics,
      ),
      false,
      17,
      [
        role,
        chunk({ tool_calls: [{ index: 0, id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":"Rome"}' } }] }),
        chunk({ tool_calls: [{ index: 1, id: 'c2', type: 'function', function: { name: 'now', arguments: '{}' } }] }),
        chunk({}, 'tool_calls'),
      ],
    ],
    ['length', sse(llama({ event_type: 'progress', delta: { type: 'text', text: 'Hel' } }), llama({ event_type: 'complete', delta: empty, stop_reason: 'length' })), false, 1000, [role, chunk({ content: 'Hel' }), chunk({}, 'length')]],
  ])('%s', (_name, bytes, includeUsage, size, expected) => {
    expect(runSse(bytes, size, createLlamaStreamTranslator(context(includeUsage)))).toEqual(expected)
  })
})

describe('SSE helpers', () => {
  it('writes a data line and the terminator', () => {
    const first = createLlamaStreamTranslator(context(false)).push(llama({ event_type: 'start', delta: empty }))[0]
    expect(first && sseLine(first)).toBe(`data: ${JSON.stringify(role)}\n\n`)
    expect(SSE_DONE).toBe('data: [DONE]\n\n')
  })
})
