import { describe, expect, it } from 'vitest'
import { MAX_HELD_BYTES, UsageStripper } from './usage-strip.js'

function strip(...chunks: string[]): string {
  const stripper = new UsageStripper()
  const out = chunks.map((chunk) => stripper.push(Buffer.from(chunk)).toString())
  return out.join('') + (stripper.flush()?.toString() ?? '')
}

describe('UsageStripper', () => {
  it.each([
    ['usage last (OpenAI, the emulator)', 'data: {"id":"a","choices":[{"delta":{}}],"usage":null}\n\n', 'data: {"id":"a","choices":[{"delta":{}}]}\n\n'],
    ['usage first', 'data: {"usage":null,"id":"a","choices":[]}\n\n', 'data: {"id":"a","choices":[]}\n\n'],
    ['usage between', 'data: {"id":"a","usage":null,"choices":[]}\n\n', 'data: {"id":"a","choices":[]}\n\n'],
    ['spaced JSON', 'data: {"id": "a", "choices": [], "usage": null}\n\n', 'data: {"id": "a", "choices": []}\n\n'],
    ['followed by another member', 'data: {"choices":[{}],"usage":null,"obfuscation":"x"}\n\n', 'data: {"choices":[{}],"obfuscation":"x"}\n\n'],
    ['the usage chunk is dropped whole', 'data: {"choices":[{}],"usage":null}\n\ndata: {"choices":[],"usage":{"prompt_tokens":1}}\n\ndata: [DONE]\n\n', 'data: {"choices":[{}]}\n\ndata: [DONE]\n\n'],
    ['usage on the last content chunk: only the member goes', 'data: {"choices":[{"finish_reason":"stop"}],"usage":{"prompt_tokens":1}}\n\n', 'data: {"choices":[{"finish_reason":"stop"}]}\n\n'],
    ['CRLF', 'data: {"choices":[],"usage":null}\r\n\r\n', 'data: {"choices":[]}\r\n\r\n'],
    ['an empty-choices chunk without usage stays (Azure filter results)', 'data: {"choices":[],"prompt_filter_results":[]}\n\n', 'data: {"choices":[],"prompt_filter_results":[]}\n\n'],
    ['a nested usage is left alone', 'data: {"choices":[{"delta":{"usage":null}}]}\n\n', 'data: {"choices":[{"delta":{"usage":null}}]}\n\n'],
    ['usage text in a string is left alone', 'data: {"choices":[{"delta":{"content":"\\"usage\\":null"}}]}\n\n', 'data: {"choices":[{"delta":{"content":"\\"usage\\":null"}}]}\n\n'],
    ['an error event passes', 'data: {"error":{"message":"x"}}\n\n', 'data: {"error":{"message":"x"}}\n\n'],
    ['multi-line events pass', 'event: x\ndata: {"usage":null}\n\n', 'event: x\ndata: {"usage":null}\n\n'],
    ['not JSON passes', 'data: {"usage":null\n\n', 'data: {"usage":null\n\n'],
  ])('%s', (_name, input, output) => {
    expect(strip(input)).toBe(output)
  })

  it('holds only an incomplete event, and releases each complete one at once', () => {
    const stripper = new UsageStripper()
    expect(stripper.push(Buffer.from('data: {"choices":[],"usage":null}\n\ndata: {"cho')).toString()).toBe('data: {"choices":[]}\n\n')
    expect(stripper.push(Buffer.from('ices":[],"usage":null}\n')).toString()).toBe('')
    expect(stripper.push(Buffer.from('\n')).toString()).toBe('data: {"choices":[]}\n\n')
    expect(stripper.flush()).toBeUndefined()
  })

  it('gives an unterminated last event back unchanged at the end', () => {
    expect(strip('data: {"choices":[],"usage":null}')).toBe('data: {"choices":[],"usage":null}')
  })

  it('passes the rest of the stream once an event outgrows the cap', () => {
    const stripper = new UsageStripper()
    const big = Buffer.alloc(MAX_HELD_BYTES + 1, 0x61)
    expect(stripper.push(big).length).toBe(big.length)
    const later = Buffer.from('\n\ndata: {"choices":[],"usage":null}\n\n')
    expect(stripper.push(later)).toBe(later)
  })
})
