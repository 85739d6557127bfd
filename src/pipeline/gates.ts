// The gate runner (docs/lifecycle.md steps 2–6): runs the snapshot's gates in registry
// order over the facts. A gate answers pass, deny or route; a gate that throws (or rejects) gets
// its fail mode — `closed` refuses with SLUICE_ERR_GATE_FAILED, `open` passes — and is counted.
// What each gate holds is settled exactly once when the request ends, whatever ended it; a
// request refused by a later gate settles the earlier gates' holds with the refusal's outcome,
// so their reservations are released.
import type { Logger } from 'pino'
import type { Refusal, Route, Verdict } from '../core/decision.js'
import type { Outcome, RequestFacts } from '../core/facts.js'
import { countedLabels, metrics } from '../core/metrics.js'
import { followHead } from './identify.js'
import type { Snapshot, SnapshotGate } from './snapshot.js'

/** How the gates left the request: refused by one of them, or free to go (perhaps already routed). */
export type GateResult =
  | { readonly kind: 'deny'; readonly gate: string; readonly refusal: Refusal }
  | { readonly kind: 'pass'; readonly route: Route<unknown> | undefined }

/** One gate's hold, to be settled when the request ends. */
interface Held {
  readonly gate: SnapshotGate
  readonly hold: unknown
}

const denials = countedLabels(metrics.denials)
const gateErrors = countedLabels(metrics.gateErrors)
const GATE_FAILED: Refusal = Object.freeze({ code: 'SLUICE_ERR_GATE_FAILED' })
const PASSED: GateResult = Object.freeze({ kind: 'pass', route: undefined })

/** The gates' run over one request; `settle` releases or corrects what they held. */
export class GateRun {
  #held: Held[] | undefined
  #route: Route<unknown> | undefined

  constructor(
    private readonly snapshot: Snapshot,
    private readonly facts: RequestFacts,
    private readonly logger: Logger,
  ) {}

  /** Synchronous unless a gate needs I/O (a shared Redis limiter). */
  run(from = 0): GateResult | Promise<GateResult> {
    const { gates, view } = this.snapshot
    for (let i = from; i < gates.length; i++) {
      const entry = gates[i]!
      let verdict: Verdict<unknown> | Promise<Verdict<unknown>>
      try {
        verdict = entry.gate.check(this.facts, view)
      } catch (err) {
        verdict = this.#failed(entry, err)
      }
      if (verdict instanceof Promise) {
        return verdict.then(
          (v) => this.#after(entry, v) ?? this.run(i + 1),
          (err: unknown) => this.#after(entry, this.#failed(entry, err)) ?? this.run(i + 1),
        )
      }
      const ended = this.#after(entry, verdict)
      if (ended !== undefined) return ended
    }
    return this.#route === undefined ? PASSED : { kind: 'pass', route: this.#route }
  }

  /** Settles every hold once, in gate order; one that throws does not keep the others from settling. */
  settle(outcome: Outcome): void {
    const held = this.#held
    if (held === undefined) return
    this.#held = undefined
    for (const { gate, hold } of held) {
      try {
        gate.gate.settle?.(hold, outcome, this.facts)
      } catch (err) {
        this.logger.error({ err, gate: gate.name, requestId: this.facts.requestId }, 'settling a gate failed')
      }
    }
  }

  /** The request's end when the gate refused it, else undefined (go on). */
  #after(entry: SnapshotGate, verdict: Verdict<unknown>): GateResult | undefined {
    if (verdict.hold !== undefined && entry.gate.settle !== undefined) (this.#held ??= []).push({ gate: entry, hold: verdict.hold })
    switch (verdict.kind) {
      case 'pass':
        break
      case 'route':
        // A later gate's plan overrides an earlier one's.
        this.#route = verdict
        break
      case 'deny':
        denials(entry.name, verdict.code).inc()
        return { kind: 'deny', gate: entry.name, refusal: verdict }
    }
    followHead(this.facts)
    return undefined
  }

  #failed(entry: SnapshotGate, err: unknown): Verdict<unknown> {
    gateErrors(entry.name, entry.failMode).inc()
    this.logger.error({ err, gate: entry.name, requestId: this.facts.requestId }, 'gate failed; applying its fail mode')
    return entry.failMode === 'closed' ? { kind: 'deny', ...GATE_FAILED } : { kind: 'pass' }
  }
}
