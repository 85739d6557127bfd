// How a unified embeddings request goes upstream (docs/unified.md#embeddings): on each candidate
// of its plan, the client's OpenAI embeddings request translated to that target's native API;
// answers come back as OpenAI's embeddings response (embeddings-sink.ts).
import type { ClientChannel, Sink } from '../core/channel.js'
import type { Candidate } from '../core/plan.js'
import type { Leg, Target } from '../core/target.js'
import type { Dialect } from '../core/wire.js'
import { translateEmbeddings, type UnifiedEmbeddingsRequest } from '../unified/embeddings/index.js'
import type { HeldResponse } from './attempt.js'
import { EmbeddingsSink } from './embeddings-sink.js'
import type { Legs } from './exchange.js'
import { replayError } from './unified-sink.js'

export class EmbeddingsLegs implements Legs {
  constructor(
    readonly dialect: Dialect,
    private readonly request: UnifiedEmbeddingsRequest,
    private readonly requestId: string,
    /** Translations made while identifying the request, by target. */
    private readonly translated: ReadonlyMap<Target, Leg>,
    private readonly bytesPerToken: number,
  ) {}

  leg({ target }: Candidate): Leg | string {
    return this.translated.get(target) ?? translateEmbeddings(this.request, target)
  }

  sink(leg: Leg, own: Record<string, string>, channel: ClientChannel): Sink {
    return new EmbeddingsSink(channel, leg, own, this.request.embeddings, this.requestId, this.bytesPerToken)
  }

  replay(leg: Leg, response: HeldResponse, own: Record<string, string>, channel: ClientChannel): void {
    replayError(channel, leg, response, own, this.requestId)
  }
}
