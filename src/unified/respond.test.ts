// The non-streamed unified answer: a native JSON body, cut into chunks, translated once whole.
import { describe, expect, it } from 'vitest'
import { chunkings, fixture } from '../../test/fixtures/providers/helpers.js'
import { fromBedrock } from './from-bedrock.js'
import { fromGemini } from './from-gemini.js'
import { fromLlama } from './from-llama.js'
import type { ProviderType } from '../core/wire.js'
import { MAX_JSON_RESPONSE_BYTES } from './respond.js'
import { unifiedTranslators } from './translators.js'
import type { ResponseContext } from './types.js'

const context: ResponseContext = { id: 'chatcmpl-r1', model: 'smart', clock: () => 1_700_000_000_500, includeUsage: false }

function run(provider: ProviderType, body: Buffer): { written: string; failure: string | undefined } {
  const responder = unifiedTranslators[provider].responder(false, context)
  const written = responder.push(body) + responder.end()
  return { written, failure: responder.failure }
}

describe('JSON responder', () => {
  it.each([
    ['bedrock', 'bedrock/converse.json', fromBedrock],
    ['gemini', 'gemini/generate-content.json', fromGemini],
    ['llama', 'llama/chat-completion.json', fromLlama],
  ] as const)('%s: translates the whole body at the end', (provider, name, from) => {
    const translated = from(JSON.parse(fixture(name).toString()), context)
    if (!translated.ok) throw new Error(translated.message)
    for (const [cutting, chunks] of chunkings(fixture(name), 3)) {
      const responder = unifiedTranslators[provider].responder(false, context)
      expect(responder.contentType).toBe('application/json')
      expect(chunks.map((piece) => responder.push(piece)).join(''), cutting).toBe('')
      expect(JSON.parse(responder.end()), cutting).toEqual(translated.completion)
      expect(responder.failure).toBeUndefined()
    }
  })

  it('keeps the native answer: tool call and cache-inclusive usage from Converse', () => {
    const completion = JSON.parse(run('bedrock', fixture('bedrock/converse.json')).written)
    expect(completion.choices[0]).toMatchObject({ finish_reason: 'tool_calls', message: { content: 'Let me check the weather.', tool_calls: [{ id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q' }] } })
    expect(completion.usage).toEqual({ prompt_tokens: 1910, completion_tokens: 62, total_tokens: 1972, prompt_tokens_details: { cached_tokens: 1200 } })
  })

  it.each([
    ['bedrock', '{"output":', 'bedrock: the response body is not a JSON object.'],
    ['gemini', '', 'gemini: the response body is not a JSON object.'],
    ['bedrock', '{"stopReason":"end_turn"}', 'bedrock: The Bedrock Converse response has no output.message.content.'],
    ['gemini', '{"candidates":[]}', 'gemini: The Gemini response has no candidates.'],
    ['llama', '[1,2]', 'llama: the response body is not a JSON object.'],
  ] as const)('%s %j is a failure', (provider, body, failure) => {
    expect(run(provider, Buffer.from(body))).toEqual({ written: '', failure })
  })

  it('fails past the size cap without holding the body', () => {
    const responder = unifiedTranslators['llama'].responder(false, context)
    expect(responder.push(Buffer.alloc(MAX_JSON_RESPONSE_BYTES))).toBe('')
    expect(responder.failure).toBeUndefined()
    expect(responder.push(Buffer.from('}'))).toBe('')
    expect(responder.failure).toBe(`llama: the response body exceeds ${MAX_JSON_RESPONSE_BYTES} bytes.`)
    expect(responder.end()).toBe('')
  })
})
