// The unified sink through a recording client channel: what reaches the client for a 2xx stream, a
// 2xx JSON body, an upstream error and an answer that breaks, and the usage the attempt reads from
// the sink — the responder's own reading of the bytes it translated, equal to the adapter's.
import { EventStreamCodec } from '@smithy/eventstream-codec'
import { fromUtf8, toUtf8 } from '@smithy/util-utf8'
import { describe, expect, it } from 'vitest'
import { fixture, randomSplit, readAll, usage } from '../../test/fixtures/providers/helpers.js'
import type { ClientChannel, ResponseHeaders } from '../core/channel.js'
import type { Leg, Target } from '../core/target.js'
import type { ProviderType, Usage } from '../core/wire.js'
import { adapters } from '../providers/index.js'
import { parseChatRequest, translate, type ResponseContext } from '../unified/index.js'
import { replayError, UnifiedSink } from './unified-sink.js'

/** Records what the sink writes, as the client would receive it. */
class RecordingChannel implements ClientChannel {
  started = false
  readonly http1 = true
  status = 0
  headers: ResponseHeaders = {}
  body = ''
  ended = false
  failed = false

  head(status: number, headers: ResponseHeaders): void {
    this.started = true
    this.status = status
    this.headers = headers
  }

  chunk(data: Buffer | string, flushed?: () => void): boolean {
    this.body += data.toString()
    flushed?.()
    return true
  }

  end(data?: Buffer | string): void {
    if (data !== undefined) this.body += data.toString()
    this.ended = true
  }

  replay(status: number, headers: ResponseHeaders, body: Buffer | string): void {
    this.head(status, headers)
    this.end(body)
  }

  fail(): void {
    this.failed = true
  }

  onClose(): void {}
  onDrain(): void {}
  closeAfter(): void {}
}

const context: ResponseContext = { id: 'chatcmpl-s1', model: 'smart', clock: () => 1_700_000_000_000, includeUsage: true }
const own = { 'x-sluice-request-id': 'req-1' }

/** The leg translate() builds for a target of this type (only what it reads of a target is set). */
function leg(type: ProviderType, stream: boolean): Leg {
  const json = { model: 'smart', messages: [{ role: 'user', content: 'Hi' }], stream }
  const parsed = parseChatRequest(json)
  if (!parsed.ok) throw new Error(parsed.message)
  const target = { id: `${type}/m`, mount: { name: `my-${type}`, config: { type, auth: 'client' }, adapter: adapters[type] }, model: 'm', params: undefined } as unknown as Target
  const built = translate({ chat: parsed.request, model: { name: 'smart', description: undefined, targets: [], weights: [], experiment: undefined, promoted: undefined, bandit: undefined }, json }, target)
  if (typeof built === 'string') throw new Error(built)
  return built
}

const codec = new EventStreamCodec(toUtf8, fromUtf8)
const converseStream = Buffer.concat(
  (JSON.parse(fixture('bedrock/converse-stream.events.json').toString()) as { type: string; body: unknown }[]).map((e) =>
    Buffer.from(
      codec.encode({
        headers: { ':event-type': { type: 'string', value: e.type }, ':content-type': { type: 'string', value: 'application/json' }, ':message-type': { type: 'string', value: 'event' } },
        body: fromUtf8(JSON.stringify(e.body)),
      }),
    ),
  ),
)

/** Runs one answer through a sink the way the attempt does: head, every chunk, end. */
function run(sink: UnifiedSink, status: number, chunks: Buffer[]): void {
  sink.head(status, {})
  for (const piece of chunks) sink.write(piece)
  sink.end()
}

describe('UnifiedSink usage', () => {
  it.each<[ProviderType, boolean, Buffer, Usage]>([
    ['bedrock', true, converseStream, usage(14, 9)],
    ['gemini', true, fixture('gemini/stream-generate-content.sse'), usage(9, 33, 0, 12)],
    ['llama', true, fixture('llama/chat-completion-stream.sse'), usage(21, 9)],
    ['openai', true, fixture('openai/chat-completion-stream.sse'), usage(19, 10)],
    ['bedrock', false, fixture('bedrock/converse.json'), usage(1910, 62, 1200)],
    ['gemini', false, fixture('gemini/generate-content.json'), usage(2048, 324, 1536, 300)],
    ['llama', false, fixture('llama/chat-completion.json'), usage(21, 10)],
    ['openai', false, fixture('openai/chat-completion.json'), usage(1117, 46, 1024, 12)],
  ])('%s (stream %s): the usage comes from the translation, parsed once, and equals the adapter reader', (type, stream, body, expected) => {
    const chunks = randomSplit(body, 7, 50)
    const sinkLeg = leg(type, stream)
    const sink = new UnifiedSink(new RecordingChannel(), sinkLeg, own, context, 'req-1')
    // Nothing is pushed into sink.usage: the bytes reach only the sink's responder.
    run(sink, 200, chunks)
    expect(sink.failed).toBe(false)
    expect(sink.usage.result()).toEqual(expected)
    expect(sink.usage.result()).toEqual(readAll(adapters[type].createUsageReader(sinkLeg.operation, 200, {}), chunks))
    // Its push is a no-op: an attempt that fed it too would not have the bytes parsed a second time.
    for (const piece of chunks) sink.usage.push(piece)
    expect(sink.usage.result()).toEqual(expected)
  })

  it('reports no usage for an error answer', () => {
    const sink = new UnifiedSink(new RecordingChannel(), leg('openai', false), own, context, 'req-1')
    run(sink, 400, [fixture('openai/chat-completion.json')])
    expect(sink.usage.result()).toBeUndefined()
  })
})

