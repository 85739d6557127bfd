// Property tests for the unified endpoint's request path (issue #10, deliver 12): parseChatRequest
// never throws on any JSON value and answers a checked request faithful to the body or a refusal
// with a message; it flags `tooDeep` only for a tool argument or result nested past
// MAX_JSON_DEPTH; and whatever it accepts, every provider type's toNative translates or refuses
// without throwing, into a body that serialises.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { runs } from '../../test/support/arbitraries.js'
import { ProviderTypes } from '../core/wire.js'
import { jsonTooDeep, MAX_JSON_DEPTH } from '../providers/request.js'
import { parseChatRequest } from './parse-request.js'
import { unifiedTranslators } from './translators.js'

const text = fc.string({ unit: 'binary', maxLength: 10 })
const anyJson = fc.jsonValue({ maxDepth: 2 })
/**
 * A chat body with the fields parseChatRequest reads. `loose`: each usually of its documented type
 * and range, at times any JSON value, so refusals of every kind come up; otherwise always of its
 * type and range, so most are accepted and reach the translators.
 */
function chatBody(loose: boolean): fc.Arbitrary<Record<string, unknown>> {
  const maybe = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<unknown> => (loose ? fc.oneof({ arbitrary: arb, weight: 6 }, anyJson) : arb)
  const nestedText = fc.integer({ min: MAX_JSON_DEPTH - 2, max: MAX_JSON_DEPTH + 2 }).map((depth) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`)
  const argumentsText = fc.oneof({ arbitrary: fc.json({ maxDepth: 3 }), weight: 4 }, { arbitrary: text, weight: 4 }, fc.constant(''), nestedText)
  const textPart = fc.record({ type: fc.constant('text'), text: argumentsText })
  const imagePart = fc.record({ type: fc.constant('image_url'), image_url: fc.record({ url: fc.oneof(fc.constant('data:image/png;base64,iVBORw0KGgo='), fc.webUrl(), text), detail: maybe(text) }, { requiredKeys: ['url'] }) })
  const content = maybe(fc.oneof(text, fc.array(fc.oneof(textPart, imagePart), { maxLength: 3 })))
  const toolCall = fc.record({ id: maybe(text), type: fc.constant('function'), function: maybe(fc.record({ name: maybe(text), arguments: maybe(argumentsText) })) })
  const message = fc.oneof(
    fc.record({ role: fc.constantFrom('system', 'developer'), content: maybe(fc.oneof(text, fc.array(textPart, { maxLength: 2 }))) }),
    fc.record({ role: fc.constant('user'), content }),
    fc.record({ role: fc.constant('assistant'), content: fc.oneof(content, fc.constant(null)), tool_calls: maybe(fc.array(toolCall, { minLength: 1, maxLength: 2 })) }, { requiredKeys: ['role', 'tool_calls'] }),
    fc.record({ role: fc.constant('tool'), content: maybe(fc.oneof(argumentsText, fc.array(textPart, { maxLength: 2 }))), tool_call_id: maybe(text) }),
    ...(loose ? [anyJson] : []),
  )
  const tokens = loose ? fc.oneof(fc.integer({ min: -1, max: 100_000 }), fc.double()) : fc.integer({ min: 1, max: 100_000 })
  const tool = fc.record({ type: fc.constant('function'), function: maybe(fc.record({ name: maybe(fc.string({ minLength: 1, maxLength: 6 })), description: maybe(text), parameters: maybe(fc.object({ maxDepth: 2 })) }, { requiredKeys: ['name'] })) })
  return fc
    .record(
      {
        model: maybe(fc.string({ minLength: 1, maxLength: 6 })),
        messages: maybe(fc.array(message, { minLength: 1, maxLength: 4 })),
        stream: maybe(fc.boolean()),
        stream_options: maybe(fc.record({ include_usage: maybe(fc.boolean()) })),
        n: loose ? fc.constantFrom(1, 2, null) : fc.constantFrom(1, null),
        max_tokens: maybe(tokens),
        max_completion_tokens: maybe(tokens),
        temperature: maybe(loose ? fc.double({ min: -1, max: 3 }) : fc.double({ min: 0, max: 2, noNaN: true })),
        top_p: maybe(loose ? fc.double({ min: -1, max: 2 }) : fc.double({ min: 0, max: 1, noNaN: true })),
        stop: maybe(fc.oneof(text, fc.array(text, { maxLength: 4 }))),
        tools: maybe(fc.array(tool, { maxLength: 2 })),
        functions: maybe(fc.array(fc.record({ name: maybe(fc.string({ minLength: 1, maxLength: 6 })), parameters: maybe(fc.object({ maxDepth: 1 })) }), { maxLength: 2 })),
        tool_choice: maybe(fc.oneof(fc.constantFrom('none', 'auto', 'required'), fc.record({ type: fc.constant('function'), function: fc.record({ name: text }) }))),
        audio: fc.constant(null),
      },
      { requiredKeys: ['model', 'messages'] },
    )
    // As the data plane hands it over: parsed JSON (no undefined, no -0, NaN as null).
    .map((body) => JSON.parse(JSON.stringify(body)) as Record<string, unknown>)
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/** Every tool argument and tool result text in the body's messages. */
function toolTexts(body: Record<string, unknown>): string[] {
  const out: string[] = []
  for (const m of Array.isArray(body.messages) ? body.messages : []) {
    if (!isObject(m)) continue
    for (const call of Array.isArray(m.tool_calls) ? m.tool_calls : []) {
      if (isObject(call) && isObject(call.function) && typeof call.function.arguments === 'string') out.push(call.function.arguments)
    }
    if (m.role === 'tool' && typeof m.content === 'string') out.push(m.content)
    if (m.role === 'tool' && Array.isArray(m.content)) for (const part of m.content) if (isObject(part) && typeof part.text === 'string') out.push(part.text)
  }
  return out
}

const params = fc.option(fc.record({ temperature: fc.double({ min: 0, max: 2, noNaN: true }), topP: fc.double({ min: 0, max: 1, noNaN: true }), maxTokens: fc.integer({ min: 1, max: 4096 }) }, { requiredKeys: [] }), { nil: undefined })

describe('parseChatRequest properties', () => {
  it('never throws on any JSON value', () => {
    fc.assert(
      fc.property(fc.oneof(anyJson, fc.jsonValue({ maxDepth: 5 })), (value) => {
        const parsed = parseChatRequest(value)
        if (!parsed.ok) expect(typeof parsed.message).toBe('string')
      }),
      runs(1000),
    )
  })

  it('accepts a request faithful to its body, or refuses it; tooDeep only for a tool text nested too deep', () => {
    fc.assert(
      fc.property(fc.oneof(chatBody(true), chatBody(false)), (body) => {
        const parsed = parseChatRequest(body)
        if (!parsed.ok) {
          expect(parsed.message).not.toBe('')
          if (parsed.tooDeep === true) expect(toolTexts(body).some((t) => jsonTooDeep(t))).toBe(true)
          return
        }
        const { request } = parsed
        expect(request.model).toBe(body.model)
        expect(request.messages).toHaveLength((body.messages as unknown[]).length)
        expect(request.stream).toBe(body.stream === true)
        if (request.includeUsage) expect(request.stream).toBe(true)
        if (request.maxTokens !== undefined) expect(Number.isInteger(request.maxTokens) && request.maxTokens >= 1).toBe(true)
        if (request.temperature !== undefined) expect(request.temperature >= 0 && request.temperature <= 2).toBe(true)
        if (request.topP !== undefined) expect(request.topP >= 0 && request.topP <= 1).toBe(true)
        expect(toolTexts(body).some((t) => jsonTooDeep(t))).toBe(false)
      }),
      runs(600),
    )
  })

  it('whatever it accepts, every translator\'s toNative translates or refuses without throwing', () => {
    const accepted = chatBody(false).filter((body) => parseChatRequest(body).ok)
    fc.assert(
      fc.property(accepted, fc.constantFrom(...ProviderTypes), params, (body, type, targetParams) => {
        const parsed = parseChatRequest(body)
        if (!parsed.ok) throw new Error(parsed.message)
        const native = unifiedTranslators[type].toNative(parsed.request, 'native-model', targetParams, body)
        if (!native.ok) {
          expect(typeof native.message).toBe('string')
          return
        }
        expect(native.path.startsWith('/')).toBe(true)
        expect(isObject(JSON.parse(JSON.stringify(native.body)))).toBe(true)
      }),
      runs(500),
    )
  })
})
