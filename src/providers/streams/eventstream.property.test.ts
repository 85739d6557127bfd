// Property tests for the Bedrock event-stream decoder: any messages,
// however cut, decode to themselves; a byte changed in message k leaves exactly the messages
// before it; frames with valid checksums around garbage headers, and bytes of any kind, never
// throw; chunks are never written to nor needed after push returns.
import { crc32 } from 'node:zlib'
import { EventStreamCodec, type MessageHeaders } from '@smithy/eventstream-codec'
import { fromUtf8, toUtf8 } from '@smithy/util-utf8'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { anyBytes, chunksOf, converseStreamFixture, cutBy, cutting, invokeStreamFixture, pooled, runs } from '../../../test/support/arbitraries.js'
import { EventStreamDecoder, type EventStreamMessage } from './eventstream.js'

const codec = new EventStreamCodec(toUtf8, fromUtf8)

/** A decoded message as plain data; its body may view the chunk, so it is copied (as hex) at once. */
function plain(message: EventStreamMessage): unknown {
  const headers = Object.entries(message.headers).map(([name, { type, value }]) => [name, type, value instanceof Uint8Array ? Buffer.from(value).toString('hex') : String(value)])
  return { headers, body: Buffer.from(message.body).toString('hex') }
}

function decode(chunks: readonly Buffer[], afterPush: (chunk: Buffer) => void = () => {}): unknown[] {
  const seen: unknown[] = []
  const decoder = new EventStreamDecoder((message) => seen.push(plain(message)))
  for (const chunk of chunks) {
    decoder.push(chunk)
    afterPush(chunk)
  }
  return seen
}

const headerValue = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 24 }).map((value) => ({ type: 'string' as const, value })),
  fc.uint8Array({ maxLength: 24 }).map((value) => ({ type: 'binary' as const, value })),
  fc.boolean().map((value) => ({ type: 'boolean' as const, value })),
  fc.integer({ min: -128, max: 127 }).map((value) => ({ type: 'byte' as const, value })),
  fc.integer({ min: -(2 ** 15), max: 2 ** 15 - 1 }).map((value) => ({ type: 'short' as const, value })),
  fc.integer().map((value) => ({ type: 'integer' as const, value })),
)

/** Any message the codec can encode: up to 5 headers of several types, any body. */
const message = fc.record({
  headers: fc.uniqueArray(fc.tuple(fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }), headerValue), { maxLength: 5, selector: ([name]) => name }),
  body: fc.uint8Array({ maxLength: 300 }),
})

function encode({ headers, body }: { headers: Array<[string, MessageHeaders[string]]>; body: Uint8Array }): Buffer {
  return Buffer.from(codec.encode({ headers: Object.fromEntries(headers), body }))
}

/** A frame with correct lengths and checksums around any header and body bytes: reaches the header parser. */
function rawFrame(headerBytes: Buffer, body: Buffer, declaredHeaderLength: number): Buffer {
  const total = 12 + headerBytes.length + body.length + 4
  const frame = Buffer.alloc(total)
  frame.writeUInt32BE(total, 0)
  frame.writeUInt32BE(declaredHeaderLength, 4)
  frame.writeUInt32BE(crc32(frame.subarray(0, 8)), 8)
  headerBytes.copy(frame, 12)
  body.copy(frame, 12 + headerBytes.length)
  frame.writeUInt32BE(crc32(frame.subarray(0, total - 4)), total - 4)
  return frame
}

const garbageFrame = fc
  .tuple(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 32 }), fc.option(fc.nat({ max: 200 }), { nil: undefined }))
  .map(([headers, body, declared]) => rawFrame(Buffer.from(headers), Buffer.from(body), declared ?? headers.length))

describe('EventStreamDecoder properties', () => {
  it('any messages, however cut, decode to themselves', () => {
    fc.assert(
      fc.property(fc.array(message, { maxLength: 6 }), cutting, (messages, cut) => {
        const frames = messages.map(encode)
        const expected = decode(frames)
        expect(expected).toHaveLength(messages.length)
        expect(decode(cutBy(Buffer.concat(frames), cut))).toEqual(expected)
      }),
      runs(500),
    )
  })

  it.each([
    ['ConverseStream', converseStreamFixture()],
    ['InvokeModelWithResponseStream', invokeStreamFixture()],
  ])('the %s fixture decodes the same however it is cut', (_name, body) => {
    const whole = decode([body])
    expect(whole.length).toBeGreaterThan(2)
    fc.assert(
      fc.property(chunksOf(body), (chunks) => {
        expect(decode(chunks)).toEqual(whole)
      }),
      runs(300),
    )
  })

  it('a byte changed in message k leaves exactly the messages before k, however cut', () => {
    const corrupted = fc
      .tuple(fc.array(message, { minLength: 1, maxLength: 5 }), fc.nat(), fc.nat(), fc.integer({ min: 1, max: 255 }))
      .map(([messages, k, at, flip]) => {
        const frames = messages.map(encode)
        const index = k % frames.length
        const target = Buffer.from(frames[index]!)
        const offset = at % target.length
        target[offset] = target[offset]! ^ flip
        frames[index] = target
        return { frames, index }
      })
    fc.assert(
      fc.property(corrupted, cutting, ({ frames, index }, cut) => {
        expect(decode(cutBy(Buffer.concat(frames), cut))).toEqual(decode(frames.slice(0, index)))
      }),
      runs(500),
    )
  })

  it('never throws on valid-checksum frames with garbage headers or on any bytes, and any chunking agrees with one push', () => {
    const input = fc.oneof(
      fc.array(garbageFrame, { minLength: 1, maxLength: 4 }).map((frames) => Buffer.concat(frames)),
      anyBytes,
      fc.tuple(fc.array(message, { maxLength: 2 }), anyBytes).map(([messages, tail]) => Buffer.concat([...messages.map(encode), tail])),
    )
    fc.assert(
      fc.property(input, cutting, (bytes, cut) => {
        expect(decode(cutBy(bytes, cut))).toEqual(decode([bytes]))
      }),
      runs(1000),
    )
  })

  it('never writes to a chunk, and a chunk reused after push does not change the messages', () => {
    fc.assert(
      fc.property(fc.array(message, { maxLength: 4 }), cutting, (messages, cut) => {
        const body = Buffer.concat(messages.map(encode))
        const { chunks, backing } = pooled(cutBy(body, cut))
        const before = Buffer.from(backing)
        const read = decode(chunks)
        expect(backing.equals(before)).toBe(true)
        expect(decode(cutBy(body, cut), (chunk) => chunk.fill(0))).toEqual(read)
      }),
      runs(500),
    )
  })
})
