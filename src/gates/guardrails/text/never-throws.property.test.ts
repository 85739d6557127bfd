// Property tests: the extractors never throw on arbitrary JSON, including JSON built from the keys they read.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { answerText, requestText, streamText, withText } from './index.js'
import { BODY_KINDS } from './test-support.js'

const kind = fc.constantFrom(...BODY_KINDS)
const anyJson = fc.jsonValue({ maxDepth: 4 })
/** Keys the extractors look for, so arbitrary values land where the shapes are read. */
const KEYS = [
  ...['messages', 'content', 'role', 'text', 'refusal', 'tool_calls', 'function', 'arguments', 'input', 'output', 'type', 'instructions'],
  ...['system', 'contents', 'parts', 'systemInstruction', 'functionCall', 'args', 'functionResponse', 'response', 'candidates', 'promptFeedback'],
  ...['choices', 'delta', 'message', 'toolUse', 'toolResult', 'json', 'guardContent', 'promptVariables', 'prompt', 'variables', 'completion'],
  ...['completion_message', 'event', 'eventType', 'payload', 'bytes', 'results', 'outputText', 'generation', 'inputText', 'contentBlockDelta'],
]
const shaped = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', maxDepth: 6, withCrossShrink: true }, anyJson, tie('object'), fc.array(tie('value'), { maxLength: 3 })),
  object: fc.dictionary(fc.constantFrom(...KEYS), tie('value'), { maxKeys: 4 }),
})).value
const body = fc.oneof(anyJson, shaped)
const RUNS = { numRuns: 300 }

describe('the extractors never throw', () => {
  it('requestText', () => {
    fc.assert(fc.property(kind, body, (k, b) => void requestText(k, b)), RUNS)
  })

  it('answerText', () => {
    fc.assert(fc.property(kind, body, (k, b) => void answerText(k, b)), RUNS)
  })

  it('streamText returns a string', () => {
    fc.assert(fc.property(kind, body, (k, e) => typeof streamText(k, e) === 'string'), RUNS)
  })

  it('withText round-trips whatever requestText finds in arbitrary bodies', () => {
    fc.assert(
      fc.property(kind, body, (k, b) => {
        const found = requestText(k, b)
        if (found !== undefined) expect(withText(b, found.segments)).toEqual(b)
      }),
      RUNS,
    )
  })

  it('streamText on Bedrock events wrapping arbitrary JSON, or bytes that are not JSON', () => {
    const bytes = fc.oneof(body.map((v) => Buffer.from(JSON.stringify(v)).toString('base64')), fc.string())
    const event = fc.record({ eventType: fc.constantFrom('chunk', 'contentBlockDelta'), payload: fc.oneof(fc.record({ bytes }), body) })
    fc.assert(fc.property(kind, event, (k, e) => typeof streamText(k, e) === 'string'), RUNS)
  })
})
