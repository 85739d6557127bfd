import { describe, expect, it } from 'vitest'
import { chunkings, fixture } from '../../../test/fixtures/providers/helpers.js'
import { JsonArraySplitter } from './json-array.js'

function split(chunks: Buffer[]): unknown[] {
  const elements: unknown[] = []
  const splitter = new JsonArraySplitter((element) => elements.push(JSON.parse(element.toString('utf8'))))
  for (const chunk of chunks) splitter.push(chunk)
  return elements
}

const cases: Array<[string, string]> = [
  ['Gemini separators', '[{"a":1}\n,\r\n{"b":2}\n]'],
  ['empty array', '[]'],
  ['whitespace only', ' [ \r\n ] '],
  ['escaped quotes and backslashes', String.raw`[{"t":"say \"hi\" \\"},{"t":"\\\"}{"},{"t":"\\\\"}]`],
  ['brackets inside strings', '[{"t":"}]{[,"},{"u":"]"}]'],
  ['nested objects and arrays', '[{"a":{"b":[1,{"c":[]}]}},[1,[2,[3]]],{"d":{}}]'],
  ['unicode escapes and UTF-8', '[{"t":"\\u0022✓😀"},{"t":"é"}]'],
  ['pretty-printed', '[\n  {\n    "k": "v"\n  }\n,\r\n  {\n    "k": [\n      1\n    ]\n  }\n]'],
]

describe('JsonArraySplitter', () => {
  describe.each(cases)('%s', (_name, text) => {
    const expected = JSON.parse(text) as unknown[]
    it.each(chunkings(Buffer.from(text)))('%s', (_label, chunks) => {
      expect(split(chunks)).toEqual(expected)
    })
  })

  describe('Gemini streamGenerateContent fixture', () => {
    const body = fixture('gemini/stream-generate-content.json')
    const expected = JSON.parse(body.toString()) as unknown[]
    it.each(chunkings(body, 16))('%s', (_label, chunks) => {
      expect(split(chunks)).toEqual(expected)
      expect(expected).toHaveLength(2)
    })
  })

  it('ignores primitive elements and emits only objects and arrays', () => {
    expect(split([Buffer.from('[1, "x", {"a":"[{"}, null, true, [2]]')])).toEqual([{ a: '[{' }, [2]])
  })

  it('copies the incomplete element, so the caller may reuse its chunk', () => {
    const elements: string[] = []
    const splitter = new JsonArraySplitter((element) => elements.push(element.toString()))
    const chunk = Buffer.from('[{"a":"bc')
    splitter.push(chunk)
    chunk.fill(0x20)
    splitter.push(Buffer.from('d"}]'))
    expect(elements).toEqual(['{"a":"bcd"}'])
  })

  it('never throws on malformed input', () => {
    const splitter = new JsonArraySplitter(() => {})
    for (const text of [']]]}}}', '{"a":', '"\\', '[[[[[', '']) expect(() => splitter.push(Buffer.from(text))).not.toThrow()
  })
})
