// Gate 11, shadow traffic (docs/shadow.md): a sampled request is mirrored to its shadow targets
// once its own answer has ended, so the client never waits for a shadow. The mirror is a second
// exchange over the discarding client channel, on a plan holding the shadow target alone — no
// retries, no fallbacks, its own deadline; a stream is read to the end and dropped. It skips the
// client's gates (its rate limits and budgets); its spend goes to the `shadow` budget scope.
// Fail-open: whatever goes wrong ends the mirror and is counted, never the client's request.
import type { Logger } from 'pino'
import type { ClientChannel, Sink } from '../core/channel.js'
import { ownOutcome, type Outcome, type RequestFacts } from '../core/facts.js'
import type { Candidate, RoutePlan } from '../core/plan.js'
import type { ShadowRoute } from '../core/shadow.js'
import type { Leg } from '../core/target.js'
import type { ResilienceConfig } from '../resilience/schema.js'
import { DiscardChannel } from '../upstream/channel.js'
import { Exchange, type Legs } from '../upstream/exchange.js'
import type { HeldResponse } from '../upstream/attempt.js'
import type { Snapshot } from './snapshot.js'

/** The shadows this request is to be mirrored on; undefined (nothing allocated) for most requests. */
export function shadowsFor(snapshot: Snapshot, facts: RequestFacts, virtualModel: string | undefined): ShadowRoute[] | undefined {
  const { shadows } = snapshot
  // A read (a model list or lookup) is not a model's answer to compare, and would only spend the shadow budget.
  if (!shadows.any || facts.operation.read === true) return undefined
  const routes = virtualModel !== undefined ? shadows.models.get(virtualModel) : shadows.native.get(facts.mount.name)?.get(facts.operation.model)
  if (routes === undefined) return undefined
  let wanted: ShadowRoute[] | undefined
  for (const route of routes) if (route.wants(facts.context)) (wanted ??= []).push(route)
  return wanted
}

export interface MirrorDeps {
  readonly logger: Logger
  readonly now: () => number
  readonly random: () => number
}

const unwrapped = (sink: Sink): Sink => sink

/** One pre-built leg through the request's own legs (their sink and replay write to the discarding channel). */
class ShadowLegs implements Legs {
  constructor(
    private readonly legs: Legs,
    private readonly built: Leg,
  ) {}

  get dialect(): Legs['dialect'] {
    return this.legs.dialect
  }

  leg(): Leg {
    return this.built
  }

  sink(leg: Leg, own: Record<string, string>, channel: ClientChannel): Sink {
    return this.legs.sink(leg, own, channel)
  }

  replay(leg: Leg, response: HeldResponse, own: Record<string, string>, channel: ClientChannel): void {
    this.legs.replay(leg, response, own, channel)
  }
}

/** Starts the mirrors of a request whose answer has ended; returns at once. */
export function mirror(deps: MirrorDeps, snapshot: Snapshot, facts: RequestFacts, legs: Legs, primary: Outcome, routes: readonly ShadowRoute[]): void {
  for (const route of routes) {
    try {
      start(deps, snapshot.config.resilience, facts, legs, primary, route)
    } catch (err) {
      deps.logger.error({ err, requestId: facts.requestId, shadow: route.id }, 'shadow mirror failed to start')
    }
  }
}

function start(deps: MirrorDeps, resilience: ResilienceConfig, facts: RequestFacts, legs: Legs, primary: Outcome, route: ShadowRoute): void {
  const candidate: Candidate = { target: route.target, model: route.target.model }
  const leg = legs.leg(candidate, 0)
  if (typeof leg === 'string') return route.skip('untranslatable')
  const admission = route.admit(facts)
  if (admission === undefined) return
  // Its own clock: the deadline runs from now, not from the client's arrival.
  const shadowFacts: RequestFacts = { ...facts, bodyReadAt: deps.now(), candidates: [candidate], responseHeaders: undefined }
  try {
    startExchange(deps, resilience, shadowFacts, new ShadowLegs(legs, leg), route, (outcome) => admission.settle(primary, outcome))
  } catch (err) {
    // Its slot and reservation are given back: a mirror that never ran costs nothing.
    admission.settle(primary, NOT_SENT)
    throw err
  }
}

/** The outcome a mirror that never went out settles with. */
const NOT_SENT = ownOutcome(0, 'SLUICE_ERR_INTERNAL', 'error')

function startExchange(deps: MirrorDeps, resilience: ResilienceConfig, facts: RequestFacts, legs: Legs, route: ShadowRoute, done: (outcome: Outcome) => void): void {
  const candidate = facts.candidates[0]!
  const plan: RoutePlan = { candidates: [candidate], by: 'shadow', tags: undefined, credit: undefined }
  new Exchange({
    facts,
    plan,
    legs,
    channel: new DiscardChannel(),
    resilience: { ...resilience, retries: { ...resilience.retries, maxRetries: 0, deadlineMs: route.timeoutMs } },
    logger: deps.logger,
    now: deps.now,
    random: deps.random,
    wrapSink: unwrapped,
    done,
  }).start()
}
