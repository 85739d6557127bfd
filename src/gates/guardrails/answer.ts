// Guardrails on the answer (docs/guardrails.md "Answers"), as a wrapper around the sink of a
// committed 2xx answer. The text is found in the upstream's own format (a fallback's or a
// translated target's, for a unified request).
// - log-only: every byte goes to the client as it arrives, unchanged; a copy of the text is
//   scanned on the side and what block mode would have done is recorded.
// - block: a whole (non-streamed) body is held until it is scanned; a stream's chunks are held
//   until their text is safe — scanned with enough text after it that no match can still reach
//   into it (stream-scan.ts), at most the longest match a detector has (≤ 1 KiB of text) — and
//   whole events. A blocking finding before anything went out is a dialect error; after, the
//   stream ends with an error in its own framing. The upstream's head waits for the first release.
// A stream's text is scanned when held chunks would go out with it, when SCAN_EVERY characters
// wait, and at the end — not at every event: most chat answers are shorter than the hold-back,
// so they are scanned once, as a whole answer is.
// Other answers (errors, non-2xx) pass untouched: they are the upstream's, not the model's text.
import type { IncomingHttpHeaders } from 'node:http'
import type { Sink } from '../../core/channel.js'
import { sluiceError } from '../../core/errors.js'
import type { GuardrailEvent, GuardrailState, RequestFacts } from '../../core/facts.js'
import type { Leg } from '../../core/target.js'
import type { StreamEventDecoder, StreamEventListener, StreamEventTap, UsageReader } from '../../core/wire.js'
import type { CompiledDetector, CompiledGuardrails } from './compile.js'
import { countDetector, observeDuration, timing } from './counters.js'
import type { Finding } from './detectors/types.js'
import { ScanPlan, StreamScanner } from './stream-scan.js'
import { answerText, bodyKind, chatAnswerText, chunkMemo, eventText, type BodyKind, type ChunkMemo } from './text/index.js'

/** Each snapshot's response detectors' scan plan, built on its first answer (not per answer). */
const plans = new WeakMap<readonly CompiledDetector[], ScanPlan>()

function planOf(detectors: readonly CompiledDetector[]): ScanPlan {
  let plan = plans.get(detectors)
  if (plan === undefined) plans.set(detectors, (plan = new ScanPlan(detectors.map((d) => d.detector))))
  return plan
}

/**
 * A stream's text waits for its scan until held chunks could go out with it, or until this many
 * characters wait: a blocking finding is found at most this much text after it arrived, and
 * always before any of it goes out.
 */
export const SCAN_EVERY = 256

/** A whole answer beyond this is not held or scanned (it passes, counted as unreadable). */
const MAX_BODY_BYTES = 8 * 1024 * 1024

function responseOutcome(mode: GuardrailState['mode'], action: CompiledDetector['action']): GuardrailEvent['outcome'] {
  if (action !== 'block') return 'logged'
  return mode === 'block' ? 'blocked' : 'would_block'
}

interface Held {
  readonly chunk: Buffer
  /** Text scanned once this chunk was in; undefined while the chunk ends inside an event. */
  readonly textEnd: number | undefined
}

/**
 * A guard's event listener, made outside its constructor. With the arrow function made in the
 * constructor (capturing `this`), V8's allocation-site pretenuring sent about 1.4 KB per streamed
 * answer to the old generation and the young collections took twice as long
 * (docs/performance.md, "A closure in a constructor").
 */
function eventListener(guard: AnswerGuard): StreamEventListener {
  return (data, type) => guard.gather(data, type)
}

export class AnswerGuard implements Sink {
  /** The sink to use for this answer: `sink` itself when there is nothing to check. */
  static wrap(guardrails: CompiledGuardrails, sink: Sink, facts: RequestFacts, leg: Leg): Sink {
    const state = facts.guardrails
    if (state === undefined || guardrails.response.length === 0) return sink
    const kind = bodyKind(leg.target.mount.config.type, leg.operation.name, leg.operation.model)
    if (kind === undefined) return sink
    return new AnswerGuard(guardrails.response, guardrails.responseFailMode, sink, state, leg, kind, facts.requestId)
  }

  #passing = false
  #headSent = false
  #status = 0
  #headers: IncomingHttpHeaders | undefined
  #refused = false
  readonly #held: Held[] = []
  /** A whole (non-streamed) answer's chunks, up to MAX_BODY_BYTES. */
  #whole: Buffer[] | undefined
  #bytes = 0
  readonly #stream: boolean
  /** The guard's own split of a stream, made at its first chunk when the usage reader handed over none (usageReader). */
  #decoder: StreamEventDecoder | undefined
  /** The usage reader's own split of the stream when it hands its events over (usageReader): then no decoder is made. */
  #tap: StreamEventTap | undefined
  readonly #memo: ChunkMemo | undefined
  /** Whether a chunk was fed to the scan yet: the events' source is fixed from then on. */
  #observed = false
  readonly #onEvent: StreamEventListener
  /** The text's scan: a stream's from its start; a whole answer's once it has ended (one push). */
  #scanner: StreamScanner | undefined
  /** The detectors that found something in this answer; made at the first. */
  #matched: Set<CompiledDetector> | undefined
  #elapsedMs = 0
  /** Whether this answer's scan time is measured (one answer in several: counters.ts). */
  readonly #timed = timing()
  #finished = false
  /** Text of the events decoded from the current chunk. */
  #gathered = ''
  /** A stream's text not scanned yet (it follows the scanner's `length` characters). */
  #unscanned = ''

