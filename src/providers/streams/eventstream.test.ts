import { EventStreamCodec } from '@smithy/eventstream-codec'
import { fromUtf8, toUtf8 } from '@smithy/util-utf8'
import { describe, expect, it } from 'vitest'
import { chunkings } from '../../../test/fixtures/providers/helpers.js'
import { EventStreamDecoder } from './eventstream.js'

const codec = new EventStreamCodec(toUtf8, fromUtf8)

function frame(eventType: string, payload: string): Buffer {
  return Buffer.from(
    codec.encode({
      headers: {
        ':event-type': { type: 'string', value: eventType },
        ':content-type': { type: 'string', value: 'application/json' },
        ':message-type': { type: 'string', value: 'event' },
      },
      body: fromUtf8(payload),
    }),
  )
}

interface Seen {
  type: unknown
  body: string
}

function decode(chunks: Buffer[]): Seen[] {
  const seen: Seen[] = []
  const decoder = new EventStreamDecoder((m) => seen.push({ type: m.headers[':event-type']?.value, body: toUtf8(m.body) }))
  for (const chunk of chunks) decoder.push(chunk)
  return seen
}

const messages: Seen[] = [
  { type: 'messageStart', body: '{"role":"assistant"}' },
  { type: 'contentBlockDelta', body: '{"contentBlockIndex":0,"delta":{"text":"Hé ✓"}}' },
  { type: 'empty', body: '' },
  { type: 'big', body: JSON.stringify({ text: 'x'.repeat(70_000) }) },
  { type: 'metadata', body: '{"usage":{"inputTokens":3,"outputTokens":4}}' },
]
const stream = Buffer.concat(messages.map((m) => frame(String(m.type), m.body)))

describe('EventStreamDecoder', () => {
  it.each(chunkings(stream, 12))('decodes every message: %s', (_label, chunks) => {
    expect(decode(chunks)).toEqual(messages)
  })

  it('decodes messages split at the length prelude', () => {
    const one = frame('a', '{}')
    const two = frame('b', '{"x":1}')
    const chunks = [Buffer.concat([one, two.subarray(0, 2)]), two.subarray(2, 3), two.subarray(3)]
    expect(decode(chunks)).toEqual([
      { type: 'a', body: '{}' },
      { type: 'b', body: '{"x":1}' },
    ])
  })

  it('stops at a message whose checksum does not match', () => {
    const bad = frame('bad', '{"a":1}')
    bad.writeUInt8(bad.readUInt8(bad.length - 6) ^ 0xff, bad.length - 6)
    expect(decode([frame('ok', '{}'), bad, frame('after', '{}')])).toEqual([{ type: 'ok', body: '{}' }])
  })

  it.each([
    ['shorter than a prelude', 8],
    ['larger than AWS allows', 64 * 1024 * 1024],
  ])('stops at a length %s', (_name, length) => {
    const bogus = Buffer.alloc(16)
    bogus.writeUInt32BE(length, 0)
    expect(decode([frame('ok', '{}'), bogus, frame('after', '{}')])).toEqual([{ type: 'ok', body: '{}' }])
  })

  it('copies a message split across chunks, so the caller may reuse its chunk', () => {
    const whole = frame('a', '{"k":"v"}')
    const first = Buffer.from(whole.subarray(0, 20))
    const seen: string[] = []
    const decoder = new EventStreamDecoder((m) => seen.push(toUtf8(m.body)))
    decoder.push(first)
    first.fill(0)
    decoder.push(Buffer.from(whole.subarray(20)))
    expect(seen).toEqual(['{"k":"v"}'])
  })
})
