// How a unified Responses request goes upstream (docs/unified.md#responses): as the Chat
// Completions request it was rewritten to (unified-legs.ts, every target type's chat
// translator), its answer written through a channel that renders it as the Responses API's.
import type { ClientChannel, Sink } from '../core/channel.js'
import type { Candidate } from '../core/plan.js'
import type { Leg } from '../core/target.js'
import type { ResponseIdentity, ResponsesEcho } from '../unified/responses/index.js'
import type { HeldResponse } from './attempt.js'
import type { Legs } from './exchange.js'
import { ResponsesChannel } from './responses-channel.js'

export class ResponsesLegs implements Legs {
  constructor(
    /** The chat legs of the rewritten request. */
    readonly chat: Legs,
    readonly identity: ResponseIdentity,
    readonly echo: ResponsesEcho,
  ) {}

  get dialect(): Legs['dialect'] {
    return this.chat.dialect
  }

  leg(candidate: Candidate, index: number): Leg | string {
    return this.chat.leg(candidate, index)
  }

  sink(leg: Leg, own: Record<string, string>, channel: ClientChannel): Sink {
    return this.chat.sink(leg, own, new ResponsesChannel(channel, this.identity, this.echo))
  }

  replay(leg: Leg, response: HeldResponse, own: Record<string, string>, channel: ClientChannel): void {
    this.chat.replay(leg, response, own, channel)
  }
}
