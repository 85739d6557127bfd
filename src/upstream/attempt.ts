// One upstream attempt: an undici dispatch handler for one leg of an exchange (upstream/exchange.ts).
// At the response head the exchange decides: commit — the body streams to the client through a
// sink, with backpressure, and usage is read as it passes — or hold — a retryable failure whose
// (small) body is kept, in case no later attempt does better and it must be passed on after all.
import type { IncomingHttpHeaders } from 'node:http'
import { errors, type Dispatcher } from 'undici'
import type { Sink } from '../core/channel.js'
import type { UpstreamRequest, UsageReader } from '../core/wire.js'
import type { CircuitTicket, FailureKind, Leg } from '../core/target.js'
import { errorFailure, retryAfterMs, statusFailure } from './failure.js'
import { NO_USAGE } from '../providers/usage.js'
import { UsageTally } from './usage-tally.js'

/** An upstream answer kept whole (a held failure), small enough to replay. */
export interface HeldResponse {
  readonly status: number
  readonly headers: IncomingHttpHeaders
  readonly body: Buffer
}

export interface AttemptFailure {
  readonly kind: FailureKind
  readonly retryAfterMs: number | undefined
  /** The upstream's answer, when it gave one. */
  readonly response: HeldResponse | undefined
}

export interface AttemptOwner {
  /** A sink to commit to, or undefined to hold this answer as a failed attempt. */
  onHead(attempt: Attempt, status: number, headers: IncomingHttpHeaders): Sink | undefined
  onFirstByte(): void
  /** The first event carrying output content went past (when the reader can tell: UsageReader.contentStarted). */
  onFirstContent(): void
  onFailed(attempt: Attempt, failure: AttemptFailure): void
  /** A committed response ended: cleanly, broken mid-body, or because the client went away. */
  onEnded(attempt: Attempt, status: number, usage: UsageReader | undefined, broken: boolean): void
  /** Called when a paused upstream may resume. */
  onceDrain(resume: () => void): void
  /** Sluice's own code threw while handling this attempt's answer. */
  onCrashed(attempt: Attempt, err: unknown): void
}

/** First-byte timeouts shorter than this get a timer of their own (undici's are ~1 s coarse). */
const PRECISE_TIMEOUT_BELOW_MS = 10_000

/** A held failure body beyond this is not kept; the client then gets Sluice's own error. */
const MAX_HELD_BYTES = 64 * 1024

export class Attempt implements Dispatcher.DispatchHandler {
  #controller: Dispatcher.DispatchController | undefined
  #aborted: Error | undefined
  #sink: Sink | undefined
  #usage: UsageReader | undefined
  #feedUsage = false
  #status = 0
  #headers: IncomingHttpHeaders = {}
  #held: Buffer[] | undefined
  #heldBytes = 0
  #sawData = false
  #sawContent = false
  #settled = false
  #crashed = false
  #firstByteMs = 0
  #firstByteTimer: NodeJS.Timeout | undefined
  readonly #resume = (): void => this.#controller?.resume()

  constructor(
    readonly leg: Leg,
    private readonly owner: AttemptOwner,
    private readonly ticket: CircuitTicket | undefined,
  ) {}

  /** Stops the attempt (the client went away); undici reports it through onResponseError. */
  abort(reason: Error): void {
    this.#aborted = reason
    this.#controller?.abort(reason)
  }

  /** The attempt never went out (upstream credentials failed): not the target's fault. */
  release(): void {
    this.#settled = true
    this.ticket?.success()
  }

