// Property tests for the unified endpoint's responders (`unifiedTranslators[type].responder(stream,
// context)`, docs/unified.md). A responder sees every byte of a native 2xx answer and writes
// the client's, so for any answer, however cut: push and end never throw; the bytes handed in are
// never written to; what is written, the failure and the usage do not depend on the cutting; what
// is written is well formed (SSE `data:` lines of chunks naming the virtual model and a closing
// `[DONE]`, or one chat.completion), and nothing is written once the answer failed.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fixture } from '../../test/fixtures/providers/helpers.js'
import {
  anyBytes,
  bedrockEvent,
  converseStreamFixture,
  cutBy,
  cutting,
  eventFrame,
  isWellFormedUsage,
  llamaMetrics,
  mutated,
  pooled,
  runs,
  statedCount,
  usageCounts,
} from '../../test/support/arbitraries.js'
import { ProviderTypes, type ProviderType, type Usage } from '../core/wire.js'
import { SSE_DONE } from './chunks.js'
import { unifiedTranslators } from './translators.js'
import type { ResponseContext } from './types.js'

const MODEL = 'smart'
/** A Vertex target's model: Anthropic's are answered in Anthropic's shape, Google's (the default) in Gemini's. */
const CLAUDE = 'anthropic/claude-sonnet-4@20250514'
const contextFor = (includeUsage: boolean, targetModel?: string): ResponseContext => ({ id: 'chatcmpl-p1', model: MODEL, clock: () => 1_700_000_000_000, includeUsage, targetModel })

interface Answer {
  written: string
  failure: string | undefined
  usage: Usage | undefined
}

