// How a unified-endpoint request goes upstream (docs/unified.md): on each candidate of its plan, the
// client's OpenAI request translated to that target's native API; answers come back in OpenAI's
// format (upstream/unified-sink.ts).
import type { ClientChannel, Sink } from '../core/channel.js'
import type { Candidate } from '../core/plan.js'
import type { Leg, Target } from '../core/target.js'
import type { Dialect } from '../core/wire.js'
import { translate, type UnifiedRequest } from '../unified/translate.js'
import type { ResponseContext } from '../unified/index.js'
import type { HeldResponse } from './attempt.js'
import type { Legs } from './exchange.js'
import { replayError, UnifiedSink } from './unified-sink.js'

export class UnifiedLegs implements Legs {
  readonly #context: ResponseContext

  constructor(
    readonly dialect: Dialect,
    private readonly request: UnifiedRequest,
    private readonly requestId: string,
    /** Translations made while identifying the request, by target. */
    private readonly translated: ReadonlyMap<Target, Leg>,
    clock: () => number,
  ) {
    const { chat } = request
    this.#context = { id: `chatcmpl-${requestId}`, model: chat.model, clock, includeUsage: chat.includeUsage }
  }

  leg({ target }: Candidate): Leg | string {
    return this.translated.get(target) ?? translate(this.request, target)
  }

  sink(leg: Leg, own: Record<string, string>, channel: ClientChannel): Sink {
    return new UnifiedSink(channel, leg, own, { ...this.#context, targetModel: leg.target.model }, this.requestId)
  }

  replay(leg: Leg, response: HeldResponse, own: Record<string, string>, channel: ClientChannel): void {
    replayError(channel, leg, response, own, this.requestId)
  }
}
