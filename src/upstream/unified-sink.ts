// The sink of unified-endpoint requests (docs/unified.md): a native answer in, OpenAI's format out, written
// through the client channel. A 2xx stream is translated event by event as it arrives; a 2xx JSON
// body is translated once whole, so its head waits for it (and a failure can still be a proper
// error response); any other status becomes an OpenAI error carrying the upstream's detail. The
// translation reads the usage too (`usage`), so the attempt needs no second parser over the bytes.
import type { IncomingHttpHeaders } from 'node:http'
import type { ClientChannel, Sink } from '../core/channel.js'
import { sluiceError, type SluiceError } from '../core/errors.js'
import type { Leg } from '../core/target.js'
import type { UsageReader } from '../core/wire.js'
import { adapters } from '../providers/index.js'
import { renderOpenAiStreamError } from '../providers/openai-dialect.js'
import { renderUnifiedStreamFailure, translateUpstreamError, unifiedTranslators, type ResponseContext, type UnifiedResponder } from '../unified/index.js'
import type { HeldResponse } from './attempt.js'
import { sendError } from './channel.js'

/** What the client's stream is, as OpenAI's dialect renders an error into it. */
const STREAMED_CHAT = { name: 'chat.completions', model: '', stream: true, streamFormat: 'sse' } as const

/** An upstream error body beyond this is cut before translation; its message survives. */
const MAX_ERROR_BYTES = 64 * 1024

export class UnifiedSink implements Sink {
  #responder: UnifiedResponder | undefined
  #error: { status: number; headers: IncomingHttpHeaders; chunks: Buffer[]; bytes: number } | undefined
  #failed = false

  /**
   * The responder's usage: it already parses every byte `write` hands it, so `push` has nothing
   * left to do. An error answer has no responder, hence no usage (as the adapters' readers).
   * `contentStarted` reads the translated stream (OpenAI chunks) for time to first token.
   */
  readonly #usage = { push: (): void => {}, result: () => this.#responder?.usage(), contentStarted: false }

  get usage(): UsageReader {
    return this.#usage
  }

  constructor(
    private readonly channel: ClientChannel,
    private readonly leg: Leg,
    private readonly own: Record<string, string>,
    private readonly context: ResponseContext,
    private readonly requestId: string,
  ) {}

  get failed(): boolean {
    return this.#failed
  }

  head(status: number, headers: IncomingHttpHeaders): void {
    if (status < 200 || status > 299) {
      this.#error = { status, headers, chunks: [], bytes: 0 }
      return
    }
    const translator = unifiedTranslators[this.leg.target.mount.config.type]
    this.#responder = translator.responder(this.leg.operation.stream, this.context)
    if (this.leg.operation.stream) {
      this.channel.head(200, { ...this.own, 'content-type': this.#responder.contentType, 'cache-control': 'no-cache' })
    }
  }

  write(chunk: Buffer): boolean {
    const error = this.#error
    if (error !== undefined) {
      if (error.bytes < MAX_ERROR_BYTES) error.chunks.push(chunk)
      error.bytes += chunk.length
      return true
    }
    const responder = this.#responder!
    const out = responder.push(chunk)
    if (!this.#usage.contentStarted && out !== '' && this.leg.operation.stream) this.#usage.contentStarted = carriesContent(out)
    if (responder.failure !== undefined) {
      this.#fail(responder.failure, out)
      return true
    }
    return out === '' || this.channel.chunk(out)
  }

  end(): void {
    const error = this.#error
    if (error !== undefined) {
      const body = Buffer.concat(error.chunks).subarray(0, MAX_ERROR_BYTES)
      replayError(this.channel, this.leg, { status: error.status, headers: error.headers, body }, this.own, this.requestId)
      return
    }
    const responder = this.#responder!
    const out = responder.end()
    if (responder.failure !== undefined) return this.#fail(responder.failure, out)
    if (this.leg.operation.stream) {
      this.channel.end(out)
      return
    }
    this.channel.replay(200, { ...this.own, 'content-type': responder.contentType, 'content-length': String(Buffer.byteLength(out)) }, out)
  }

  broken(): void {
    this.#fail(`${this.leg.target.mount.name}: the upstream broke off or went idle mid-answer.`, '')
  }

  refuse(error: SluiceError): void {
    if (this.#failed) return
    this.#failed = true
    if (!this.channel.started) return sendError(this.channel, adapters.openai, error, 'deny', false, this.own)
    this.channel.chunk(renderOpenAiStreamError(error, STREAMED_CHAT)!, () => this.channel.fail())
  }

  /** Ends the response as a failure: an error answer while the head is unsent, else an SSE error event and a cut. */
  #fail(message: string, before: string): void {
    if (this.#failed) return
    this.#failed = true
    if (!this.channel.started) {
      const error = sluiceError('SLUICE_ERR_UPSTREAM_INVALID', this.requestId, message)
      sendError(this.channel, adapters.openai, error, 'error', false, this.own)
      return
    }
    this.channel.chunk(before + renderUnifiedStreamFailure(message, this.requestId), () => this.channel.fail())
  }
}

const CONTENT = '"content":"'

/** Translated OpenAI chunks (or Responses events) with text (a non-empty `content`, a text delta) or a tool-call delta; looked for only until found. */
function carriesContent(out: string): boolean {
  for (let at = out.indexOf(CONTENT); at !== -1; at = out.indexOf(CONTENT, at + 1)) {
    if (out.charCodeAt(at + CONTENT.length) !== 0x22) return true
  }
  return out.includes('"tool_calls"') || out.includes('output_text.delta"')
}

/** An upstream error answer, in OpenAI's format with the upstream's detail and status. */
export function replayError(channel: ClientChannel, leg: Leg, response: HeldResponse, own: Record<string, string>, requestId: string): void {
  const rendered = translateUpstreamError(leg.target.mount.config.type, response.status, response.headers, response.body, requestId)
  const body = Buffer.from(rendered.body)
  channel.replay(rendered.status, { ...own, ...rendered.headers, 'content-length': String(body.length) }, body)
}
