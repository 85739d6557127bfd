// Steps 8–9 (docs/lifecycle.md, docs/resilience.md): one client request's trip upstream, walking its route plan. Candidates
// are tried in order — the primary first, then its fallbacks — each behind its circuit breaker, with retries
// and full-jitter backoff on the same target (honouring the upstream's Retry-After) before moving
// on, all bounded by `resilience.retries.deadlineMs`. Everything happens before the first byte
// reaches the client: once an answer is committed, a failure ends the response as a failure.
// Everything reaches the client through its channel; time and randomness come from the deps.
import type { Logger } from 'pino'
import type { ClientChannel, Sink } from '../core/channel.js'
import { sluiceError, type ErrorCode } from '../core/errors.js'
import type { AttemptRecord, Outcome, RequestFacts, UsageEstimateReason } from '../core/facts.js'
import { countedLabels, metrics } from '../core/metrics.js'
import type { Candidate, RoutePlan } from '../core/plan.js'
import type { CircuitBreakerGate, FailureKind, Leg } from '../core/target.js'
import type { Dialect, UsageReader } from '../core/wire.js'
import type { ResilienceConfig } from '../resilience/schema.js'
import { Attempt, type AttemptFailure, type AttemptOwner, type HeldResponse } from './attempt.js'
import { sendError } from './channel.js'
import { backoffMs, failureCode, statusFailure } from './failure.js'
import { buildUpstreamRequest } from './forward.js'
import { DEFAULT_BYTES_PER_TOKEN, UsageTally } from './usage-tally.js'

/** How one kind of request (native passthrough, unified) builds its legs and answers the client. */
export interface Legs {
  /** The dialect of Sluice's own errors. */
  readonly dialect: Dialect
  /** The request for the plan's candidate at `index`; a string says why that candidate cannot take this request. */
  leg(candidate: Candidate, index: number): Leg | string
  /** The client-facing writer of a committed answer; `own` holds x-sluice-* and gate headers. */
  sink(leg: Leg, own: Record<string, string>, channel: ClientChannel): Sink
  /** Passes on a held upstream failure as the final answer. */
  replay(leg: Leg, response: HeldResponse, own: Record<string, string>, channel: ClientChannel): void
}

export interface ExchangeDeps {
  readonly facts: RequestFacts
  readonly plan: RoutePlan
  readonly legs: Legs
  readonly channel: ClientChannel
  readonly resilience: ResilienceConfig
  readonly logger: Logger
  /** Monotonic milliseconds (performance.now in production). */
  readonly now: () => number
  /** In [0, 1): backoff jitter. */
  readonly random: () => number
  /** Response-side hooks of the gates around each committed sink; identity when none. */
  readonly wrapSink: (sink: Sink, leg: Leg) => Sink
  readonly done: (outcome: Outcome) => void
  /** Budgets' `estimate.bytesPerToken`, for usage an answer fails to state (usage-tally.ts); default 4. */
  readonly bytesPerToken?: number
  /** Time each attempt for the outcome's `attemptLog` (tracing on); off, nothing is recorded. */
  readonly logAttempts?: boolean
}

const fallbacks = countedLabels(metrics.fallbacks)
const upstreamRetries = countedLabels(metrics.upstreamRetries)

const CLIENT_GONE = new Error('client closed the connection')

export class Exchange implements AttemptOwner {
  readonly #deps: ExchangeDeps
  readonly #candidates: readonly Candidate[]
  readonly #deadline: number
  readonly #legs: Array<Leg | string | undefined> = []
  #index = 0
  #retries = 0
  #attempts = 0
  #current: Attempt | undefined
  #last: { readonly leg: Leg; readonly failure: AttemptFailure } | undefined
  #open: CircuitBreakerGate[] | undefined
  #authFailed = false
  /** Why the last target that could not take the request could not. */
  #untranslatable: string | undefined
  #timer: NodeJS.Timeout | undefined
  #dispatchedAt = 0
  #firstByteAt = 0
  #firstContentAt = 0
  #clientGone = false
  #finished = false
  readonly #attemptLog: AttemptRecord[] | undefined
  #attemptRecord: AttemptRecord | undefined

