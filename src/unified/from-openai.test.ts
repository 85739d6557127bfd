// An OpenAI target's answer through the unified responder: recorded bodies pass through with the
// virtual model's name; the usage Sluice asked for itself is dropped when the client did not.
import { describe, expect, it } from 'vitest'
import { chunkings, fixture } from '../../test/fixtures/providers/helpers.js'
import { unifiedTranslators } from './translators.js'
import type { ResponseContext } from './types.js'

const context = (includeUsage: boolean): ResponseContext => ({ id: 'chatcmpl-r1', model: 'smart', clock: () => 1_700_000_000_500, includeUsage })

/** Each `data:` of the written SSE text, parsed; `[DONE]` kept as is. */
function events(written: string): unknown[] {
  return written
    .split('\n\n')
    .filter((e) => e !== '')
    .map((e) => {
      const data = e.slice('data: '.length)
      return data === '[DONE]' ? data : JSON.parse(data)
    })
}

const upstreamEvents = (): Record<string, unknown>[] =>
  fixture('openai/chat-completion-stream.sse')
    .toString()
    .split('\n\n')
    .filter((e) => e.startsWith('data: {'))
    .map((e) => JSON.parse(e.slice('data: '.length)) as Record<string, unknown>)

describe('OpenAI target, JSON', () => {
  it('passes the completion through with the virtual model name', () => {
    const body = fixture('openai/chat-completion.json')
    for (const [cutting, chunks] of chunkings(body, 3)) {
      const responder = unifiedTranslators['openai'].responder(false, context(false))
      expect(chunks.map((piece) => responder.push(piece)).join(''), cutting).toBe('')
      expect(JSON.parse(responder.end()), cutting).toEqual({ ...JSON.parse(body.toString()), model: 'smart' })
      expect(responder.failure).toBeUndefined()
    }
  })

  it('a body without choices is a failure', () => {
    const responder = unifiedTranslators['openai'].responder(false, context(false))
    responder.push(Buffer.from('{"object":"chat.completion"}'))
    expect(responder.end()).toBe('')
    expect(responder.failure).toBe('openai: The OpenAI response has no choices.')
  })
})

describe('OpenAI target, stream', () => {
  it.each([
    [true, upstreamEvents().map((e) => ({ ...e, model: 'smart' }))],
    [
      false,
      upstreamEvents()
        .filter((e) => (e.choices as unknown[]).length > 0)
        .map(({ usage: _usage, ...e }) => ({ ...e, model: 'smart' })),
    ],
  ])('include_usage %s: chunks pass through, renamed, then [DONE]', (includeUsage, expected) => {
    for (const [cutting, chunks] of chunkings(fixture('openai/chat-completion-stream.sse'), 3)) {
      const responder = unifiedTranslators['openai'].responder(true, context(includeUsage))
      const written = chunks.map((piece) => responder.push(piece)).join('') + responder.end()
      expect(events(written), cutting).toEqual([...expected, '[DONE]'])
      expect(responder.failure).toBeUndefined()
    }
  })

  it('a stream cut before its finish, or an error event, is a failure', () => {
    const [role, text] = upstreamEvents()
    const cut = unifiedTranslators['openai'].responder(true, context(true))
    expect(events(cut.push(Buffer.from(`data: ${JSON.stringify(role)}\n\ndata: ${JSON.stringify(text)}\n\n`)))).toHaveLength(2)
    expect(cut.end()).toBe('')
    expect(cut.failure).toBe('openai: upstream stream ended before its final event.')

    const failed = unifiedTranslators['openai'].responder(true, context(true))
    failed.push(Buffer.from('data: {"error":{"message":"overloaded","type":"server_error","code":"server_overloaded"}}\n\n'))
    expect(failed.failure).toBe('openai: server_overloaded: overloaded')
  })
})
