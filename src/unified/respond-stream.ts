// The unified endpoint's streamed answer: native stream bytes → parsed events → translator →
// `data: {chunk}` lines, returned as soon as each event is complete (the byte parsers hold only an
// incomplete frame). A Bedrock exception message, an upstream SSE error event, bad JSON or a stream
// that ends before its finish is a failure: the caller then writes renderUnifiedStreamFailure
// instead of `[DONE]`, so the client's SDK raises rather than taking part of an answer for all of
// it (docs/resilience.md).
import { sluiceError } from '../core/errors.js'
import type { ProviderType, Usage } from '../core/wire.js'
import { errorMessage } from '../providers/error-message.js'
import { parseBoundedJsonObject } from '../providers/request.js'
import { sseErrorEvent } from '../providers/stream-errors.js'
import { EventStreamDecoder, type EventStreamMessage } from '../providers/streams/eventstream.js'
import { SseParser } from '../providers/streams/sse.js'
import { SSE_DONE, sseLine } from './chunks.js'
import type { BedrockStreamEvent } from './from-bedrock.js'
import type { ChatCompletionChunk, StreamTranslator, UnifiedResponder } from './types.js'
import { joinDetail, upstreamErrorDetail } from './upstream-error.js'

/** Where a byte parser delivers: each complete event, or why the stream failed. */
export interface EventSink<Event> {
  event(event: Event): void
  fail(detail: string): void
}

export interface ByteParser {
  push(chunk: Buffer): void
}

/** A provider's stream framing: bytes in, its parsed events (or a failure) out to `sink`. */
export type StreamParser<Event> = (sink: EventSink<Event>) => ByteParser

class StreamResponder<Event> implements UnifiedResponder {
  readonly contentType = 'text/event-stream'
  readonly #provider: ProviderType
  readonly #translator: StreamTranslator<Event>
  readonly #parser: ByteParser
  /** SSE text translated during the current push, handed out at its end. */
  #out = ''
  /** A chunk with a finish_reason went out: only then is the end of the upstream stream clean. */
  #finished = false
  #failure: string | undefined

  constructor(provider: ProviderType, translator: StreamTranslator<Event>, createParser: StreamParser<Event>) {
    this.#provider = provider
    this.#translator = translator
    this.#parser = createParser({
      event: (event) => {
        if (this.#failure === undefined) this.#write(this.#translator.push(event))
      },
      fail: (detail) => {
        this.#failure ??= `${this.#provider}: ${detail}`
      },
    })
  }

  get failure(): string | undefined {
    return this.#failure
  }

  /** Read by the translator from the events it translates: the stream is parsed once. */
  usage(): Usage | undefined {
    return this.#translator.usage()
  }

  push(chunk: Buffer): string {
    if (this.#failure !== undefined) return ''
    this.#parser.push(chunk)
    const out = this.#out
    this.#out = ''
    return out
  }

  end(): string {
    if (this.#failure !== undefined) return ''
    if (!this.#finished) {
      this.#failure = `${this.#provider}: upstream stream ended before its final event.`
      return ''
    }
    this.#write(this.#translator.end())
    const out = this.#out + SSE_DONE
    this.#out = ''
    return out
  }

  #write(chunks: ChatCompletionChunk[]): void {
    for (const chunk of chunks) {
      if (chunk.choices[0]?.finish_reason) this.#finished = true
      this.#out += sseLine(chunk)
    }
  }
}

function header(message: EventStreamMessage, name: string): string | undefined {
  const value = message.headers[name]
  return value?.type === 'string' ? value.value : undefined
}

/**
 * ConverseStream's binary event stream. `exception` messages carry `:exception-type` and a JSON
 * `{"message"}` body; `error` messages (unmodelled) carry `:error-code` and `:error-message`
 * headers and no body, as @smithy/core's event-stream unmarshaller reads them.
 */
export function bedrockParser(sink: EventSink<BedrockStreamEvent>): ByteParser {
  return new EventStreamDecoder((message) => {
    const body = Buffer.from(message.body.buffer, message.body.byteOffset, message.body.byteLength)
    const kind = header(message, ':message-type')
    switch (kind) {
      case 'event': {
        const type = header(message, ':event-type') ?? ''
        const payload = parseBoundedJsonObject(body)
        if (payload === undefined) return sink.fail(`stream event ${type} is not a JSON object.`)
        return sink.event({ type, payload })
      }
      case 'exception':
        return sink.fail(upstreamErrorDetail(body, header(message, ':exception-type')).message ?? 'stream exception')
      case 'error':
        return sink.fail(joinDetail(header(message, ':error-code'), header(message, ':error-message')) ?? 'stream error')
      default:
        // The AWS SDK throws on these too ("Unrecognizable event type").
        return sink.fail(`unknown stream message type ${kind ?? '(none)'}.`)
    }
  })
}

const DONE = Buffer.from('[DONE]')

/**
 * Gemini's `streamGenerateContent?alt=sse` (one GenerateContentResponse per event), Llama's native
 * stream (one `{event}` per event) and OpenAI's chunks. Each reports a failure after the 200 as an
 * event whose JSON has an `error` member (the openai SDK applies the same test); `event: error` is one too.
 */
export function sseParser(sink: EventSink<unknown>): ByteParser {
  return new SseParser((data, event) => {
    // OpenAI (and Llama, at times) close with `[DONE]`; the finish event, not this, decides a clean end.
    if (data.equals(DONE)) return
    const value = parseBoundedJsonObject(data)
    if (event === 'error' || Boolean(value?.error)) {
      return sink.fail(upstreamErrorDetail(data).message ?? 'stream error event')
    }
    if (value === undefined) return sink.fail('stream event is not a JSON object.')
    sink.event(value)
  })
}

export function createStreamResponder<Event>(provider: ProviderType, translator: StreamTranslator<Event>, parser: StreamParser<Event>): UnifiedResponder {
  return new StreamResponder(provider, translator, parser)
}

/**
 * The SSE event written before cutting a stream that already started. The openai SDK's stream
 * reader throws an APIError for any `data:` whose JSON has a truthy `error` (core/streaming), with
 * `error.message` as its message and `code`/`type` copied; `type` is what openai-dialect.ts gives
 * every upstream failure.
 */
export function renderUnifiedStreamFailure(message: string, requestId: string): string {
  const error = sluiceError('SLUICE_ERR_UPSTREAM_BROKEN', requestId, message)
  return sseErrorEvent({ error: { message: errorMessage(error), type: 'server_error', code: error.code, param: null } }).toString('utf8')
}