  constructor(deps: ExchangeDeps) {
    this.#deps = deps
    this.#candidates = deps.plan.candidates
    this.#deadline = deps.facts.bodyReadAt + deps.resilience.retries.deadlineMs
    this.#attemptLog = deps.logAttempts === true ? [] : undefined
    deps.channel.onClose(() =>
      this.#guarded(() => {
        if (this.#finished) return
        this.#clientGone = true
        if (this.#current !== undefined) this.#current.abort(CLIENT_GONE)
        else {
          clearTimeout(this.#timer)
          this.#giveUp()
        }
      }),
    )
  }

  start(): void {
    this.#guarded(() => this.#next())
  }

  /**
   * Runs a step of this exchange from a timer, a promise or an event: an exception in
   * it ends this request with SLUICE_ERR_INTERNAL in its dialect and a log line, never the process.
   */
  #guarded(step: () => void): void {
    try {
      step()
    } catch (err) {
      this.#deps.logger.error({ err, requestId: this.#deps.facts.requestId }, 'exchange step failed')
      const attempt = this.#current
      this.#current = undefined
      clearTimeout(this.#timer)
      if (!this.#finished) {
        const error = sluiceError('SLUICE_ERR_INTERNAL', this.#deps.facts.requestId)
        sendError(this.#deps.channel, this.#deps.legs.dialect, error, 'error', false, this.#deps.facts.responseHeaders)
        this.#finish(error.status, 'SLUICE_ERR_INTERNAL', undefined, false, undefined)
      }
      // After finishing: the aborted attempt's own end is then a no-op.
      attempt?.abort(err instanceof Error ? err : new Error(String(err)))
    }
  }

  #next(): void {
    const candidates = this.#candidates
    if (this.#clientGone) return this.#giveUp()
    while (this.#index < candidates.length) {
      const { target } = candidates[this.#index]!
      const leg = this.#legAt(this.#index)
      if (typeof leg === 'string') {
        this.#untranslatable = `${target.id}: ${leg}`
        this.#moveOn('untranslatable')
        continue
      }
      if (this.#deps.now() >= this.#deadline) break
      const circuit = target.circuit
      const ticket = circuit?.acquire()
      if (circuit !== undefined && ticket === undefined) {
        ;(this.#open ??= []).push(circuit)
        this.#moveOn('circuit_open')
        continue
      }
      const attempt = new Attempt(leg, this, ticket)
      this.#current = attempt
      this.#attempts++
      if (this.#dispatchedAt === 0) this.#dispatchedAt = this.#deps.now()
      if (this.#attemptLog !== undefined) this.#logAttempt(leg)
      this.#send(attempt)
      return
    }
    this.#giveUp()
  }

  #logAttempt(leg: Leg): void {
    this.#attemptRecord = { leg, startedAt: this.#deps.now(), endedAt: 0, status: 0, failure: undefined }
    this.#attemptLog!.push(this.#attemptRecord)
  }

  /** Closes the running attempt's record (tracing on). */
  #attemptEnded(status: number, failure: string | undefined): void {
    const record = this.#attemptRecord
    if (record === undefined) return
    this.#attemptRecord = undefined
    record.endedAt = this.#deps.now()
    record.status = status
    record.failure = failure
  }

  #legAt(index: number): Leg | string {
    return (this.#legs[index] ??= this.#deps.legs.leg(this.#candidates[index]!, index))
  }

  #moveOn(reason: FailureKind | 'circuit_open' | 'untranslatable'): void {
    this.#index++
    this.#retries = 0
    if (this.#index < this.#candidates.length) fallbacks(this.#deps.facts.context.route, reason).inc()
  }

  #send(attempt: Attempt): void {
    const { mount } = attempt.leg.target
    const upstream = buildUpstreamRequest(mount, attempt.leg.request)
    // Set before signing, so a SigV4 signature covers them like any other header.
    const tags = this.#deps.plan.upstreamTags
    if (tags !== undefined) for (const name in tags) upstream.headers[name] = tags[name]!
    const remaining = Math.max(1, Math.floor(this.#deadline - this.#deps.now()))
    try {
      const signed = mount.upstreamAuth(upstream, mount.origin)
      if (signed instanceof Promise) {
        signed.then(
          () => this.#guarded(() => attempt.dispatch(upstream, remaining)),
          (err: unknown) => this.#guarded(() => this.#unsigned(attempt, err)),
        )
      } else attempt.dispatch(upstream, remaining)
    } catch (err) {
      this.#unsigned(attempt, err)
    }
  }

  /** Upstream credentials could not be had for this target: not its fault; try the next one. */
  #unsigned(attempt: Attempt, err: unknown): void {
    const { mount } = attempt.leg.target
    this.#deps.logger.error({ err, provider: mount.name, requestId: this.#deps.facts.requestId }, 'upstream credentials unavailable')
    this.#current = undefined
    if (this.#attemptLog !== undefined) this.#attemptEnded(0, 'upstream_auth')
    this.#authFailed = true
    attempt.release()
    this.#moveOn('connection')
    this.#next()
  }

  onHead(attempt: Attempt, status: number): Sink | undefined {
    const kind = statusFailure(status)
    if (kind !== undefined && this.#retryable(kind) && this.#hasAlternative()) return undefined
    return this.#deps.wrapSink(this.#deps.legs.sink(attempt.leg, this.#ownHeaders(attempt.leg), this.#deps.channel), attempt.leg)
  }

  onFirstByte(): void {
    this.#firstByteAt = this.#deps.now()
  }

  onFirstContent(): void {
    this.#firstContentAt = this.#deps.now()
  }

  onceDrain(resume: () => void): void {
    this.#deps.channel.onDrain(resume)
  }

  onFailed(attempt: Attempt, failure: AttemptFailure): void {
    this.#current = undefined
    if (this.#attemptLog !== undefined) this.#attemptEnded(failure.response?.status ?? 0, failure.kind)
    // An upstream answer held earlier stays the one passed on unless a later attempt brings its own
    // (docs/resilience.md: "if no later attempt does better"); a later reset or timeout is not better.
    if (failure.response !== undefined || this.#last?.failure.response === undefined) this.#last = { leg: attempt.leg, failure }
    if (this.#clientGone || !this.#retryable(failure.kind)) return this.#giveUp()
    const { retries } = this.#deps.resilience
    const retryAfter = failure.retryAfterMs
    if (this.#retries < retries.maxRetries && (retryAfter === undefined || retryAfter <= retries.maxRetryAfterMs)) {
      const wait = Math.max(backoffMs(this.#retries + 1, retries, this.#deps.random()), retryAfter ?? 0)
      if (this.#deps.now() + wait < this.#deadline) {
        this.#retries++
        upstreamRetries(attempt.leg.target.mount.name, failure.kind).inc()
        this.#timer = setTimeout(() => {
          this.#timer = undefined
          this.#guarded(() => this.#next())
        }, wait)
        return
      }
    }
    this.#moveOn(failure.kind)
    this.#next()
  }

  onCrashed(attempt: Attempt, err: unknown): void {
    this.#current = undefined
    if (this.#attemptLog !== undefined) this.#attemptEnded(0, 'internal')
    const { facts, logger, channel } = this.#deps
    logger.error({ err, requestId: facts.requestId, target: attempt.leg.target.id }, 'handling the upstream answer failed')
    const error = sluiceError('SLUICE_ERR_INTERNAL', facts.requestId)
    sendError(channel, this.#deps.legs.dialect, error, 'error', false, facts.responseHeaders)
    this.#finish(error.status, 'SLUICE_ERR_INTERNAL', undefined, false, attempt.leg)
  }

  onEnded(attempt: Attempt, status: number, usage: UsageReader | undefined, broken: boolean): void {
    this.#current = undefined
    if (this.#attemptLog !== undefined) this.#attemptEnded(status, broken ? 'upstream_broken' : undefined)
    this.#finish(status, undefined, usage, broken, attempt.leg)
  }

  #retryable(kind: FailureKind): boolean {
    return this.#deps.resilience.retries.retryOn.includes(kind)
  }

  /** Whether a held failure may still be bettered by a retry or another target. */
  #hasAlternative(): boolean {
    const { retries } = this.#deps.resilience
    return (this.#retries < retries.maxRetries || this.#index < this.#candidates.length - 1) && this.#deps.now() < this.#deadline
  }

  #ownHeaders(leg: Leg): Record<string, string> {
    const { facts } = this.#deps
    // A literal of fixed shape, then the gates' headers: cheaper than spreading them into a copy.
    const own: Record<string, string> = {
      'x-sluice-request-id': facts.requestId,
      'x-sluice-decision': 'allow',
      'x-sluice-provider': leg.target.mount.name,
      'x-sluice-model': leg.operation.model,
      'x-sluice-overhead-ms': (this.#dispatchedAt - facts.bodyReadAt).toFixed(3),
    }
    if (this.#attempts > 1) own['x-sluice-attempts'] = String(this.#attempts)
    // The leg's own target, not how far the exchange got: a held failure of the first target replayed
    // after the fallbacks were skipped or failed without an answer is not a fallback's answer.
    if (leg.target !== this.#candidates[0]!.target) own['x-sluice-fallback'] = leg.target.id
    const tags = this.#deps.plan.tags
    if (tags !== undefined) for (const name in tags) own[name] = tags[name]!
    const gates = facts.responseHeaders
    if (gates !== undefined) for (const name in gates) own[name] = gates[name]!
    return own
  }

  /** Nothing was committed: pass on the last upstream failure, or answer with Sluice's own error. */
  #giveUp(): void {
    // The client went away before any answer: nobody to tell (code '0', clientAborted).
    if (this.#clientGone) return this.#finish(0, undefined, undefined, false, undefined)
    const last = this.#last
    if (last?.failure.response !== undefined) {
      const { response } = last.failure
      this.#deps.legs.replay(last.leg, response, this.#ownHeaders(last.leg), this.#deps.channel)
      return this.#finish(response.status, undefined, undefined, false, last.leg)
    }
    let code: ErrorCode
    let retryAfterSeconds: number | undefined
    if (last !== undefined) code = failureCode(last.failure.kind)
    else if (this.#authFailed) code = 'SLUICE_ERR_UPSTREAM_AUTH'
    else if (this.#open !== undefined) {
      code = 'SLUICE_ERR_CIRCUIT_OPEN'
      retryAfterSeconds = Math.min(...this.#open.map((c) => c.retryAfterSeconds()))
    } else if (this.#untranslatable !== undefined) code = 'SLUICE_ERR_TRANSLATION_UNSUPPORTED'
    else code = 'SLUICE_ERR_UPSTREAM_TIMEOUT'
    const error = { ...sluiceError(code, this.#deps.facts.requestId, this.#detail(code)), retryAfterSeconds }
    const headers = this.#attempts > 1 ? { ...this.#deps.facts.responseHeaders, 'x-sluice-attempts': String(this.#attempts) } : this.#deps.facts.responseHeaders
    sendError(this.#deps.channel, this.#deps.legs.dialect, error, 'error', false, headers)
    this.#finish(error.status, code, undefined, false, undefined)
  }

  #detail(code: ErrorCode): string | undefined {
    const tried = this.#candidates.slice(0, this.#index + 1).map((c) => c.target.id)
    if (code === 'SLUICE_ERR_CIRCUIT_OPEN') return `Open: ${this.#open!.map((c) => c.id).join(', ')}.`
    if (code === 'SLUICE_ERR_TRANSLATION_UNSUPPORTED') return this.#untranslatable
    return this.#attempts > 1 || tried.length > 1 ? `Attempts: ${this.#attempts}; targets: ${tried.join(', ')}.` : undefined
  }

  #finish(status: number, code: ErrorCode | undefined, usage: UsageReader | undefined, broken: boolean, served: Leg | undefined): void {
    if (this.#finished) return
    this.#finished = true
    const { facts } = this.#deps
    const end = this.#deps.now()
    const dispatched = this.#dispatchedAt !== 0
    let read = usage?.result()
    let usageEstimated: UsageEstimateReason | undefined
    if (read === undefined && usage instanceof UsageTally) {
      read = usage.estimate(this.#deps.bytesPerToken ?? DEFAULT_BYTES_PER_TOKEN)
      usageEstimated = broken || this.#clientGone ? 'cut' : 'not_reported'
    }
    this.#deps.done({
      status,
      decision: code === undefined ? 'allow' : 'error',
      code: code ?? String(status),
      usage: read,
      usageEstimated,
      overheadMs: dispatched ? this.#dispatchedAt - facts.bodyReadAt : undefined,
      ttftMs: this.#firstByteAt === 0 ? undefined : this.#firstByteAt - this.#dispatchedAt,
      firstContentMs: this.#firstContentAt === 0 ? undefined : this.#firstContentAt - this.#dispatchedAt,
      upstreamMs: dispatched ? end - this.#dispatchedAt : undefined,
      clientAborted: this.#clientGone,
      upstreamBroken: broken,
      attempts: this.#attempts,
      attemptLog: this.#attemptLog,
      served,
      fallback: served !== undefined && served.target !== this.#candidates[0]!.target,
    })
  }
}
