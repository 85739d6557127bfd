// What the unified endpoint writes, read by the official openai SDK (its fetch is the only fake):
// translated streams assemble into a whole completion, a failure event makes the SDK throw, and a
// translated upstream error becomes the SDK's typed error for its status.
import { EventStreamCodec } from '@smithy/eventstream-codec'
import { fromUtf8, toUtf8 } from '@smithy/util-utf8'
import OpenAI, { APIError, RateLimitError } from 'openai'
import { describe, expect, it } from 'vitest'
import { renderUnifiedStreamFailure } from './respond-stream.js'
import { unifiedTranslators } from './translators.js'
import { translateUpstreamError } from './upstream-error.js'

const codec = new EventStreamCodec(toUtf8, fromUtf8)
const frame = (headers: Record<string, string>, payload: unknown): Buffer =>
  Buffer.from(codec.encode({ headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, { type: 'string' as const, value: v }])), body: fromUtf8(JSON.stringify(payload)) }))
const event = (type: string, payload: unknown): Buffer => frame({ ':message-type': 'event', ':event-type': type, ':content-type': 'application/json' }, payload)

const opening = [
  event('messageStart', { role: 'assistant' }),
  event('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Let me check.' } }),
  event('contentBlockStart', { contentBlockIndex: 1, start: { toolUse: { toolUseId: 'tooluse_A', name: 'get_weather' } } }),
  event('contentBlockDelta', { contentBlockIndex: 1, delta: { toolUse: { input: '{"city":' } } }),
]
const closing = [
  event('contentBlockDelta', { contentBlockIndex: 1, delta: { toolUse: { input: '"Paris"}' } } }),
  event('messageStop', { stopReason: 'tool_use' }),
  event('metadata', { usage: { inputTokens: 11, outputTokens: 7 } }),
]
const throttled = frame({ ':message-type': 'exception', ':exception-type': 'throttlingException' }, { message: 'Too many tokens' })

/** The text translated from these Bedrock frames, and the failure, if any. */
function translate(frames: Buffer[]): { text: string; failure: string | undefined } {
  const responder = unifiedTranslators['bedrock'].responder(true, { id: 'chatcmpl-sdk', model: 'smart', clock: () => 1_700_000_000_000, includeUsage: true })
  const text = frames.map((f) => responder.push(f)).join('') + responder.end()
  return { text, failure: responder.failure }
}

function client(response: () => Response): OpenAI {
  return new OpenAI({ apiKey: 'sk-test', baseURL: 'http://sluice.test/v1', maxRetries: 0, fetch: async () => response() })
}
const sse = (text: string) => (): Response => new Response(text, { headers: { 'content-type': 'text/event-stream' } })
const request = { model: 'smart', messages: [{ role: 'user' as const, content: 'Weather in Paris?' }], stream_options: { include_usage: true } }

describe('openai SDK reading the unified endpoint', () => {
  it('assembles a translated stream into the whole completion', async () => {
    const { text, failure } = translate([...opening, ...closing])
    expect(failure).toBeUndefined()
    const runner = client(sse(text)).chat.completions.stream(request)
    const completion = await runner.finalChatCompletion()
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls')
    expect(completion.choices[0]?.message).toMatchObject({
      content: 'Let me check.',
      tool_calls: [{ id: 'tooluse_A', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
    })
    expect(completion.usage).toEqual({ prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 })
  })

  it('throws on the failure event, after the chunks before it', async () => {
    const { text: before, failure } = translate([...opening, throttled, ...closing])
    const text = before + renderUnifiedStreamFailure(failure ?? '', 'req-9')
    const message =
      'SLUICE_ERR_UPSTREAM_BROKEN: The upstream stream broke off after the response had started; the answer is incomplete. ' +
      'bedrock: throttlingException: Too many tokens (request id: req-9)'
    expect(text.endsWith(`\n\ndata: ${JSON.stringify({ error: { message, type: 'server_error', code: 'SLUICE_ERR_UPSTREAM_BROKEN', param: null } })}\n\n`)).toBe(true)
    const stream = await client(sse(text)).chat.completions.create({ ...request, stream: true })
    const seen: unknown[] = []
    const error = await (async () => {
      for await (const chunk of stream) seen.push(chunk)
    })().catch((e: unknown) => e)
    expect(seen).toHaveLength(4)
    expect(error).toBeInstanceOf(APIError)
    expect(error).toMatchObject({ message, code: 'SLUICE_ERR_UPSTREAM_BROKEN', type: 'server_error', status: undefined })
  })

  it('reads a stream cut without an error event as a clean end: why a failure must be written', async () => {
    const { text, failure } = translate(opening)
    expect(failure).toBe('bedrock: upstream stream ended before its final event.')
    const stream = await client(sse(text)).chat.completions.create({ ...request, stream: true })
    let count = 0
    for await (const _ of stream) count++
    expect(count).toBe(4)
  })

  it('raises the typed error for a translated upstream answer', async () => {
    const headers = { 'x-amzn-errortype': 'ThrottlingException', 'retry-after': '2' }
    const rendered = translateUpstreamError('bedrock', 429, headers, Buffer.from('{"message":"Too many requests"}'), 'req-7')
    const error = await client(() => new Response(rendered.body, { status: rendered.status, headers: rendered.headers }))
      .chat.completions.create(request)
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RateLimitError)
    expect(error).toMatchObject({ status: 429, message: '429 bedrock: ThrottlingException: Too many requests', code: 'ThrottlingException', requestID: 'req-7' })
  })
})