  private constructor(
    private readonly detectors: readonly CompiledDetector[],
    private readonly failMode: CompiledGuardrails['responseFailMode'],
    private readonly inner: Sink,
    private readonly state: GuardrailState,
    private readonly leg: Leg,
    private readonly kind: BodyKind,
    private readonly requestId: string,
  ) {
    // A stream's text is scanned as it comes; a whole answer's in one piece once it has ended.
    // A chunk's events are gathered and scanned as one piece: one scan per chunk, not per event.
    // As the adapter's decoder sees it (it has none for an answer that is not a stream).
    this.#stream = leg.operation.stream && leg.operation.streamFormat !== 'none'
    this.#memo = kind === 'openai-chat' ? chunkMemo() : undefined
    this.#onEvent = eventListener(this)
    this.#scanner = this.#stream ? new StreamScanner(planOf(detectors)) : undefined
  }

  /** One event of the stream (from the usage reader's split or this guard's own decoder): its text joins the chunk's. */
  gather(data: string, type: string): void {
    if (this.#refused) return
    try {
      this.#gathered += eventText(this.kind, data, type, this.#memo)
    } catch {
      // Never expected (the readers never throw); an event it chokes on is left unscanned.
    }
  }

  get failed(): boolean {
    return this.#refused || this.inner.failed
  }

  get usage(): UsageReader | undefined {
    return this.inner.usage
  }

  /** Takes the stream's events from the usage reader when it splits them anyway, so the stream is split once. */
  usageReader(reader: UsageReader): void {
    if (!this.#stream || this.#observed) return
    this.#tap = reader.tapEvents?.(this.#onEvent)
  }

  get #blocking(): boolean {
    return this.state.mode === 'block'
  }

  head(status: number, headers: IncomingHttpHeaders): void {
    this.#status = status
    this.#headers = headers
    this.#passing = status < 200 || status > 299
    if (this.#passing || !this.#blocking) this.#sendHead()
  }

  write(chunk: Buffer): boolean {
    if (this.#passing) return this.inner.write(chunk)
    if (this.#refused || chunk.length === 0) return true
    if (!this.#blocking) {
      // Log-only: the client's bytes first, exactly as they came; the scan is on the side.
      const writable = this.inner.write(chunk)
      this.#observe(chunk)
      if (this.#unscanned.length >= SCAN_EVERY) this.#scanUnscanned()
      return writable
    }
    this.#observe(chunk)
    if (!this.#stream) {
      this.#held.push({ chunk, textEnd: undefined })
      return true
    }
    const scanner = this.#scanner!
    const split = this.#tap ?? this.#decoder
    const seen = scanner.length + this.#unscanned.length
    this.#held.push({ chunk, textEnd: split?.pending === true ? undefined : seen })
    if (this.#unscanned.length >= SCAN_EVERY || this.#releasable(scanner.safeEndAfter(this.#unscanned.length))) this.#scanUnscanned()
    if (this.#refused) return true
    return this.#release(scanner.safeEnd)
  }

  end(): void {
    if (this.#passing) return this.inner.end()
    if (!this.#refused) {
      if (this.#stream) this.#scanUnscanned()
      else this.#scanWhole()
    }
    this.#finish()
    if (this.#refused) return
    if (this.#blocking) this.#release(Infinity)
    this.inner.end()
  }

  broken(): void {
    if (this.#passing || this.#refused) return this.inner.broken()
    // What arrived is scanned for the record (none of it goes out): a blocking finding still ends the answer with its own error.
    if (this.#stream) this.#scanUnscanned()
    this.#finish()
    if (this.#refused) return
    this.#sendHead()
    this.inner.broken()
  }

  refuse(error: Parameters<Sink['refuse']>[0]): void {
    this.#refused = true
    this.inner.refuse(error)
  }

  #sendHead(): void {
    if (this.#headSent) return
    this.#headSent = true
    this.inner.head(this.#status, this.#headers ?? {})
  }

  /** Feeds a chunk to the scan: a stream's events as they complete, a whole body once it ends. */
  #observe(chunk: Buffer): void {
    this.#observed = true
    if (this.#stream) {
      try {
        if (this.#tap === undefined) (this.#decoder ??= this.#ownDecoder()).push(chunk)
      } catch {
        // A decoder that chokes leaves the rest unscanned; the answer itself is the upstream's business.
      }
      if (this.#gathered !== '') {
        this.#unscanned += this.#gathered
        this.#gathered = ''
      }
      return
    }
    this.#bytes += chunk.length
    if (this.#bytes <= MAX_BODY_BYTES) (this.#whole ??= []).push(chunk)
  }

  /** Scans the stream's text that waits. */
  #scanUnscanned(): void {
    const text = this.#unscanned
    this.#unscanned = ''
    this.#text(text)
  }

  /** Whether a held chunk could go out were the text safe up to `safe` (#release's rule; text ends only grow along #held). */
  #releasable(safe: number): boolean {
    if (safe === 0) return false
    for (const { textEnd } of this.#held) if (textEnd !== undefined) return textEnd <= safe
    return false
  }

  #ownDecoder(): StreamEventDecoder {
    const decoder = this.leg.target.mount.adapter.createEventDecoder(this.leg.operation, this.#onEvent)
    if (decoder === undefined) throw new Error(`no event decoder for ${this.leg.operation.name}`)
    return decoder
  }

  #scanWhole(): void {
    if (this.#bytes > MAX_BODY_BYTES) return this.#unreadable()
    const whole = this.#whole ?? []
    const json = (whole.length === 1 ? whole[0]! : Buffer.concat(whole)).toString('utf8')
    // A chat answer's text straight from its JSON. Not under fail mode closed: that refuses an
    // answer that is not valid JSON, which only a full parse can tell.
    const fast = this.kind === 'openai-chat' && this.failMode === 'open' ? chatAnswerText(json) : undefined
    if (fast !== undefined) return this.#text(fast)
    let body: unknown
    try {
      body = JSON.parse(json)
    } catch {
      return this.#unreadable()
    }
    const segments = answerText(this.kind, body)
    if (segments === undefined) return this.#unreadable()
    // One text, as a stream would give it: offsets run through the answer's strings in order.
    this.#text(segments.length === 1 ? segments[0]!.text : segments.map((s) => s.text).join(''))
  }

  #unreadable(): void {
    for (const d of this.detectors) {
      this.state.events.push({ detector: d.key, category: 'unreadable', side: 'response', outcome: 'unreadable', start: 0, end: 0 })
      ;(this.#matched ??= new Set()).add(d)
    }
    if (this.#blocking && this.failMode === 'closed') {
      this.#refuseWith(sluiceError('SLUICE_ERR_GUARDRAIL_UNAVAILABLE', this.requestId, 'The answer has a shape the guardrails cannot read.'))
    }
  }

  /**
   * The next piece of a stream's text, or a whole answer's text. A whole answer's is the first and
   * only push, so each detector scans it once (StreamScanner's whole-window case).
   */
  #text(text: string): void {
    if (text === '' || this.#refused) return
    const started = this.#timed ? performance.now() : 0
    const findings = (this.#scanner ??= new StreamScanner(planOf(this.detectors))).push(text)
    if (this.#timed) this.#elapsedMs += performance.now() - started
    for (const f of findings) this.#found(f)
  }

  #found(f: Finding): void {
    const compiled = this.detectors.find((d) => d.detector.name === f.detector)
    if (compiled === undefined) return
    const outcome = responseOutcome(this.state.mode, compiled.action)
    this.state.events.push({ detector: compiled.key, category: f.category, side: 'response', outcome, start: f.start, end: f.end })
    ;(this.#matched ??= new Set()).add(compiled)
    if (outcome === 'blocked' && !this.#refused) {
      this.#refuseWith(sluiceError(compiled.code, this.requestId, `Found ${f.category} in the answer (characters ${f.start}-${f.end}).`))
    }
  }

  #refuseWith(error: ReturnType<typeof sluiceError>): void {
    this.#held.length = 0
    this.refuse(error)
  }

  /**
   * Sends the held chunks whose events are complete and whose text lies below `safe`; true when
   * the client can take more. Nothing goes out before the first text is safe, so a finding in it
   * is still a dialect error rather than a cut stream.
   */
  #release(safe: number): boolean {
    if (safe !== Infinity && safe === 0) return true
    let last = -1
    for (let i = 0; i < this.#held.length; i++) {
      const end = this.#held[i]!.textEnd
      if (safe === Infinity || (end !== undefined && end <= safe)) last = i
    }
    if (last === -1) return true
    this.#sendHead()
    let writable = true
    const held = this.#held
    for (let i = 0; i <= last; i++) writable = this.inner.write(held[i]!.chunk)
    if (last + 1 === held.length) held.length = 0
    else held.splice(0, last + 1)
    return writable
  }

  /** Once per answer: the checks' counts, and the scan's time (all its detectors together, label `all`). */
  #finish(): void {
    if (this.#finished) return
    this.#finished = true
    for (const d of this.detectors) {
      const outcome = this.#matched?.has(d) === true ? (this.state.events.find((e) => e.side === 'response' && e.detector === d.key)?.outcome ?? 'logged') : 'pass'
      countDetector(d, this.state.mode, outcome, 'response')
    }
    if (this.#timed) observeDuration('all', 'response', this.#elapsedMs)
  }
}
