// The sink of unified embeddings requests (docs/unified.md#embeddings): a native 2xx JSON answer
// is read whole and rendered as OpenAI's embeddings response; any other status becomes an OpenAI
// error carrying the upstream's detail (as unified-sink.ts does for chat). The usage is read by
// the target adapter's own reader (the one its native mount uses) as the bytes pass, so budgets,
// limits and metrics count what a native call would; the client's `usage` says the same, or the
// estimate Sluice charges when the answer states none (Gemini's never do).
import type { IncomingHttpHeaders } from 'node:http'
import type { ClientChannel, Sink } from '../core/channel.js'
import { sluiceError, type SluiceError } from '../core/errors.js'
import type { Leg } from '../core/target.js'
import type { UsageReader } from '../core/wire.js'
import { adapters } from '../providers/index.js'
import { embeddingsAnswer, type EmbeddingsRequest } from '../unified/embeddings/index.js'
import { MAX_JSON_RESPONSE_BYTES } from '../unified/index.js'
import { sendError } from './channel.js'
import { replayError } from './unified-sink.js'

/** An upstream error body beyond this is cut before translation; its message survives. */
const MAX_ERROR_BYTES = 64 * 1024

export class EmbeddingsSink implements Sink {
  #reader: UsageReader | undefined
  #status = 0
  #headers: IncomingHttpHeaders = {}
  #chunks: Buffer[] = []
  #bytes = 0
  #failed = false

  constructor(
    private readonly channel: ClientChannel,
    private readonly leg: Leg,
    private readonly own: Record<string, string>,
    private readonly request: EmbeddingsRequest,
    private readonly requestId: string,
    /** Budgets' `estimate.bytesPerToken`: the estimate of an answer without usage (upstream/usage-tally.ts). */
    private readonly bytesPerToken: number,
  ) {}

  /** The adapter's reader of a 2xx answer, fed here (the attempt reads it once `head` has run). */
  get usage(): UsageReader | undefined {
    return this.#reader
  }

  get failed(): boolean {
    return this.#failed
  }

  head(status: number, headers: IncomingHttpHeaders): void {
    this.#status = status
    this.#headers = headers
    if (status >= 200 && status <= 299) this.#reader = this.leg.target.mount.adapter.createUsageReader(this.leg.operation, status, headers)
  }

  write(chunk: Buffer): boolean {
    if (this.#failed) return true
    const ok = this.#status >= 200 && this.#status <= 299
    this.#reader?.push(chunk)
    if (this.#bytes + chunk.length > (ok ? MAX_JSON_RESPONSE_BYTES : MAX_ERROR_BYTES)) {
      if (ok) this.#fail(`${this.leg.target.mount.config.type}: the response body exceeds ${MAX_JSON_RESPONSE_BYTES} bytes.`)
      this.#bytes += chunk.length
      return true
    }
    this.#chunks.push(chunk)
    this.#bytes += chunk.length
    return true
  }

  end(): void {
    if (this.#failed) return
    const body = Buffer.concat(this.#chunks)
    this.#chunks = []
    if (this.#status < 200 || this.#status > 299) {
      replayError(this.channel, this.leg, { status: this.#status, headers: this.#headers, body }, this.own, this.requestId)
      return
    }
    const stated = this.#reader?.result()?.inputTokens
    const promptTokens = stated ?? Math.ceil(this.leg.request.body.length / this.bytesPerToken)
    const answer = embeddingsAnswer(this.leg.target.mount.config.type, body, this.request, promptTokens)
    if (!answer.ok) return this.#fail(answer.message)
    this.channel.replay(200, { ...this.own, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(answer.body)) }, answer.body)
  }

  broken(): void {
    this.#fail(`${this.leg.target.mount.name}: the upstream broke off or went idle mid-answer.`)
  }

  refuse(error: SluiceError): void {
    if (this.#failed) return
    this.#failed = true
    this.#chunks = []
    // Nothing has been written yet: the answer goes out whole, at the end.
    if (!this.channel.started) sendError(this.channel, adapters.openai, error, 'deny', false, this.own)
    else this.channel.fail()
  }

  #fail(message: string): void {
    if (this.#failed) return
    this.#failed = true
    this.#chunks = []
    if (this.channel.started) return this.channel.fail()
    sendError(this.channel, adapters.openai, sluiceError('SLUICE_ERR_UPSTREAM_INVALID', this.requestId, message), 'error', false, this.own)
  }
}
