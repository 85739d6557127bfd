// withText: round trips, single replacements without mutating the input, copy-on-write, and paths it must skip.
import { describe, expect, it } from 'vitest'
import { answerText, requestText, withText } from './index.js'
import { REQUEST_CASES } from './test-support.js'

describe('withText', () => {
  it.each(REQUEST_CASES.map((c) => [c.name, c] as const))('%s: every segment written back unchanged is the same body', (_name, c) => {
    const segments = requestText(c.kind, c.body)!.segments
    expect(withText(c.body, segments)).toEqual(c.body)
  })

  it.each(REQUEST_CASES.map((c) => [c.name, c] as const))('%s: each segment replaced alone changes only that string', (_name, c) => {
    const before = structuredClone(c.body)
    const segments = requestText(c.kind, c.body)!.segments
    for (const [i, segment] of segments.entries()) {
      const out = withText(c.body, [{ path: segment.path, text: '[REDACTED]' }])
      expect(c.body).toEqual(before)
      const texts = requestText(c.kind, out)!.segments.map((s) => s.text)
      expect(texts).toEqual(segments.map((s, j) => (j === i ? '[REDACTED]' : s.text)))
      expect(withText(out, [{ path: segment.path, text: segment.text }])).toEqual(c.body)
    }
  })

  it('copies only along the paths it writes', () => {
    const body = { messages: [{ role: 'user', content: 'secret' }, { role: 'user', content: 'kept' }], tools: [{ name: 'f' }] }
    const out = withText(body, [{ path: ['messages', 0, 'content'], text: 'xxx' }]) as typeof body
    expect(out.messages[0]).toEqual({ role: 'user', content: 'xxx' })
    expect(out.messages[1]).toBe(body.messages[1])
    expect(out.tools).toBe(body.tools)
    expect(body.messages[0]!.content).toBe('secret')
  })

  it('writes several paths through shared containers', () => {
    const body = { messages: [{ content: [{ text: 'a' }, { text: 'b' }] }] }
    const out = withText(body, [
      { path: ['messages', 0, 'content', 0, 'text'], text: 'A' },
      { path: ['messages', 0, 'content', 1, 'text'], text: 'B' },
    ])
    expect(out).toEqual({ messages: [{ content: [{ text: 'A' }, { text: 'B' }] }] })
    expect(body).toEqual({ messages: [{ content: [{ text: 'a' }, { text: 'b' }] }] })
  })

  it('writes answer paths too', () => {
    const body = { choices: [{ message: { role: 'assistant', content: 'Call 555-0100' } }] }
    const [segment] = answerText('openai-chat', body)!
    expect(withText(body, [{ path: segment!.path, text: 'Call [phone]' }])).toEqual({ choices: [{ message: { role: 'assistant', content: 'Call [phone]' } }] })
  })

  it.each([
    ['a missing key', ['messages', 0, 'nope']],
    ['an index past the end', ['messages', 5, 'content']],
    ['a key on an array', ['messages', 'length']],
    ['an index on an object', ['messages', 0, 0]],
    ['a non-string target', ['messages', 0]],
    ['an inherited key', ['messages', 0, 'constructor']],
  ] as const)('skips a path to %s', (_name, path) => {
    const body = { messages: [{ role: 'user', content: 'hi' }] }
    expect(withText(body, [{ path, text: 'x' }])).toEqual(body)
  })

  it('keeps a __proto__ key from JSON a plain key', () => {
    const body = JSON.parse('{"messages":[{"role":"user","content":"hi","__proto__":{"content":"polluted"}}]}') as unknown
    const out = withText(body, [{ path: ['messages', 0, '__proto__', 'content'], text: 'x' }])
    expect(JSON.stringify(out)).toBe('{"messages":[{"role":"user","content":"hi","__proto__":{"content":"x"}}]}')
    expect(({} as Record<string, unknown>).content).toBeUndefined()
  })

  it('replaces a body that is itself a string at the empty path', () => {
    expect(withText('hi', [{ path: [], text: 'x' }])).toBe('x')
  })
})
