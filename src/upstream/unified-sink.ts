// The sink of unified-endpoint requests (SPEC §3): a native answer in, OpenAI's format out. A 2xx
// stream is translated event by event as it arrives; a 2xx JSON body is translated once whole, so
// its head waits for it (and a failure can still be a proper error response); any other status
// becomes an OpenAI error carrying the upstream's detail.
import type { IncomingHttpHeaders } from 'node:http'
import { sluiceError } from '../errors.js'
import { sendError, type Response } from '../pipeline/respond.js'
import { adapters } from '../providers/index.js'
import {
  createUnifiedResponder,
  renderUnifiedStreamFailure,
  translateUpstreamError,
  type ResponseContext,
  type UnifiedProvider,
  type UnifiedResponder,
  type UpstreamProvider,
} from '../unified/index.js'
import type { HeldResponse, Leg, Sink } from './attempt.js'

/** An upstream error body beyond this is cut before translation; its message survives. */
const MAX_ERROR_BYTES = 64 * 1024

export class UnifiedSink implements Sink {
  #responder: UnifiedResponder | undefined
  #error: { status: number; headers: IncomingHttpHeaders; chunks: Buffer[]; bytes: number } | undefined
  #failed = false

  constructor(
    private readonly res: Response,
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
    const provider = this.leg.target.mount.config.type as UnifiedProvider
    this.#responder = createUnifiedResponder(provider, this.leg.operation.stream, this.context)
    if (this.leg.operation.stream) {
      this.res.writeHead(200, { ...this.own, 'content-type': this.#responder.contentType, 'cache-control': 'no-cache' })
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
    if (responder.failure !== undefined) {
      this.#fail(responder.failure, out)
      return true
    }
    return out === '' || this.res.write(Buffer.from(out))
  }

  end(): void {
    const error = this.#error
    if (error !== undefined) {
      const body = Buffer.concat(error.chunks).subarray(0, MAX_ERROR_BYTES)
      replayError(this.res, this.leg, { status: error.status, headers: error.headers, body }, this.own, this.requestId)
      return
    }
    const responder = this.#responder!
    const out = responder.end()
    if (responder.failure !== undefined) return this.#fail(responder.failure, out)
    if (this.leg.operation.stream) {
      this.res.end(out)
      return
    }
    this.res.writeHead(200, { ...this.own, 'content-type': responder.contentType, 'content-length': String(Buffer.byteLength(out)) })
    this.res.end(out)
  }

  broken(): void {
    this.#fail(`${this.leg.target.mount.name}: the upstream broke off or went idle mid-answer.`, '')
  }

  /** Ends the response as a failure: an error answer while the head is unsent, else an SSE error event and a cut. */
  #fail(message: string, before: string): void {
    if (this.#failed) return
    this.#failed = true
    if (!this.res.headersSent) {
      const error = sluiceError('SLUICE_ERR_UPSTREAM_INVALID', this.requestId, message)
      sendError(this.res, adapters.openai, error, 'error', false, this.own)
      return
    }
    this.res.write(Buffer.from(before + renderUnifiedStreamFailure(message, this.requestId)), () => this.res.destroy())
  }
}

/** An upstream error answer, in OpenAI's format with the upstream's detail and status. */
export function replayError(res: Response, leg: Leg, response: HeldResponse, own: Record<string, string>, requestId: string): void {
  const provider = leg.target.mount.config.type as UpstreamProvider
  const rendered = translateUpstreamError(provider, response.status, response.headers, response.body, requestId)
  const body = Buffer.from(rendered.body)
  res.writeHead(rendered.status, { ...own, ...rendered.headers, 'content-length': String(body.length) })
  res.end(body)
}
