// Property tests for reading a request body: however the client's bytes
// arrive, readBody answers exactly their concatenation, untouched, or TOO_LARGE when the body (or
// its declared content-length) is over the limit, and rejects with the stream's error when the
// body breaks off first. A Readable stands in for the socket.
import type { IncomingMessage } from 'node:http'
import { Readable } from 'node:stream'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { anyBytes, cutBy, cutting, pooled, runs } from '../../test/support/arbitraries.js'
import { readBody, TOO_LARGE } from './body.js'

/** A request whose body arrives as `chunks`, then ends, or fails with `error` after `failAfter` of them. */
function request(chunks: readonly Buffer[], headers: Record<string, string>, failAfter?: number): IncomingMessage {
  const error = new Error('socket hang up')
  const stream = Readable.from(
    (function* () {
      for (const [i, chunk] of chunks.entries()) {
        if (i === failAfter) throw error
        yield chunk
      }
      if (failAfter !== undefined) throw error
    })(),
    { objectMode: false },
  )
  return Object.assign(stream, { headers }) as unknown as IncomingMessage
}

const declared = fc.option(fc.oneof(fc.nat({ max: 1024 }).map(String), fc.constantFrom('', 'abc', '-1', '1e3', ' 12 ')), { nil: undefined })

describe('readBody properties', () => {
  it('answers the bytes as sent, or TOO_LARGE exactly when they or the declared length exceed the limit', async () => {
    await fc.assert(
      fc.asyncProperty(anyBytes, cutting, fc.nat({ max: 600 }), declared, async (bytes, cut, limitBytes, length) => {
        const { chunks, backing } = pooled(cutBy(bytes, cut))
        const before = Buffer.from(backing)
        const headers: Record<string, string> = length === undefined ? {} : { 'content-length': length }
        const body = await readBody(request(chunks, headers), limitBytes)
        const tooLarge = (length !== undefined && Number(length) > limitBytes) || bytes.length > limitBytes
        if (tooLarge) expect(body).toBe(TOO_LARGE)
        else expect(Buffer.isBuffer(body) && body.equals(bytes)).toBe(true)
        expect(backing.equals(before)).toBe(true)
      }),
      runs(300),
    )
  })

  it('rejects with the stream\'s error when the body breaks off within the limit', async () => {
    await fc.assert(
      fc.asyncProperty(anyBytes, cutting, fc.nat(), async (bytes, cut, at) => {
        const chunks = cutBy(bytes, cut)
        const failAfter = at % (chunks.length + 1)
        await expect(readBody(request(chunks, {}), bytes.length)).resolves.toBeInstanceOf(Buffer)
        await expect(readBody(request(chunks, {}, failAfter), bytes.length)).rejects.toThrow('socket hang up')
      }),
      runs(200),
    )
  })
})
