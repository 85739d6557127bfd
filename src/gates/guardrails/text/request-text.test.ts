// requestText on a hand-written body per kind (test-support.ts), bodies not of the kind's shape, and the depth limit.
import { describe, expect, it } from 'vitest'
import { MAX_LEAF_DEPTH } from './collect.js'
import { requestText } from './index.js'
import { BODY_KINDS, REQUEST_CASES } from './test-support.js'
import type { BodyKind } from './types.js'

describe('requestText', () => {
  it.each(REQUEST_CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(requestText(c.kind, c.body)).toEqual({ segments: c.segments, messages: c.messages })
  })

  it('covers every body kind', () => {
    expect(new Set(REQUEST_CASES.map((c) => c.kind))).toEqual(new Set(BODY_KINDS))
  })

  const notOfShape: readonly (readonly [BodyKind, unknown])[] = [
    ...BODY_KINDS.flatMap((kind) => [[kind, null], [kind, 'text'], [kind, []], [kind, {}]] as const),
    ['openai-chat', { messages: 'hi' }],
    ['llama', { messages: { role: 'user', content: 'hi' } }],
    ['openai-responses', { input: 42 }],
    ['openai-responses', { input: { role: 'user', content: 'hi' } }],
    ['bedrock-converse', { messages: {} }],
    ['bedrock-converse', { system: [{ text: 'only a system prompt' }] }],
    ['bedrock-anthropic', { messages: 'hi' }],
    ['bedrock-anthropic', { prompt: ['Human: hi'] }],
    ['bedrock-llama', { prompt: 42 }],
    ['bedrock-nova', { schemaVersion: 'messages-v1', messages: 'hi' }],
    ['bedrock-titan', { inputText: null }],
    ['gemini', { contents: { parts: [{ text: 'hi' }] } }],
  ]
  it.each(notOfShape)('%s: undefined for %j', (kind, body) => {
    expect(requestText(kind, body)).toBeUndefined()
  })

  it('skips empty strings and elements that are not objects', () => {
    const body = { messages: [null, 'hi', { role: 'user', content: '' }, { role: 'user', content: [null, 7, { type: 'text', text: 'ok' }] }] }
    expect(requestText('openai-chat', body)).toEqual({ segments: [{ path: ['messages', 3, 'content', 2, 'text'], text: 'ok', role: 'user' }], messages: 2 })
  })

  it('reads an unknown chat role as the user’s', () => {
    expect(requestText('openai-chat', { messages: [{ role: 'narrator', content: 'Once' }] })?.segments[0]?.role).toBe('user')
  })

  /** A Converse toolUse input nested `depth` objects deep around one string. */
  function nested(depth: number): unknown {
    let input: unknown = 'deep secret'
    for (let i = 0; i < depth; i++) input = { a: input }
    return { messages: [{ role: 'assistant', content: [{ toolUse: { toolUseId: 't', name: 'f', input } }] }] }
  }

  it('reads tool values nested up to the depth limit', () => {
    const found = requestText('bedrock-converse', nested(MAX_LEAF_DEPTH - 1))
    expect(found?.segments.map((s) => s.text)).toEqual(['deep secret'])
  })

  it('refuses a tool value nested past the limit rather than miss its text', () => {
    expect(requestText('bedrock-converse', nested(MAX_LEAF_DEPTH + 1))).toBeUndefined()
    expect(requestText('bedrock-converse', nested(100_000))).toBeUndefined()
  })
})
