// How a native (passthrough) request goes upstream: first on the target of its own model, then on
// the model's same-dialect alternates from config, each with the request rewritten for its model
// by the adapter (SPEC §9). The upstream's answer is passed through as it is.
import type { Snapshot } from '../config/snapshot.js'
import { nativeChain } from '../models/targets.js'
import type { NativeRequest, Operation, ProviderAdapter } from '../providers/adapter.js'
import type { Target } from '../models/targets.js'
import type { HeldResponse, Leg, Sink } from '../upstream/attempt.js'
import type { ExchangeRoute } from '../upstream/exchange.js'
import { clientHeaders, PassthroughSink } from '../upstream/passthrough.js'
import type { RequestFacts } from './facts.js'
import type { Response } from './respond.js'

export class NativeRoute implements ExchangeRoute {
  readonly targets: readonly Target[]
  readonly dialect: ProviderAdapter
  readonly #first: Leg

  /** `downgradeTo`: a budget downgrade's model (SPEC §8), used when the operation can move to it. */
  constructor(
    snapshot: Snapshot,
    private readonly facts: RequestFacts,
    private readonly res: Response,
    downgradeTo?: string,
  ) {
    const { mount, request, operation } = facts
    this.dialect = mount.adapter
    if (downgradeTo !== undefined) {
      const targets = nativeChain(snapshot.routing, mount, downgradeTo)
      const first = rewrite(targets[0]!, downgradeTo, request, operation)
      if (typeof first !== 'string') {
        this.targets = targets
        this.#first = first
        return
      }
    }
    this.targets = nativeChain(snapshot.routing, mount, operation.model)
    this.#first = { target: this.targets[0]!, request, operation }
  }

  leg(index: number): Leg | string {
    if (index === 0) return this.#first
    const target = this.targets[index]!
    return rewrite(target, target.model, this.facts.request, this.facts.operation)
  }

  sink(leg: Leg, own: Record<string, string>): Sink {
    return new PassthroughSink(this.res, leg, own, this.facts.requestId)
  }

  replay(_leg: Leg, response: HeldResponse, own: Record<string, string>): void {
    const headers = clientHeaders(response.headers, own)
    headers['content-length'] = String(response.body.length)
    this.res.writeHead(response.status, headers)
    this.res.end(response.body)
  }
}

/** The request moved to `model` on `target`'s mount; a string says why it cannot move. */
function rewrite(target: Target, model: string, request: NativeRequest, operation: Operation): Leg | string {
  if (model === operation.model) return { target, request, operation }
  const { adapter } = target.mount
  const rewritten = adapter.withModel(request, operation, model)
  if (rewritten === undefined) return `${operation.name} cannot move to another model`
  const recognised = adapter.recognise(rewritten)
  return recognised.ok ? { target, request: rewritten, operation: recognised.operation } : recognised.detail
}