/** Feeds the chunks through a fresh responder and checks what holds for any answer. */
function respond(type: ProviderType, stream: boolean, includeUsage: boolean, chunks: readonly Buffer[], targetModel?: string): Answer {
  const { chunks: views, backing } = pooled(chunks)
  const before = Buffer.from(backing)
  const responder = unifiedTranslators[type].responder(stream, contextFor(includeUsage, targetModel))
  let written = ''
  for (const chunk of views) {
    const out = responder.push(chunk)
    if (!stream) expect(out).toBe('')
    written += out
  }
  written += responder.end()
  expect(backing.equals(before), 'a chunk (or the memory around it) was written to').toBe(true)
  if (responder.failure !== undefined) {
    expect(responder.push(Buffer.from('data: {}\n\n'))).toBe('')
    expect(responder.end()).toBe('')
  }
  const answer = { written, failure: responder.failure, usage: responder.usage() }
  expectWellFormed(stream, answer)
  return answer
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

function expectWellFormed(stream: boolean, { written, failure, usage }: Answer): void {
  expect(isWellFormedUsage(usage)).toBeUndefined()
  if (failure !== undefined) expect(failure).toMatch(/^(bedrock|gemini|llama|openai|vertex): /)
  if (!stream) {
    if (failure !== undefined) expect(written).toBe('')
    else {
      const completion: unknown = JSON.parse(written)
      expect(isObject(completion) && completion.model === MODEL).toBe(true)
    }
    return
  }
  expect(written.endsWith('\n\n') || written === '').toBe(true)
  const events = written === '' ? [] : written.slice(0, -2).split('\n\n')
  events.forEach((event, i) => {
    expect(event.startsWith('data: ')).toBe(true)
    const data = event.slice(6)
    if (data === '[DONE]') {
      expect(i).toBe(events.length - 1)
      return
    }
    const chunk: unknown = JSON.parse(data)
    expect(isObject(chunk) && chunk.model === MODEL, data).toBe(true)
  })
  expect(written.endsWith(SSE_DONE)).toBe(failure === undefined)
}

type Case = [label: string, type: ProviderType, stream: boolean, body: Buffer, targetModel?: string]
const CASES: Case[] = [
  ['bedrock ConverseStream', 'bedrock', true, converseStreamFixture()],
  ['gemini streamGenerateContent', 'gemini', true, fixture('gemini/stream-generate-content.sse')],
  ['llama stream', 'llama', true, fixture('llama/chat-completion-stream.sse')],
  ['openai stream', 'openai', true, fixture('openai/chat-completion-stream.sse')],
  ['bedrock Converse', 'bedrock', false, fixture('bedrock/converse.json')],
  ['gemini generateContent', 'gemini', false, fixture('gemini/generate-content.json')],
  ['llama chat', 'llama', false, fixture('llama/chat-completion.json')],
  ['openai chat', 'openai', false, fixture('openai/chat-completion.json')],
  // Vertex AI answers Google's models with the Gemini API's bodies.
  ['vertex streamGenerateContent', 'vertex', true, fixture('gemini/stream-generate-content.sse')],
  ['vertex generateContent', 'vertex', false, fixture('gemini/generate-content.json')],
  // …and Anthropic's with Anthropic's messages and events.
  ['vertex streamRawPredict', 'vertex', true, fixture('vertex/anthropic-stream.sse'), CLAUDE],
  ['vertex rawPredict', 'vertex', false, fixture('vertex/anthropic-message.json'), CLAUDE],
]

describe('unified responder properties: recorded answers', () => {
  it.each(CASES)('%s: any chunking writes, fails and counts as the whole answer does', (_label, type, stream, body, model) => {
    for (const includeUsage of [false, true]) {
      const whole = respond(type, stream, includeUsage, [body], model)
      expect(whole.failure).toBeUndefined()
      expect(whole.usage).toBeDefined()
      fc.assert(
        fc.property(cutting, (cut) => {
          expect(respond(type, stream, includeUsage, cutBy(body, cut), model)).toEqual(whole)
        }),
        runs(150),
      )
    }
  })
})

// Provider-shaped answers: each field usually of its documented type, at times any JSON value.
const text = fc.string({ unit: 'binary', maxLength: 12 })
const anyJson = fc.jsonValue({ maxDepth: 2 })
function maybe<T>(arb: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc.oneof({ arbitrary: arb, weight: 4 }, anyJson)
}
const some = { requiredKeys: [] as [] }

const openaiToolCall = fc.record({ index: maybe(fc.nat(3)), id: maybe(text), type: fc.constant('function'), function: maybe(fc.record({ name: maybe(text), arguments: maybe(text) }, some)) }, some)
const openaiChunk = fc.record(
  {
    id: maybe(text),
    object: fc.constant('chat.completion.chunk'),
    choices: maybe(fc.array(fc.record({ index: fc.constant(0), delta: maybe(fc.record({ role: fc.constant('assistant'), content: maybe(text), tool_calls: maybe(fc.array(openaiToolCall, { maxLength: 2 })) }, some)), finish_reason: fc.constantFrom(null, 'stop', 'length', 'tool_calls') }, some), { maxLength: 2 })),
    usage: fc.oneof(fc.constant(null), usageCounts),
  },
  some,
)
const openaiCompletion = fc.record(
  {
    id: maybe(text),
    object: fc.constant('chat.completion'),
    choices: maybe(fc.array(fc.record({ index: fc.constant(0), message: maybe(fc.record({ role: fc.constant('assistant'), content: maybe(text), tool_calls: maybe(fc.array(openaiToolCall, { maxLength: 2 })) }, some)), finish_reason: maybe(text) }, some), { maxLength: 2 })),
    usage: maybe(usageCounts),
  },
  some,
)

const geminiPart = fc.oneof(fc.record({ text }), fc.record({ functionCall: maybe(fc.record({ name: maybe(text), args: anyJson, id: maybe(text) }, some)) }), fc.record({ thought: fc.constant(true), text }), anyJson)
const geminiResponse = fc.record(
  {
    candidates: maybe(fc.array(fc.record({ content: maybe(fc.record({ role: fc.constant('model'), parts: maybe(fc.array(geminiPart, { maxLength: 3 })) }, some)), finishReason: maybe(fc.constantFrom('STOP', 'MAX_TOKENS', 'SAFETY', 'OTHER')) }, some), { maxLength: 2 })),
    usageMetadata: maybe(usageCounts),
    promptFeedback: maybe(fc.record({ blockReason: maybe(text) }, some)),
  },
  some,
)

const llamaDelta = fc.oneof(fc.record({ type: fc.constant('text'), text: maybe(text) }, some), fc.record({ type: fc.constant('tool_call'), id: maybe(text), function: maybe(fc.record({ name: maybe(text), arguments: maybe(text) }, some)) }, some))
const llamaEvent = fc.record({
  event: maybe(fc.record({ event_type: fc.oneof(fc.constantFrom('start', 'progress', 'complete', 'metrics'), text), delta: maybe(llamaDelta), stop_reason: maybe(fc.constantFrom('stop', 'length', 'tool_calls')), metrics: maybe(llamaMetrics) }, some)),
})
const llamaAnswer = fc.record(
  {
    completion_message: maybe(fc.record({ role: fc.constant('assistant'), content: maybe(fc.oneof(text, fc.record({ type: fc.constant('text'), text }))), tool_calls: maybe(fc.array(fc.record({ id: maybe(text), function: maybe(fc.record({ name: maybe(text), arguments: maybe(text) }, some)) }, some), { maxLength: 2 })), stop_reason: maybe(text) }, some)),
    metrics: maybe(llamaMetrics),
  },
  some,
)

const anthropicUsage = fc.record({ input_tokens: statedCount, output_tokens: statedCount, cache_read_input_tokens: statedCount, cache_creation_input_tokens: statedCount }, some)
const anthropicBlock = fc.oneof(
  fc.record({ type: fc.constant('text'), text: maybe(text) }, some),
  fc.record({ type: fc.constant('tool_use'), id: maybe(text), name: maybe(text), input: anyJson }, some),
  fc.record({ type: fc.constant('thinking'), thinking: text }),
  anyJson,
)
const anthropicStop = fc.constantFrom(null, 'end_turn', 'max_tokens', 'stop_sequence', 'tool_use', 'refusal')
const anthropicMessage = fc.record({ type: fc.constantFrom('message', 'error'), content: maybe(fc.array(anthropicBlock, { maxLength: 3 })), stop_reason: maybe(anthropicStop), usage: maybe(anthropicUsage), error: maybe(fc.record({ type: maybe(text), message: maybe(text) }, some)) }, some)
const anthropicDelta = fc.oneof(
  fc.record({ type: fc.constant('text_delta'), text: maybe(text) }, some),
  fc.record({ type: fc.constant('input_json_delta'), partial_json: maybe(text) }, some),
  fc.record({ type: fc.constant('thinking_delta'), thinking: text }),
  anyJson,
)
const anthropicEvent = fc.oneof(
  fc.record({ type: fc.constant('message_start'), message: maybe(fc.record({ usage: maybe(anthropicUsage) }, some)) }),
  fc.record({ type: fc.constant('content_block_start'), index: maybe(fc.nat(3)), content_block: maybe(anthropicBlock) }, some),
  fc.record({ type: fc.constant('content_block_delta'), index: maybe(fc.nat(3)), delta: maybe(anthropicDelta) }, some),
  fc.record({ type: fc.constant('message_delta'), delta: maybe(fc.record({ stop_reason: maybe(anthropicStop) }, some)), usage: maybe(anthropicUsage) }, some),
  fc.record({ type: fc.constantFrom('message_stop', 'content_block_stop', 'ping', 'other') }),
)

const bedrockPayload = fc.record(
  {
    role: maybe(text),
    contentBlockIndex: maybe(fc.nat(3)),
    start: maybe(fc.record({ toolUse: maybe(fc.record({ toolUseId: maybe(text), name: maybe(text) }, some)) }, some)),
    delta: maybe(fc.record({ text: maybe(text), toolUse: maybe(fc.record({ input: maybe(text) }, some)) }, some)),
    stopReason: maybe(fc.constantFrom('end_turn', 'max_tokens', 'tool_use', 'guardrail_intervened')),
    usage: maybe(usageCounts),
    message: maybe(text),
  },
  some,
)
const bedrockFrame = fc
  .tuple(
    fc.oneof({ arbitrary: fc.constant('event'), weight: 8 }, fc.constantFrom('exception', 'error'), text),
    fc.constantFrom('messageStart', 'contentBlockStart', 'contentBlockDelta', 'contentBlockStop', 'messageStop', 'metadata', 'other'),
    bedrockPayload,
    fc.oneof({ arbitrary: fc.constant(true), weight: 9 }, fc.constant(false)),
  )
  .map(([messageType, eventType, payload, json]) =>
    eventFrame({ ':message-type': messageType, ':event-type': eventType, ':exception-type': 'throttlingException', ':error-code': 'E1', ':error-message': 'm' }, json ? JSON.stringify(payload) : '{not json'),
  )
const bedrockConverse = fc.record(
  {
    output: maybe(fc.record({ message: maybe(fc.record({ role: fc.constant('assistant'), content: maybe(fc.array(fc.oneof(fc.record({ text }), fc.record({ toolUse: fc.record({ toolUseId: maybe(text), name: maybe(text), input: anyJson }, some) }), anyJson), { maxLength: 3 })) }, some)) }, some)),
    stopReason: maybe(text),
    usage: maybe(usageCounts),
  },
  some,
)

/** SSE events of `data`, at times an upstream error event, at times OpenAI's `[DONE]`. */
function sse(data: fc.Arbitrary<unknown>): fc.Arbitrary<Buffer> {
  const event = fc.oneof(
    { arbitrary: data.map((d) => `data: ${JSON.stringify(d)}\n\n`), weight: 8 },
    fc.constant('data: [DONE]\n\n'),
    fc.record({ error: maybe(fc.record({ message: maybe(text), code: anyJson, status: maybe(text) }, some)) }).map((e) => `data: ${JSON.stringify(e)}\n\n`),
    text.map((t) => `event: error\ndata: ${JSON.stringify({ message: t })}\n\n`),
  )
  return fc.array(event, { maxLength: 6 }).map((events) => Buffer.from(events.join('')))
}

function shapedAnswer(type: ProviderType, stream: boolean, targetModel: string | undefined): fc.Arbitrary<Buffer> {
  const json = (arb: fc.Arbitrary<unknown>): fc.Arbitrary<Buffer> => arb.map((value) => Buffer.from(JSON.stringify(value)))
  if (targetModel === CLAUDE) return stream ? sse(anthropicEvent) : json(anthropicMessage)
  switch (type) {
    case 'bedrock':
      // Often closed by a messageStop, so the clean end is reached as often as the cut-off one.
      return stream
        ? fc.tuple(fc.array(bedrockFrame, { maxLength: 6 }), fc.boolean()).map(([frames, close]) => Buffer.concat(close ? [...frames, bedrockEvent('messageStop', { stopReason: 'end_turn' })] : frames))
        : json(bedrockConverse)
    case 'gemini':
    case 'vertex':
      return stream ? sse(geminiResponse) : json(geminiResponse)
    case 'llama':
      return stream ? sse(llamaEvent) : json(llamaAnswer)
    case 'openai':
      return stream ? sse(openaiChunk) : json(openaiCompletion)
  }
}

// Every provider type, and Vertex once more with an Anthropic model.
const TARGETS: readonly [ProviderType, string | undefined][] = [...ProviderTypes.map((type): [ProviderType, undefined] => [type, undefined]), ['vertex', CLAUDE]]
const anyAnswer = fc
  .record({ target: fc.constantFrom(...TARGETS), stream: fc.boolean(), includeUsage: fc.boolean() })
  .chain(({ target: [type, model], stream, includeUsage }) => {
    const recorded = CASES.filter(([, t, s, , m]) => t === type && s === stream && m === model).map(([, , , body]) => body)
    const body = fc.oneof({ arbitrary: shapedAnswer(type, stream, model), weight: 4 }, anyBytes, fc.constantFrom(...recorded).chain((b) => mutated(b)))
    return fc.record({ type: fc.constant(type), model: fc.constant(model), stream: fc.constant(stream), includeUsage: fc.constant(includeUsage), body })
  })

describe('unified responder properties: any answer', () => {
  it('never throw, never touch a chunk, write well-formed output, and do not depend on the cutting', () => {
    fc.assert(
      fc.property(anyAnswer, cutting, ({ type, model, stream, includeUsage, body }, cut) => {
        const whole = respond(type, stream, includeUsage, [body], model)
        expect(respond(type, stream, includeUsage, cutBy(body, cut), model)).toEqual(whole)
      }),
      runs(700),
    )
  })
})

// BUG-2 (found probing what the responders re-serialise; minimal inputs below). JSON.parse in V8
// takes any depth, but the translators pass upstream values on through JSON.stringify, which
// recurses and overflows the stack from roughly 4,100 levels: push() or end() then throws a
// RangeError instead of reporting `failure`. upstream/attempt.ts catches it as a crash (#crash),
// so the process survives, but the request ends as a crash instead of SLUICE_ERR_UPSTREAM_INVALID.
// Fixed: the responders parse upstream JSON with parseBoundedJsonObject (the same MAX_JSON_DEPTH as
// requests), so such an answer is a failure (SLUICE_ERR_UPSTREAM_INVALID), never a throw.
const DEPTH = 50_000
const deep = `${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}`
describe('BUG-2 (fixed): deeply nested upstream JSON is an invalid answer, not a throw', () => {
  it.each<[string, ProviderType, boolean, string, string?]>([
    ['openai stream chunk', 'openai', true, `data: {"choices":[],"x":${deep}}\n\n`],
    ['openai chat.completion', 'openai', false, `{"choices":[],"x":${deep}}`],
    ['gemini stream functionCall args', 'gemini', true, `data: {"candidates":[{"content":{"parts":[{"functionCall":{"name":"f","args":{"a":${deep}}}}]}}]}\n\n`],
    ['gemini functionCall args', 'gemini', false, `{"candidates":[{"content":{"parts":[{"functionCall":{"name":"f","args":{"a":${deep}}}}]}}]}`],
    ['bedrock Converse toolUse input', 'bedrock', false, `{"output":{"message":{"content":[{"toolUse":{"toolUseId":"t","name":"f","input":{"a":${deep}}}}]}}}`],
    ['anthropic tool_use input', 'vertex', false, `{"content":[{"type":"tool_use","id":"t","name":"f","input":{"a":${deep}}}]}`, CLAUDE],
  ])('%s', (_label, type, stream, body, model) => {
    expect(respond(type, stream, false, [Buffer.from(body)], model).failure).toBeDefined()
  })

  it.each<[string, ProviderType, boolean, Buffer]>([
    ['llama chat', 'llama', false, Buffer.from(`{"completion_message":{"content":"x"},"x":${deep}}`)],
    ['llama stream', 'llama', true, Buffer.from(`data: {"event":{"event_type":"start","x":${deep}}}\n\n`)],
    ['bedrock ConverseStream', 'bedrock', true, eventFrame({ ':message-type': 'event', ':event-type': 'contentBlockDelta' }, `{"delta":{"text":"x"},"x":${deep}}`)],
  ])('%s does not re-serialise upstream values, so depth does not matter', (_label, type, stream, body) => {
    respond(type, stream, false, [body])
  })
})

// BUG-1 (src/providers/usage.property.test.ts) on the unified side: from-bedrock.ts sums Bedrock's
// cache counts into the input itself, and Gemini's responder shares providers/gemini.ts geminiUsage,
// so both rest on tokenCount (providers/request.ts), which now refuses counts above 2^53 − 1.
const HUGE = Number.MAX_VALUE
describe('BUG-1 (fixed) in the responders: summed counts stay finite', () => {
  it.each<[string, ProviderType, boolean, Buffer, string?]>([
    ['bedrock Converse', 'bedrock', false, Buffer.from(JSON.stringify({ output: { message: { content: [{ text: 'Hi' }] } }, usage: { inputTokens: HUGE, cacheReadInputTokens: HUGE } }))],
    ['bedrock ConverseStream', 'bedrock', true, Buffer.concat([bedrockEvent('messageStop', { stopReason: 'end_turn' }), bedrockEvent('metadata', { usage: { inputTokens: HUGE, cacheWriteInputTokens: HUGE } })])],
    ['gemini generateContent', 'gemini', false, Buffer.from(JSON.stringify({ candidates: [{ content: { parts: [{ text: 'Hi' }] } }], usageMetadata: { candidatesTokenCount: HUGE, thoughtsTokenCount: HUGE } }))],
    ['anthropic message', 'vertex', false, Buffer.from(JSON.stringify({ content: [{ type: 'text', text: 'Hi' }], usage: { input_tokens: HUGE, cache_read_input_tokens: HUGE, cache_creation_input_tokens: HUGE } })), CLAUDE],
  ])('%s', (_label, type, stream, body, model) => {
    const { usage } = respond(type, stream, true, [body], model)
    for (const value of Object.values(usage ?? {})) expect(Number.isFinite(value)).toBe(true)
  })
})
