// Property tests for the SSE parser: whatever the bytes and however they
// are cut, push never throws, the events are those of a whole-buffer reading of the WHATWG
// event-stream rules (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation),
// and the caller's chunks are neither written to nor needed after push returns.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fixture } from '../../../test/fixtures/providers/helpers.js'
import { anyBytes, bytesOf, chunksOf, cutBy, cutting, mutated, pooled, runs } from '../../../test/support/arbitraries.js'
import { SseParser } from './sse.js'

interface Seen {
  event: string
  data: string
}

function parse(chunks: readonly Buffer[], afterPush: (chunk: Buffer) => void = () => {}): Seen[] {
  const seen: Seen[] = []
  // Hex, not utf8: two different byte strings must not read as the same event.
  const parser = new SseParser((data, event) => seen.push({ event, data: data.toString('hex') }))
  for (const chunk of chunks) {
    parser.push(chunk)
    afterPush(chunk)
  }
  return seen
}

const CR = 0x0d
const LF = 0x0a
const COLON = 0x3a

/** The spec's interpretation over a whole buffer: a reference, written for clarity rather than speed. */
function reference(bytes: Buffer): Seen[] {
  const seen: Seen[] = []
  let data: Buffer[] = []
  let event = ''
  let lineStart = 0
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]
    if (byte !== CR && byte !== LF) continue
    const line = bytes.subarray(lineStart, i)
    if (byte === CR && bytes[i + 1] === LF) i++
    lineStart = i + 1
    if (line.length === 0) {
      if (data.length > 0) seen.push({ event, data: Buffer.concat(data.flatMap((d, n) => (n === 0 ? [d] : [Buffer.of(LF), d]))).toString('hex') })
      data = []
      event = ''
      continue
    }
    if (line[0] === COLON) continue
    const colon = line.indexOf(COLON)
    const field = (colon === -1 ? line : line.subarray(0, colon)).toString('latin1')
    let value = colon === -1 ? Buffer.alloc(0) : line.subarray(colon + 1)
    if (value[0] === 0x20) value = value.subarray(1)
    if (field === 'data') data.push(value)
    else if (field === 'event') event = value.toString('utf8')
  }
  return seen
}

const TOKENS = ['data:', 'data: ', 'event:', 'event: ', ': ', ':', 'id: 1', 'retry: 5', '\n', '\r', '\r\n', '\n\n', ' ', '{"usage":{}}', '[DONE]', 'é', '\u2028']
const sseLike = fc.oneof(bytesOf(TOKENS), anyBytes)

const FIXTURES = [
  'openai/chat-completion-stream.sse',
  'openai/responses-stream.sse',
  'llama/chat-completion-stream.sse',
  'llama/compat-chat-completion-stream.sse',
  'gemini/stream-generate-content.sse',
]

describe('SseParser properties', () => {
  it('never throws, and any chunking of any bytes yields the reference events', () => {
    fc.assert(
      fc.property(sseLike, cutting, (bytes, cut) => {
        expect(parse(cutBy(bytes, cut))).toEqual(reference(bytes))
      }),
      runs(1000),
    )
  })

  it.each(FIXTURES)('%s: every chunking yields the same events as the whole stream', (name) => {
    const body = fixture(name)
    const whole = parse([body])
    expect(whole.length).toBeGreaterThan(2)
    expect(whole).toEqual(reference(body))
    fc.assert(
      fc.property(chunksOf(body), (chunks) => {
        expect(parse(chunks)).toEqual(whole)
      }),
      runs(300),
    )
  })

  it.each(FIXTURES)('%s, mutated: never throws and still matches the reference', (name) => {
    fc.assert(
      fc.property(mutated(fixture(name)), cutting, (bytes, cut) => {
        expect(parse(cutBy(bytes, cut))).toEqual(reference(bytes))
      }),
      runs(200),
    )
  })

  it('never writes to a chunk, and a chunk reused after push does not change the events', () => {
    fc.assert(
      fc.property(sseLike, cutting, (bytes, cut) => {
        const { chunks, backing } = pooled(cutBy(bytes, cut))
        const before = Buffer.from(backing)
        const read = parse(chunks)
        expect(backing.equals(before)).toBe(true)
        // The contract (sse.ts): what the parser keeps past a push it copies, so the caller may reuse the chunk.
        expect(parse(cutBy(bytes, cut), (chunk) => chunk.fill(0x0a))).toEqual(read)
      }),
      runs(500),
    )
  })
})
