import { describe, expect, it } from 'vitest'
import { readAll, usage } from '../../test/fixtures/providers/helpers.js'
import { openAiUsage, USAGE_KEY } from './openai-dialect.js'
import { createEventDecoder } from './streams/events.js'
import { findUsage, jsonUsageReader, readableBody, streamedUsageReader } from './usage.js'

describe('findUsage', () => {
  it.each([
    ['compact', '{"usage":{"prompt_tokens":3,"completion_tokens":4}}', usage(3, 4)],
    ['spaced', '{"usage" :\n {"prompt_tokens": 3, "completion_tokens": 4}\n}', usage(3, 4)],
    ['escaped key in a string is not a key', '{"usage":{"prompt_tokens":1},"text":"\\"usage\\":{\\"prompt_tokens\\":9}"}', usage(1, 0)],
    ['later string-valued key skipped', '{"usage":{"prompt_tokens":2},"metadata":{"usage":"team"}}', usage(2, 0)],
    ['later wrong-shaped object skipped', '{"usage":{"prompt_tokens":2},"trace":{"usage":{"units":5}}}', usage(2, 0)],
    ['null usage skipped', '{"usage":null}', undefined],
    ['brackets and quotes inside the value', '{"usage":{"prompt_tokens":5,"note":"}{\\"]"}}', usage(5, 0)],
    ['truncated value', '{"usage":{"prompt_tokens":5', undefined],
    ['no key', '{"choices":[]}', undefined],
    ['key at the very start', '"usage":{"prompt_tokens":1}', usage(1, 0)],
  ])('%s', (_name, text, expected) => {
    expect(findUsage(Buffer.from(text), USAGE_KEY, openAiUsage)).toEqual(expected)
  })
})

describe('jsonUsageReader', () => {
  const body = Buffer.from('{"id":"x","usage":{"prompt_tokens":7,"completion_tokens":8}}')

  it('answers for what it has seen so far and re-reads after more arrives', () => {
    const reader = jsonUsageReader(USAGE_KEY, openAiUsage)
    reader.push(body.subarray(0, 30))
    expect(reader.result()).toBeUndefined()
    reader.push(body.subarray(30))
    expect(reader.result()).toEqual(usage(7, 8))
    expect(reader.result()).toEqual(usage(7, 8))
  })

  it('keeps only the tail of a body past 8 MiB, where usage sits', () => {
    const filler = Buffer.alloc(512 * 1024, 0x20)
    const chunks = [Buffer.from('{"data":"'), ...Array.from({ length: 40 }, () => filler), Buffer.from('","usage":{"prompt_tokens":11}}')]
    expect(readAll(jsonUsageReader(USAGE_KEY, openAiUsage), chunks)).toEqual(usage(11, 0))
  })
})

describe('readableBody', () => {
  it.each([
    [200, {}, true],
    [204, { 'content-encoding': 'identity' }, true],
    [200, { 'content-encoding': 'gzip' }, false],
    [400, {}, false],
    [503, {}, false],
  ])('status %i with %o → %s', (status, headers, expected) => {
    expect(readableBody(status, headers)).toBe(expected)
  })
})

describe('streamedUsageReader tapEvents', () => {
  const chunk = (content: string): string => JSON.stringify({ choices: [{ delta: { content } }], usage: null })
  const final = '{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4}}'
  const streams = {
    sse: Buffer.from(`data: ${chunk('a\\nb')}\n\nevent: x\ndata: ${chunk('c')}\r\n\r\n: comment\n\ndata: ${final}\n\ndata: [DONE]\n\n`),
    'json-array': Buffer.from(`[${chunk('a')},\n${chunk('c]"{')} , ${final}]`),
  } as const

  it.each(Object.entries(streams))('%s: hands over the events the adapter decoder gives, cut anywhere, with the same pending', (format, bytes) => {
    for (let cut = 0; cut <= bytes.length; cut++) {
      const tapped: string[] = []
      const decoded: string[] = []
      const reader = streamedUsageReader(USAGE_KEY, openAiUsage, format as 'sse' | 'json-array')
      const tap = reader.tapEvents!((data, type) => tapped.push(`${type}|${data}`))!
      const decoder = createEventDecoder(format as 'sse' | 'json-array', (data, type) => decoded.push(`${type}|${data}`))!
      for (const part of [bytes.subarray(0, cut), bytes.subarray(cut)]) {
        reader.push(part)
        decoder.push(part)
        expect(tap.pending, `cut at ${cut}`).toBe(decoder.pending)
      }
      expect(tapped, `cut at ${cut}`).toEqual(decoded)
      expect(reader.result()).toEqual(usage(3, 4))
    }
  })
})
