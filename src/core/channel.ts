// The client channel: the one way an answer reaches the client. The exchange, the
// sinks and the pipeline's refusals write through it; upstream/channel.ts has the response-backed
// implementation (the only code that touches the client's response object) and a discarding one,
// so a mirrored (shadow) call can run the same exchange with nobody listening.
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http'
import type { Http2ServerRequest } from 'node:http2'
import type { SluiceError } from './errors.js'
import type { UsageReader } from './wire.js'

/** A client's request on the data plane, HTTP/1.1 or h2c. */
export type DataPlaneRequest = IncomingMessage | Http2ServerRequest

export type ResponseHeaders = Record<string, string | string[]>

export interface ClientChannel {
  /** True once a response head has gone out. */
  readonly started: boolean
  /** HTTP/1.1 (where `connection: close` means something). */
  readonly http1: boolean
  head(status: number, headers: ResponseHeaders): void
  /** False when the client wants the sender paused until `onDrain`; `flushed` runs once the bytes are out. */
  chunk(data: Buffer | string, flushed?: () => void): boolean
  end(data?: Buffer | string): void
  /** A whole answer at once: head, body, end (a held upstream failure, Sluice's own error). */
  replay(status: number, headers: ResponseHeaders, body: Buffer | string): void
  /** Ends the response as a failure: the connection is cut, never a clean end. */
  fail(): void
  /** Runs once when the client side closes, finished or gone. */
  onClose(listener: () => void): void
  onDrain(listener: () => void): void
  /** HTTP/1.1: close the connection after this response (draining, an unread body). */
  closeAfter(): void
}

/** Where a committed upstream answer goes: the client, in its own dialect, through its channel. */
export interface Sink {
  head(status: number, headers: IncomingHttpHeaders): void
  /** False when the client wants the upstream paused until `drain`. */
  write(chunk: Buffer): boolean
  end(): void
  /** The upstream failed after the head: end the client's response as a failure, never cleanly. */
  broken(): void
  /**
   * Sluice refuses the answer (an output guardrail): Sluice's error in the client's dialect while
   * the head is unsent, else in the stream's own framing, and the response ends as a failure.
   */
  refuse(error: SluiceError): void
  /** True once the sink found the answer itself broken (e.g. untranslatable) and ended the response as a failure. */
  readonly failed: boolean
  /** When the sink parses the body anyway (a unified translation), it reads the usage too: the body is parsed once. */
  readonly usage?: UsageReader
  /**
   * The reader each chunk of the answer is pushed to just before the sink is given it, once it is
   * known (after `head`, before the first `write`): a sink reading the stream's events may take
   * them from it (UsageReader.tapEvents) rather than split the bytes again.
   */
  usageReader?(reader: UsageReader): void
}
