// chatChunkText reads the same text from a chunk's JSON as streamText reads from the parsed chunk.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { chatAnswerText, chatChunkText, chunkMemo } from './chat-json.js'
import { answerText, eventText, streamText } from './index.js'

const WANTED = new Set(['choices', 'delta', 'message', 'content', 'refusal', 'tool_calls', 'function', 'function_call', 'arguments'])
const text = fc.string({ unit: 'binary', maxLength: 40 })
/** Not text where it stands: null, numbers, objects, arrays. */
const notText = fc.oneof(fc.constant(null), fc.integer(), fc.jsonValue({ maxDepth: 2 }).filter((v) => typeof v !== 'string'))
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined })
/** Other members, under keys that are not on the way to any text. */
const extras = fc.dictionary(fc.string({ maxLength: 8 }).filter((k) => !WANTED.has(k)), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 2 })

/** An object of the given members in their order, undefined ones left out, extras after. */
const object = (members: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(members)) if (value !== undefined) out[key] = value
  return { ...out, ...extra }
}

const fn = fc.record({ name: maybe(fc.string({ maxLength: 6 })), arguments: maybe(fc.oneof(text, notText)), extra: extras }).map(({ extra, ...m }) => object(m, extra))
const toolCall = fc.record({ index: fc.nat(3), id: maybe(fc.string({ maxLength: 6 })), function: maybe(fc.oneof(fn, notText)), extra: extras }).map(({ extra, ...m }) => object(m, extra))
/** A choice's `delta` (a chunk) or `message` (a whole answer); `content` may be given as parts. */
const holder = (content: fc.Arbitrary<unknown>) => fc
  .record({
    role: maybe(fc.constant('assistant')),
    content: maybe(content),
    refusal: maybe(fc.oneof(text, notText)),
    tool_calls: maybe(fc.oneof(fc.array(fc.oneof(toolCall, notText), { maxLength: 3 }), notText)),
    function_call: maybe(fc.oneof(fn, notText)),
    extra: extras,
  })
  .map(({ extra, ...m }) => object(m, extra))
const delta = holder(fc.oneof(text, notText))
const parts = fc.array(fc.record({ type: fc.constant('text'), text }), { maxLength: 2 })
const message = holder(fc.oneof(text, notText, parts))
const logprobs = fc.oneof(fc.constant(null), fc.record({ content: fc.array(fc.record({ token: text, logprob: fc.double({ noNaN: true, noDefaultInfinity: true }) }), { maxLength: 2 }) }))
const choiceOf = (name: 'delta' | 'message', body: fc.Arbitrary<Record<string, unknown>>) => fc
  .record({ index: fc.nat(3), [name]: maybe(fc.oneof(body, notText)), logprobs: maybe(logprobs), finish_reason: maybe(fc.constantFrom(null, 'stop')), extra: extras })
  .map(({ extra, ...m }) => object(m as Record<string, unknown>, extra as Record<string, unknown>))
const bodyOf = (object_: string, choice: fc.Arbitrary<Record<string, unknown>>) => fc
  .record({ id: fc.constant('chatcmpl-1'), object: fc.constant(object_), choices: fc.oneof(fc.array(choice, { maxLength: 3 }), notText), usage: maybe(fc.constant(null)), extra: extras })
  .map(({ extra, ...m }) => object(m, extra))
const chunk = bodyOf('chat.completion.chunk', choiceOf('delta', delta))
const answer = bodyOf('chat.completion', choiceOf('message', message))

const sorted = (s: string): string => [...s].sort().join('')
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

describe('chatAnswerText', () => {
  it('reads what the parsed reader reads from a whole answer, or declines', () => {
    fc.assert(
      fc.property(answer, fc.constantFrom(undefined, 2), (a, indent) => {
        const fast = chatAnswerText(JSON.stringify(a, null, indent))
        const segments = answerText('openai-chat', a)
        if (fast !== undefined) expect(fast).toBe(segments!.map((s) => s.text).join(''))
        // It declines only where the parsed reader has work it does not do: no choices array, content as parts.
        const choices = a.choices
        const contentOf = (c: unknown): unknown => (isRecord(c) && isRecord(c.message) ? c.message.content : undefined)
        const withParts = Array.isArray(choices) && choices.some((c) => typeof contentOf(c) === 'object' && contentOf(c) !== null)
        if (Array.isArray(choices) && !withParts) expect(fast).toBeDefined()
        if (!Array.isArray(choices)) expect(fast).toBeUndefined()
      }),
      { numRuns: 1000 },
    )
  })
})

