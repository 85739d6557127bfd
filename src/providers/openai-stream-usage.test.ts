import { describe, expect, it } from 'vitest'
import type { NativeRequest, Operation } from '../core/wire.js'
import { llama } from './llama.js'
import { openai } from './openai.js'
import { withStreamUsage } from './openai-stream-usage.js'

function request(body: string, path = '/v1/chat/completions'): NativeRequest {
  return { method: 'POST', path, query: '', headers: {}, body: Buffer.from(body) }
}

/** The operation as recognition leaves it (with the parsed body), or one without the body. */
function operationOf(r: NativeRequest, parsed = true): Operation {
  const result = openai.recognise(r)
  if (!result.ok) throw new Error(result.detail)
  const { body: _body, ...bare } = result.operation
  return parsed ? result.operation : bare
}

describe('withStreamUsage', () => {
  it.each([
    ['splices the option in, keeping the client bytes', ' {"model":"m", "stream":true}', ' {"stream_options":{"include_usage":true},"model":"m", "stream":true}'],
    ['sets include_usage beside other options', '{"model":"m","stream":true,"stream_options":{"include_obfuscation":false}}', '{"model":"m","stream":true,"stream_options":{"include_obfuscation":false,"include_usage":true}}'],
    ['turns an explicit false into true', '{"model":"m","stream":true,"stream_options":{"include_usage":false}}', '{"model":"m","stream":true,"stream_options":{"include_usage":true}}'],
    ['replaces a null stream_options', '{"model":"m","stream":true,"stream_options":null}', '{"model":"m","stream":true,"stream_options":{"include_usage":true}}'],
  ])('%s', (_name, body, expected) => {
    for (const parsed of [true, false]) {
      const asked = withStreamUsage(request(body), operationOf(request(body), parsed))
      expect(asked?.body.toString()).toBe(expected)
      expect(JSON.parse(asked!.body.toString())).toMatchObject({ stream_options: { include_usage: true } })
    }
  })

  it('leaves a request that already asks alone, with or without recognition\'s parse', () => {
    const asking = request('{"model":"m","stream":true,"stream_options":{"include_usage":true}}')
    expect(withStreamUsage(asking, operationOf(asking))).toBeUndefined()
    expect(withStreamUsage(asking, operationOf(asking, false))).toBeUndefined()
  })

  it('only where usage would otherwise be missing: streamed chat (OpenAI) and streamed compat chat (Llama)', () => {
    const streamed = request('{"model":"m","stream":true,"messages":[]}')
    const recognised = (adapter: typeof openai, r: NativeRequest) => {
      const result = adapter.recognise(r)
      if (!result.ok) throw new Error(result.detail)
      return result.operation
    }
    expect(openai.withStreamUsage?.(streamed, recognised(openai, streamed))).toBeDefined()
    const plain = request('{"model":"m","messages":[]}')
    expect(openai.withStreamUsage?.(plain, recognised(openai, plain))).toBeUndefined()
    const responses = request('{"model":"m","stream":true,"input":"hi"}', '/v1/responses')
    expect(openai.withStreamUsage?.(responses, recognised(openai, responses))).toBeUndefined()
    const compat = request('{"model":"m","stream":true,"messages":[]}', '/compat/v1/chat/completions')
    expect(llama.withStreamUsage?.(compat, recognised(llama, compat))).toBeDefined()
    // Llama's native stream always ends with its metrics.
    const native = request('{"model":"m","stream":true,"messages":[]}', '/v1/chat/completions')
    expect(llama.withStreamUsage?.(native, recognised(llama, native))).toBeUndefined()
  })
})
