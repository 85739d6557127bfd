// How a native (passthrough) request goes upstream: on each candidate of its plan — its own
// model's target, then the model's same-dialect alternates, or a budget downgrade's model — with
// the request rewritten for that candidate's model (and a native experiment variant's params) by
// the adapter (docs/resilience.md). The upstream's answer
// is passed through as it is.
import type { ClientChannel, Sink } from '../core/channel.js'
import type { RequestFacts } from '../core/facts.js'
import type { Candidate } from '../core/plan.js'
import type { Leg } from '../core/target.js'
import type { NativeRequest } from '../core/wire.js'
import type { HeldResponse } from './attempt.js'
import type { Legs } from './exchange.js'
import { clientHeaders, PassthroughSink } from './passthrough.js'
import { UsageStripSink } from './usage-strip-sink.js'

export class NativeLegs implements Legs {
  constructor(private readonly facts: RequestFacts) {}

  get dialect(): RequestFacts['mount']['adapter'] {
    return this.facts.mount.adapter
  }

  /** Legs whose request Sluice asked usage for (Dialect.withStreamUsage); created when first needed. */
  #askedUsage: WeakSet<Leg> | undefined

  /** The candidate's leg, asking for usage where the client's request would get none. */
  leg(candidate: Candidate): Leg | string {
    const leg = this.#moved(candidate)
    if (typeof leg === 'string' || !leg.operation.stream) return leg
    const asking = leg.target.mount.adapter.withStreamUsage?.(leg.request, leg.operation)
    if (asking === undefined) return leg
    const asked: Leg = { ...leg, request: asking }
    ;(this.#askedUsage ??= new WeakSet()).add(asked)
    return asked
  }

  /** The request moved to the candidate's model on its mount; a string says why it cannot move. */
  #moved({ target, model, params }: Candidate): Leg | string {
    const { request, operation } = this.facts
    if (model === operation.model && params === undefined) return { target, request, operation }
    const { adapter } = target.mount
    let rewritten: NativeRequest | undefined = request
    if (model !== operation.model) rewritten = adapter.withModel(request, operation, model)
    if (rewritten === undefined) return `${operation.name} cannot move to another model`
    // An experiment variant's params, in the dialect's own fields.
    if (params !== undefined) rewritten = adapter.withParams(rewritten, operation, params)
    if (rewritten === undefined) return `${operation.name} has no place for the variant's params`
    const recognised = adapter.recognise(rewritten)
    return recognised.ok ? { target, request: rewritten, operation: recognised.operation } : recognised.detail
  }

  sink(leg: Leg, own: Record<string, string>, channel: ClientChannel): Sink {
    const sink = new PassthroughSink(channel, leg, own, this.facts.requestId)
    return this.#askedUsage?.has(leg) === true ? new UsageStripSink(sink) : sink
  }

  replay(_leg: Leg, response: HeldResponse, own: Record<string, string>, channel: ClientChannel): void {
    const headers = clientHeaders(response.headers, own)
    headers['content-length'] = String(response.body.length)
    channel.replay(response.status, headers, response.body)
  }
}
