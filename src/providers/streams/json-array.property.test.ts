// Property tests for the streamed JSON array splitter: any valid array,
// however whitespaced and cut, yields exactly its object and array elements; any bytes at all,
// however cut, never throw and yield what the same bytes yield in one push; chunks are never
// written to nor needed after push returns.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fixture } from '../../../test/fixtures/providers/helpers.js'
import { anyBytes, bytesOf, chunksOf, cutBy, cutting, mutated, pooled, runs } from '../../../test/support/arbitraries.js'
import { JsonArraySplitter } from './json-array.js'

function split(chunks: readonly Buffer[], afterPush: (chunk: Buffer) => void = () => {}): string[] {
  const elements: string[] = []
  const splitter = new JsonArraySplitter((element) => elements.push(element.toString('hex')))
  for (const chunk of chunks) {
    splitter.push(chunk)
    afterPush(chunk)
  }
  return elements
}

const isContainer = (value: unknown): boolean => typeof value === 'object' && value !== null

/** Any JSON array, with unicode strings and keys, written compact or pretty (Gemini's `\n,\r\n` separators too). */
const jsonArrayText = fc
  .tuple(fc.array(fc.jsonValue({ maxDepth: 4, stringUnit: 'binary' }), { maxLength: 8 }), fc.constantFrom(undefined, 1, 2, '\t', '\r\n'), fc.boolean())
  .map(([elements, indent, gemini]) => {
    if (gemini) return `[${elements.map((e) => JSON.stringify(e)).join('\n,\r\n')}\n]`
    return indent === '\r\n' ? JSON.stringify(elements, null, 1).replaceAll('\n', '\r\n') : JSON.stringify(elements, null, indent)
  })

const TOKENS = ['[', ']', '{', '}', '"', '\\', '\\"', '\\\\', ',', ':', ' ', '\n', '"a"', '1', 'é']
const jsonLike = fc.oneof(bytesOf(TOKENS), anyBytes)

describe('JsonArraySplitter properties', () => {
  it('any valid array, however cut, yields exactly its object and array elements', () => {
    fc.assert(
      fc.property(jsonArrayText, cutting, (text, cut) => {
        const body = Buffer.from(text)
        const expected = (JSON.parse(text) as unknown[]).filter(isContainer)
        const elements = split(cutBy(body, cut)).map((hex) => JSON.parse(Buffer.from(hex, 'hex').toString('utf8')) as unknown)
        expect(elements).toEqual(expected)
      }),
      runs(1000),
    )
  })

  it('any bytes never throw, and any chunking yields what one push yields', () => {
    fc.assert(
      fc.property(jsonLike, cutting, (bytes, cut) => {
        expect(split(cutBy(bytes, cut))).toEqual(split([bytes]))
      }),
      runs(1000),
    )
  })

  it('the Gemini fixture, whole, mutated or cut anywhere, is split the same way as in one push', () => {
    const body = fixture('gemini/stream-generate-content.json')
    const whole = split([body])
    expect(whole.map((hex) => JSON.parse(Buffer.from(hex, 'hex').toString()) as unknown)).toEqual(JSON.parse(body.toString()))
    fc.assert(
      fc.property(chunksOf(body), (chunks) => {
        expect(split(chunks)).toEqual(whole)
      }),
      runs(300),
    )
    fc.assert(
      fc.property(mutated(body), cutting, (bytes, cut) => {
        expect(split(cutBy(bytes, cut))).toEqual(split([bytes]))
      }),
      runs(300),
    )
  })

  it('never writes to a chunk, and a chunk reused after push does not change the elements', () => {
    fc.assert(
      fc.property(fc.oneof(jsonLike, jsonArrayText.map((text) => Buffer.from(text))), cutting, (bytes, cut) => {
        const { chunks, backing } = pooled(cutBy(bytes, cut))
        const before = Buffer.from(backing)
        const read = split(chunks)
        expect(backing.equals(before)).toBe(true)
        expect(split(cutBy(bytes, cut), (chunk) => chunk.fill(0x5b))).toEqual(read)
      }),
      runs(500),
    )
  })
})