describe('UnifiedSink writes through the client channel', () => {
  it('a stream: its head at once, the chunks as translated, then [DONE]', () => {
    const channel = new RecordingChannel()
    const sink = new UnifiedSink(channel, leg('llama', true), own, context, 'req-1')
    sink.head(200, {})
    expect(channel).toMatchObject({ started: true, status: 200, headers: { ...own, 'content-type': 'text/event-stream', 'cache-control': 'no-cache' } })
    for (const piece of randomSplit(fixture('llama/chat-completion-stream.sse'), 3, 40)) sink.write(piece)
    sink.end()
    expect(channel.ended).toBe(true)
    expect(channel.body.startsWith('data: {"id":"chatcmpl-s1"')).toBe(true)
    expect(channel.body.endsWith('data: [DONE]\n\n')).toBe(true)
  })

  it('a JSON body: head and body together once it is whole', () => {
    const channel = new RecordingChannel()
    const sink = new UnifiedSink(channel, leg('gemini', false), own, context, 'req-1')
    sink.head(200, {})
    expect(channel.started).toBe(false)
    sink.write(fixture('gemini/generate-content.json'))
    sink.end()
    expect(channel).toMatchObject({ status: 200, ended: true, headers: { ...own, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(channel.body)) } })
    expect(JSON.parse(channel.body)).toMatchObject({ object: 'chat.completion', model: 'smart', usage: { prompt_tokens: 2048, completion_tokens: 324 } })
  })

  it("an upstream error: replayed in OpenAI's format with the upstream's status and detail", () => {
    const channel = new RecordingChannel()
    const sink = new UnifiedSink(channel, leg('bedrock', false), own, context, 'req-1')
    sink.head(429, { 'retry-after': '3' })
    sink.write(Buffer.from('{"message":"Too many requests"}'))
    sink.end()
    expect(channel).toMatchObject({ status: 429, ended: true, headers: { ...own, 'retry-after': '3', 'x-request-id': 'req-1' } })
    expect(JSON.parse(channel.body)).toEqual({ error: { message: 'bedrock: Too many requests', type: 'rate_limit_error', code: null, param: null } })
  })

  it('a JSON body that does not translate: a 502 SLUICE_ERR_UPSTREAM_INVALID', () => {
    const channel = new RecordingChannel()
    const sink = new UnifiedSink(channel, leg('gemini', false), own, context, 'req-1')
    run(sink, 200, [Buffer.from('{"candidates":[]}')])
    expect(sink.failed).toBe(true)
    expect(channel).toMatchObject({ status: 502, ended: true, failed: false, headers: { 'x-sluice-decision': 'error', 'x-sluice-request-id': 'req-1' } })
    expect(JSON.parse(channel.body)).toMatchObject({ error: { code: 'SLUICE_ERR_UPSTREAM_INVALID' } })
  })

  it('a stream that breaks after its head: an SSE error event, then the connection is cut', () => {
    const channel = new RecordingChannel()
    const sink = new UnifiedSink(channel, leg('bedrock', true), own, context, 'req-1')
    sink.head(200, {})
    sink.write(converseStream.subarray(0, 200))
    sink.broken()
    expect(sink.failed).toBe(true)
    expect(channel.ended).toBe(false)
    expect(channel.failed).toBe(true)
    const last = channel.body.trimEnd().split('\n\n').at(-1)!
    expect(JSON.parse(last.slice('data: '.length))).toMatchObject({ error: { type: 'server_error', code: 'SLUICE_ERR_UPSTREAM_BROKEN' } })
    expect(last).toContain('my-bedrock: the upstream broke off or went idle mid-answer.')
  })

  it('replayError renders a held failure whole', () => {
    const channel = new RecordingChannel()
    replayError(channel, leg('gemini', false), { status: 503, headers: {}, body: Buffer.from('{"error":{"code":503,"message":"overloaded","status":"UNAVAILABLE"}}') }, own, 'req-2')
    expect(channel).toMatchObject({ status: 503, ended: true, headers: { ...own, 'x-request-id': 'req-2' } })
    expect(JSON.parse(channel.body)).toMatchObject({ error: { message: 'gemini: UNAVAILABLE: overloaded', code: 'UNAVAILABLE' } })
  })
})
