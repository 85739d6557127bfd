// Property tests for the unified endpoint's responders (`unifiedTranslators[type].responder(stream,
// context)`, issue #10 deliver 12). A responder sees every byte of a native 2xx answer and writes
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
  usageCounts,
} from '../../test/support/arbitraries.js'
import { ProviderTypes, type ProviderType, type Usage } from '../core/wire.js'
import { SSE_DONE } from './chunks.js'
import { unifiedTranslators } from './translators.js'
import type { ResponseContext } from './types.js'

const MODEL = 'smart'
const contextFor = (includeUsage: boolean): ResponseContext => ({ id: 'chatcmpl-p1', model: MODEL, clock: () => 1_700_000_000_000, includeUsage })

interface Answer {
  written: string
  failure: string | undefined
  usage: Usage | undefined
}

/** Feeds the chunks through a fresh responder and checks what holds for any answer. */
function respond(type: ProviderType, stream: boolean, includeUsage: boolean, chunks: readonly Buffer[]): Answer {
  const { chunks: views, backing } = pooled(chunks)
  const before = Buffer.from(backing)
  const responder = unifiedTranslators[type].responder(stream, contextFor(includeUsage))
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

type Case = [label: string, type: ProviderType, stream: boolean, body: Buffer]
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
]

describe('unified responder properties: recorded answers', () => {
  it.each(CASES)('%s: any chunking writes, fails and counts as the whole answer does', (_label, type, stream, body) => {
    for (const includeUsage of [false, true]) {
      const whole = respond(type, stream, includeUsage, [body])
      expect(whole.failure).toBeUndefined()
      expect(whole.usage).toBeDefined()
      fc.assert(
        fc.property(cutting, (cut) => {
          expect(respond(type, stream, includeUsage, cutBy(body, cut))).toEqual(whole)
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

function shapedAnswer(type: ProviderType, stream: boolean): fc.Arbitrary<Buffer> {
  const json = (arb: fc.Arbitrary<unknown>): fc.Arbitrary<Buffer> => arb.map((value) => Buffer.from(JSON.stringify(value)))
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

const anyAnswer = fc
  .record({ type: fc.constantFrom(...ProviderTypes), stream: fc.boolean(), includeUsage: fc.boolean() })
  .chain(({ type, stream, includeUsage }) => {
    const recorded = CASES.filter(([, t, s]) => t === type && s === stream).map(([, , , body]) => body)
    const body = fc.oneof({ arbitrary: shapedAnswer(type, stream), weight: 4 }, anyBytes, fc.constantFrom(...recorded).chain((b) => mutated(b)))
    return fc.record({ type: fc.constant(type), stream: fc.constant(stream), includeUsage: fc.constant(includeUsage), body })
  })

describe('unified responder properties: any answer', () => {
  it('never throw, never touch a chunk, write well-formed output, and do not depend on the cutting', () => {
    fc.assert(
      fc.property(anyAnswer, cutting, ({ type, stream, includeUsage, body }, cut) => {
        const whole = respond(type, stream, includeUsage, [body])
        expect(respond(type, stream, includeUsage, cutBy(body, cut))).toEqual(whole)
      }),
      runs(600),
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
  it.each<[string, ProviderType, boolean, string]>([
    ['openai stream chunk', 'openai', true, `data: {"choices":[],"x":${deep}}\n\n`],
    ['openai chat.completion', 'openai', false, `{"choices":[],"x":${deep}}`],
    ['gemini stream functionCall args', 'gemini', true, `data: {"candidates":[{"content":{"parts":[{"functionCall":{"name":"f","args":{"a":${deep}}}}]}}]}\n\n`],
    ['gemini functionCall args', 'gemini', false, `{"candidates":[{"content":{"parts":[{"functionCall":{"name":"f","args":{"a":${deep}}}}]}}]}`],
    ['bedrock Converse toolUse input', 'bedrock', false, `{"output":{"message":{"content":[{"toolUse":{"toolUseId":"t","name":"f","input":{"a":${deep}}}}]}}}`],
  ])('%s', (_label, type, stream, body) => {
    expect(respond(type, stream, false, [Buffer.from(body)]).failure).toBeDefined()
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
  it.each<[string, ProviderType, boolean, Buffer]>([
    ['bedrock Converse', 'bedrock', false, Buffer.from(JSON.stringify({ output: { message: { content: [{ text: 'Hi' }] } }, usage: { inputTokens: HUGE, cacheReadInputTokens: HUGE } }))],
    ['bedrock ConverseStream', 'bedrock', true, Buffer.concat([bedrockEvent('messageStop', { stopReason: 'end_turn' }), bedrockEvent('metadata', { usage: { inputTokens: HUGE, cacheWriteInputTokens: HUGE } })])],
    ['gemini generateContent', 'gemini', false, Buffer.from(JSON.stringify({ candidates: [{ content: { parts: [{ text: 'Hi' }] } }], usageMetadata: { candidatesTokenCount: HUGE, thoughtsTokenCount: HUGE } }))],
  ])('%s', (_label, type, stream, body) => {
    const { usage } = respond(type, stream, true, [body])
    for (const value of Object.values(usage ?? {})) expect(Number.isFinite(value)).toBe(true)
  })
})
