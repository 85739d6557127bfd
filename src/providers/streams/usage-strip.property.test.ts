// Property tests for the include_usage transform: for any Chat Completions stream (text with
// quotes, escapes, unicode and look-alike `"usage":null` text inside strings; compact or spaced
// JSON; LF or CRLF; usage on its own last chunk or on the last content chunk), cut into chunks at
// any bytes, the transform's output is exactly the stream the upstream sends without the option.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { cutBy, cutting, mutated, runs } from '../../../test/support/arbitraries.js'
import { UsageStripper } from './usage-strip.js'

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

/** Compact (JSON.stringify) or Python's default `", "` / `": "` separators. */
function dumps(value: Json, spaced: boolean): string {
  if (!spaced) return JSON.stringify(value)
  if (Array.isArray(value)) return `[${value.map((v) => dumps(v, true)).join(', ')}]`
  if (value !== null && typeof value === 'object') return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${dumps(v, true)}`).join(', ')}}`
  return JSON.stringify(value)
}

interface StreamCase {
  readonly deltas: readonly string[]
  readonly spaced: boolean
  readonly crlf: boolean
  /** Where `usage` sits among the chunk's members. */
  readonly usageAt: 'first' | 'middle' | 'last'
  /** Usage on a last chunk of its own (OpenAI) or on the finishing content chunk. */
  readonly ownChunk: boolean
}

const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), fc.constantFrom('"usage":null', ',"usage":{"a":1}}', '\\"', '\n\n', 'data: x', '{"choices":[]}'))

const streamCase: fc.Arbitrary<StreamCase> = fc.record({
  deltas: fc.array(text, { maxLength: 6 }),
  spaced: fc.boolean(),
  crlf: fc.boolean(),
  usageAt: fc.constantFrom('first', 'middle', 'last'),
  ownChunk: fc.boolean(),
})

const USAGE = { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10, prompt_tokens_details: { cached_tokens: 0 } }

function chunk(choices: Json[], usage: Json | undefined, at: StreamCase['usageAt']): { [key: string]: Json } {
  const out: { [key: string]: Json } = {}
  if (usage !== undefined && at === 'first') out.usage = usage
  out.id = 'chatcmpl-1'
  out.object = 'chat.completion.chunk'
  if (usage !== undefined && at === 'middle') out.usage = usage
  out.choices = choices
  if (usage !== undefined && at === 'last') out.usage = usage
  return out
}

/** The stream as sent with include_usage (`withUsage`) or without. */
function stream(c: StreamCase, withUsage: boolean): Buffer {
  const end = c.crlf ? '\r\n\r\n' : '\n\n'
  const event = (value: Json): string => `data: ${dumps(value, c.spaced)}${end}`
  const blank = withUsage ? null : undefined
  const choice = (delta: Json, finish: Json): Json => ({ index: 0, delta, finish_reason: finish })
  let out = event(chunk([choice({ role: 'assistant', content: '' }, null)], blank, c.usageAt))
  for (const content of c.deltas) out += event(chunk([choice({ content }, null)], blank, c.usageAt))
  const last = [choice({}, 'stop')]
  if (c.ownChunk) {
    out += event(chunk(last, blank, c.usageAt))
    if (withUsage) out += event(chunk([], USAGE, c.usageAt))
  } else out += event(chunk(last, withUsage ? USAGE : undefined, c.usageAt))
  return Buffer.from(out + `data: [DONE]${end}`)
}

function strip(chunks: readonly Buffer[]): Buffer {
  const stripper = new UsageStripper()
  const out = chunks.map((piece) => stripper.push(piece))
  const rest = stripper.flush()
  if (rest !== undefined) out.push(rest)
  return Buffer.concat(out)
}

describe('UsageStripper (property)', () => {
  it('gives the stream as sent without include_usage, however the bytes are cut', () => {
    fc.assert(
      fc.property(streamCase, cutting, (c, cuts) => {
        expect(strip(cutBy(stream(c, true), cuts)).toString('hex')).toBe(stream(c, false).toString('hex'))
      }),
      runs(400),
    )
  })

  it('passes a stream without include_usage unchanged', () => {
    fc.assert(
      fc.property(streamCase, cutting, (c, cuts) => {
        const plain = stream(c, false)
        expect(strip(cutBy(plain, cuts)).equals(plain)).toBe(true)
      }),
      runs(200),
    )
  })

  it('never throws on damaged streams, and is still cut-independent', () => {
    fc.assert(
      fc.property(streamCase.chain((c) => mutated(stream(c, true))), cutting, (bytes, cuts) => {
        expect(strip(cutBy(bytes, cuts)).equals(strip([bytes]))).toBe(true)
      }),
      runs(300),
    )
  })
})
