// The sink of native requests: the upstream's answer goes to the client as it is — status, headers
// (minus hop-by-hop) and body bytes — plus Sluice's x-sluice-* headers.
import type { IncomingHttpHeaders } from 'node:http'
import type { ClientChannel, Sink } from '../core/channel.js'
import { sluiceError, type SluiceError } from '../core/errors.js'
import type { Leg } from '../core/target.js'
import { sendError } from './channel.js'

const RESPONSE_SKIP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'trailer', 'te'])

/** Upstream response headers a client may see, with Sluice's own laid over them. */
export function clientHeaders(headers: IncomingHttpHeaders, own: Record<string, string>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  for (const name in headers) {
    const value = headers[name]
    if (value !== undefined && !RESPONSE_SKIP.has(name)) out[name] = value
  }
  return Object.assign(out, own)
}

export class PassthroughSink implements Sink {
  /**
   * Non-streamed bodies only: the latest chunk, held until the next one or the end so that a
   * typical one-chunk JSON answer leaves as head + body + end in a single write. Streams (SSE,
   * event streams) are never held back.
   */
  #held: Buffer | undefined
  readonly #holdLast: boolean
  #failed = false

  constructor(
    private readonly channel: ClientChannel,
    private readonly leg: Leg,
    private readonly own: Record<string, string>,
    private readonly requestId: string,
  ) {
    this.#holdLast = leg.operation.streamFormat === 'none'
  }

  get failed(): boolean {
    return this.#failed
  }

  head(status: number, headers: IncomingHttpHeaders): void {
    this.channel.head(status, clientHeaders(headers, this.own))
  }

  write(chunk: Buffer): boolean {
    if (this.#holdLast) {
      const previous = this.#held
      this.#held = chunk
      if (previous === undefined) return true
      chunk = previous
    }
    return this.channel.chunk(chunk)
  }

  end(): void {
    this.channel.end(this.#held)
  }

  broken(): void {
    // After a refusal (a guardrail ended the answer) the upstream is cut on purpose: one error event, not two.
    if (this.#failed) return
    this.#failed = true
    this.#endInStream(sluiceError('SLUICE_ERR_UPSTREAM_BROKEN', this.requestId))
  }

  refuse(error: SluiceError): void {
    if (this.#failed) return
    this.#failed = true
    this.#held = undefined
    if (!this.channel.started) return sendError(this.channel, this.leg.target.mount.adapter, error, 'deny', false, this.own)
    this.#endInStream(error)
  }

  #endInStream(error: SluiceError): void {
    // Where the stream format can carry an error, say so in it first. A Bedrock exception message
    // is itself the failure, so that stream ends there; an SSE error event is not understood by
    // every SDK (llama-api-client yields it as a chunk), so the connection is cut after it too.
    const { operation, target } = this.leg
    const frame = target.mount.adapter.renderStreamError(error, operation)
    if (frame === undefined) this.channel.fail()
    else if (operation.streamFormat === 'eventstream') this.channel.end(frame)
    else this.channel.chunk(frame, () => this.channel.fail())
  }
}