  /** `budgetMs`: what is left of the exchange's deadline; the first-byte timeout never outlasts it. */
  dispatch(upstream: UpstreamRequest, budgetMs: number): void {
    const { target } = this.leg
    this.#firstByteMs = Math.min(target.firstByteMs, budgetMs)
    target.pool.dispatch(
      {
        method: upstream.method as Dispatcher.HttpMethod,
        path: upstream.path,
        headers: upstream.headers,
        body: upstream.body,
        headersTimeout: this.#firstByteMs,
        bodyTimeout: target.idleMs,
      },
      this,
    )
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller
    if (this.#aborted !== undefined) return controller.abort(this.#aborted)
    // undici runs headersTimeout on its coarse timers (about 1 s resolution): a firstByteMs of 200
    // would fire anywhere up to ~1 s. A native timer keeps short timeouts honest; long ones (the
    // default is minutes) are left to undici, so the common request arms no timer of its own.
    if (this.#firstByteMs < PRECISE_TIMEOUT_BELOW_MS) {
      this.#firstByteTimer = setTimeout(() => controller.abort(new errors.HeadersTimeoutError()), this.#firstByteMs).unref()
    }
  }

  onResponseStart(controller: Dispatcher.DispatchController, status: number, headers: IncomingHttpHeaders): void {
    clearTimeout(this.#firstByteTimer)
    this.#status = status
    this.#headers = headers
    try {
      this.#sink = this.owner.onHead(this, status, headers)
      if (this.#sink === undefined) {
        this.#held = []
        return
      }
      this.#sink.head(status, headers)
      // A sink that parses the body anyway (unified translation) reports the usage it read; only
      // a passthrough needs the adapter's reader over the same bytes.
      const read = this.#sink.usage
      const reader = read ?? this.leg.target.mount.adapter.createUsageReader(this.leg.operation, status, headers)
      // A 2xx answer of an operation that bills (its reader is not NO_USAGE) gets a tally that can
      // estimate the usage the answer fails to state.
      if (status >= 200 && status < 300 && reader !== NO_USAGE) {
        this.#usage = new UsageTally(reader, read === undefined, this.leg.request.body.length)
        this.#feedUsage = true
        this.#sink.usageReader?.(this.#usage)
      } else {
        this.#usage = reader
        this.#feedUsage = read === undefined
      }
    } catch (err) {
      this.#crash(controller, err)
    }
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    try {
      this.#data(controller, chunk)
    } catch (err) {
      this.#crash(controller, err)
    }
  }

  #data(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#held !== undefined) {
      this.#heldBytes += chunk.length
      if (this.#heldBytes <= MAX_HELD_BYTES) this.#held.push(chunk)
      return
    }
    if (!this.#sawData) {
      this.#sawData = true
      this.owner.onFirstByte()
    }
    if (this.#feedUsage) this.#usage!.push(chunk)
    const sink = this.#sink!
    const written = sink.write(chunk)
    // After the write: a unified sink's reader learns of content as it translates the chunk.
    this.#checkContent()
    if (!written) {
      controller.pause()
      this.owner.onceDrain(this.#resume)
    }
    if (sink.failed) {
      this.#invalid()
      controller.abort(new Error('the upstream answer is invalid'))
    }
  }

  onResponseEnd(controller: Dispatcher.DispatchController): void {
    try {
      this.#ended()
    } catch (err) {
      this.#crash(controller, err)
    }
  }

  #checkContent(): void {
    if (!this.#sawContent && this.#usage?.contentStarted === true) {
      this.#sawContent = true
      this.owner.onFirstContent()
    }
  }

  #ended(): void {
    if (this.#held !== undefined) {
      const kind = statusFailure(this.#status)!
      const body = this.#heldBytes <= MAX_HELD_BYTES ? Buffer.concat(this.#held) : undefined
      this.#fail(kind, body === undefined ? undefined : { status: this.#status, headers: this.#headers, body })
      return
    }
    this.#sink!.end()
    // A guardrail wrapping a unified sink may hold text back until the end; it reaches the
    // translating reader only now.
    this.#checkContent()
    if (this.#sink!.failed) return this.#invalid()
    const kind = statusFailure(this.#status)
    if (kind === undefined) this.ticket?.success()
    else this.ticket?.failure(kind)
    this.#end(false)
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    clearTimeout(this.#firstByteTimer)
    if (this.#crashed) return
    if (this.#aborted !== undefined) {
      // The client went away: not the target's fault.
      this.ticket?.success()
      this.#end(false)
      return
    }
    const kind = errorFailure(err)
    if (this.#sink === undefined) {
      this.#fail(kind, undefined)
      return
    }
    this.ticket?.failure(kind)
    this.#sink.broken()
    this.#end(true)
  }

  /** Sluice itself failed while handling the answer: not the target's fault, and not reported as an upstream failure. */
  #crash(controller: Dispatcher.DispatchController, err: unknown): void {
    if (this.#settled) return
    this.#crashed = true
    this.#settled = true
    this.ticket?.success()
    this.owner.onCrashed(this, err)
    controller.abort(err instanceof Error ? err : new Error(String(err)))
  }

  /** The sink could not use the answer (not what the provider's API documents): the target's fault. */
  #invalid(): void {
    this.ticket?.failure('5xx')
    this.#end(true)
  }

  #fail(kind: FailureKind, response: HeldResponse | undefined): void {
    if (this.#settled) return
    this.#settled = true
    this.ticket?.failure(kind)
    this.owner.onFailed(this, { kind, retryAfterMs: response === undefined ? undefined : retryAfterMs(response.headers, Date.now()), response })
  }

  #end(broken: boolean): void {
    if (this.#settled) return
    this.#settled = true
    this.owner.onEnded(this, this.#status, this.#usage, broken)
  }
}
