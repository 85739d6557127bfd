// A gate module (docs/lifecycle.md): a name, a fail-mode default, a builder from the
// snapshot's inputs, a synchronous-unless-I/O `check` that returns a verdict, an optional `settle`
// that runs once after the request ends (streamed, refused or aborted) with what `check` held,
// and an optional response-side hook that wraps the sink (output guardrails). gates/registry.ts
// lists the modules in pipeline order (docs/lifecycle.md); the pipeline runner (pipeline/gates.ts) applies fail modes.
import type { Sink } from './channel.js'
import type { Verdict } from './decision.js'
import type { EvaluationContext, Outcome, RequestFacts } from './facts.js'
import type { RoutePlan } from './plan.js'
import type { Leg } from './target.js'

/** What a gate does when it throws: `closed` refuses (SLUICE_ERR_GATE_FAILED), `open` lets the request on. */
export type FailMode = 'open' | 'closed'

/** What every gate may read of the snapshot besides its own state. */
export interface GateView {
  /** A boolean flag's value for this context (counted in metrics); `defaultValue` on any evaluation error. */
  flag(key: string, defaultValue: boolean, context: EvaluationContext): boolean
  /** A string flag's value for this context (counted); `defaultValue` on any evaluation error. */
  variant(key: string, defaultValue: string, context: EvaluationContext): string
  /**
   * A plan that sends the request to `model` on its first candidate's provider, the other
   * candidates following as fallbacks; undefined when the request cannot move there.
   */
  retarget(facts: RequestFacts, model: string): RoutePlan | undefined
}

/** One snapshot's instance of a gate. `H` is what `check` holds for `settle`. */
export interface GateCheck<H = never> {
  check(facts: RequestFacts, view: GateView): Verdict<H> | Promise<Verdict<H>>
  settle?(hold: H, outcome: Outcome, facts: RequestFacts): void
  /** Wraps the sink of a committed answer from `leg` (response-side checks); return `sink` to leave it alone. */
  wrapSink?(sink: Sink, facts: RequestFacts, leg: Leg): Sink
}

export interface GateModule<Inputs> {
  /** Stable name: metric label, log field, and the key under `gates:` in config. */
  readonly name: string
  readonly failMode: FailMode
  /** This snapshot's instance, or undefined when config gives the gate nothing to check. */
  build(inputs: Inputs): GateCheck<any> | undefined
}