/** Each chunk of a sequence read with one stream's memo gives what it gives read alone. */
const readsAsAlone = (sequence: readonly string[]): void => {
  const memo = chunkMemo()
  for (const s of sequence) expect(chatChunkText(s, memo)).toBe(chatChunkText(s))
}

describe('chatChunkText', () => {
  it('reads what the parsed reader reads, compact or indented', () => {
    fc.assert(
      fc.property(chunk, fc.constantFrom(undefined, 1, 2), (c, indent) => {
        expect(chatChunkText(JSON.stringify(c, null, indent))).toBe(streamText('openai-chat', c))
      }),
      { numRuns: 1000 },
    )
  })

  it('on any JSON built from the keys it reads, chunk or whole answer, reads the same characters or declines', () => {
    const keyed = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small', maxDepth: 7 }, fc.jsonValue({ maxDepth: 2 }), tie('object'), fc.array(tie('value'), { maxLength: 3 })),
      object: fc.dictionary(fc.constantFrom(...WANTED, 'message', 'text'), tie('value'), { maxKeys: 4 }),
    })).value
    fc.assert(
      fc.property(keyed, (v) => {
        const fast = chatChunkText(JSON.stringify(v))
        // Document order and the parsed reader's order may differ between a delta's members.
        if (fast !== undefined) expect(sorted(fast)).toBe(sorted(streamText('openai-chat', v)))
        const whole = chatAnswerText(JSON.stringify(v))
        if (whole !== undefined) expect(sorted(whole)).toBe(sorted(answerText('openai-chat', v)!.map((seg) => seg.text).join('')))
      }),
      { numRuns: 1000 },
    )
  })

  it.each([
    ['a bad escape', '{"choices":[{"delta":{"content":"a\\qb"}}]}'],
    ['a truncated chunk', '{"choices":[{"delta":{"content":"abc"}}'],
    ['an unclosed string', '{"choices":[{"delta":{"content":"abc'],
  ])('declines %s', (_name, json) => {
    expect(chatChunkText(json)).toBeUndefined()
  })

  it('reads a key written with escapes as the name it spells', () => {
    expect(chatChunkText('{"choices":[{"delta":{"con\\u0074ent":"hidden"}}]}')).toBe('hidden')
  })

  it("with a stream's memo, reads every chunk of a sequence as it reads each alone", () => {
    // Chunks that share their opening (id, object, then choices), and ones that open the same and
    // then go anywhere, broken JSON included: resuming after the memo's prefix changes no result.
    const opening = '{"id":"chatcmpl-1","object":"chat.completion.chunk","choices":'
    const json = fc.oneof(
      chunk.map((c) => JSON.stringify(c)),
      fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }).map((v) => JSON.stringify(v)),
      fc.string({ unit: 'binary', maxLength: 30 }).map((tail) => opening + tail),
      fc.jsonValue({ maxDepth: 3 }).map((v) => `${opening}${JSON.stringify(v)}}`),
      fc.jsonValue({ maxDepth: 3 }).map((v) => `${opening}${JSON.stringify(v)},"choices":[{"delta":{"content":"x"}}]}`),
    )
    fc.assert(fc.property(fc.array(json, { maxLength: 8 }), readsAsAlone), { numRuns: 1000 })
  })

  it("with a stream's memo, reads chunks that repeat, or nearly repeat, an opening and closing as it reads each alone", () => {
    // Chunks of prefix + the way to a string + the string + the way out of choices + the rest,
    // each part drawn from a few, so that sequences repeat the memo's opening and closing, or share
    // only part of them, or repeat them where the state differs (a tool call's arguments).
    const prefix = fc.constantFrom('{"id":"c","choices":', '{"id":"d","object":"x","choices":', '{"choices":')
    const toText = fc.constantFrom(
      '[{"index":0,"delta":{"content":"',
      '[{"index":0,"delta":{"role":"assistant","content":"',
      '[{"index":0,"delta":{"refusal":"',
      '[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"',
      '[{"delta":{"con\\u0074ent":"',
      '[{"index":0,"delta":{"content":null,"x":"',
      '[{"index":0,"delta":{"content":"',
      '[{"index":0,"message":{"content":"',
    )
    const outOf = fc.constantFrom(
      '"},"logprobs":null,"finish_reason":null}]',
      '","refusal":null},"logprobs":null,"finish_reason":null}]',
      '","refusal":"more"},"finish_reason":null}]',
      '"}}]}}]',
      '"},{"index":1,"delta":{"content":"second"}}]',
      '"}}',
      '"',
    )
    const rest = fc.constantFrom(',"usage":null}', ',"obfuscation":"a\\"b"}', '}', ',"choices":[{"delta":{"content":"x"}}]}', '', ']}')
    const piece = fc.string({ unit: 'binary', maxLength: 12 }).map((t) => JSON.stringify(t).slice(1, -1))
    const json = fc.tuple(prefix, toText, piece, outOf, rest).map((parts) => parts.join(''))
    fc.assert(fc.property(fc.array(json, { maxLength: 10 }), readsAsAlone), { numRuns: 2000 })
  })

  it("keeps the way from the prefix to a chunk's first text, and from its end out of choices, and resumes past both", () => {
    const memo = chunkMemo()
    const chunkOf = (content: string, tail = ',"usage":null}'): string => `{"id":"c","choices":[{"index":0,"delta":{"content":${JSON.stringify(content)}},"logprobs":null,"finish_reason":null}]${tail}`
    expect(chatChunkText(chunkOf('Hello'), memo)).toBe('Hello')
    expect(memo.opening).toBe('[{"index":0,"delta":{"content":"')
    expect(memo.closing).toBe('"},"logprobs":null,"finish_reason":null}]')
    expect(chatChunkText(chunkOf(' wo\\rld', ',"obfuscation":"xyz"}'), memo)).toBe(' wo\\rld')
    expect(chatChunkText(chunkOf(' again'), memo)).toBe(' again')
    // A chunk with text after the string keeps the opening but records no closing.
    const two = '{"id":"c","choices":[{"index":0,"delta":{"content":"a"}},{"index":1,"delta":{"content":"b"}}]}'
    const fresh = chunkMemo()
    expect(chatChunkText(two, fresh)).toBe('ab')
    expect(fresh.opening).toBe('[{"index":0,"delta":{"content":"')
    expect(fresh.closing).toBe('')
    expect(chatChunkText(two, fresh)).toBe('ab')
  })

  it("keeps a stream's opening up to its choices key, and resumes from it", () => {
    const memo = chunkMemo()
    const chunkOf = (content: string): string => `{"id":"c","created":1,"choices":[{"index":0,"delta":{"content":${JSON.stringify(content)}}}],"usage":null}`
    expect(chatChunkText(chunkOf('Hello'), memo)).toBe('Hello')
    expect(memo.prefix).toBe('{"id":"c","created":1,"choices":')
    expect(chatChunkText(chunkOf(' world'), memo)).toBe(' world')
    // Not where the reader would be after the same characters: a top-level array is never kept.
    const other = chunkMemo()
    expect(chatChunkText('["choices":[{"delta":{"content":"a"}}]]', other)).toBe('')
    expect(other.prefix).toBe('')
  })

  it('eventText parses a chunk it declines, and finds no text in [DONE]', () => {
    expect(eventText('openai-chat', '{"choices":[{"delta":{"content":"a\\u00e9"}}],"n":1}', '')).toBe('aé')
    expect(eventText('openai-chat', '{"choices":[{"delta":{"content":"a\\qb"}}]}', '')).toBe('')
    expect(eventText('openai-chat', '[DONE]', '')).toBe('')
    expect(eventText('openai-chat', '{"choices":[{"delta":{"content":"a\\"b\\\\"}}]}', '')).toBe('a"b\\')
  })
})
