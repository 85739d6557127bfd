import { describe, expect, it } from 'vitest'
import { AnswerTextCounter } from './answer-text.js'

function count(...chunks: string[]): number {
  const counter = new AnswerTextCounter()
  for (const chunk of chunks) counter.push(Buffer.from(chunk))
  return counter.bytes
}

describe('AnswerTextCounter', () => {
  it.each([
    ['OpenAI chat body', '{"choices":[{"message":{"role":"assistant","content":"Hello there"}}],"usage":null}', 11],
    ['OpenAI stream chunks', 'data: {"choices":[{"delta":{"content":"Hel"}}]}\n\ndata: {"choices":[{"delta":{"content":"lo"}}]}\n\n', 5],
    ['tool call arguments', '{"tool_calls":[{"function":{"name":"f","arguments":"{\\"a\\":1}"}}]}', 9],
    ['Gemini spaced JSON', '{"candidates": [{"content": {"parts": [{"text": "Hi you"}]}}]}', 6],
    ['a "text" value is not a key', '{"type":"text","text":"ab"}', 2],
    ['escaped quotes stay inside the string', '{"content":"say \\"hi\\""}', 10],
    ['null content counts nothing', '{"content":null}', 0],
  ])('%s', (_name, body, bytes) => {
    expect(count(body)).toBe(bytes)
  })

  it('follows a string across chunks', () => {
    expect(count('{"content":"Hello ', 'world", "x":1}')).toBe(11)
  })

  it('counts the bytes of multi-byte text', () => {
    expect(count('{"text":"\u00e9\u4e2d"}')).toBe(5)
  })
})
