// Step 1 of the pipeline (docs/config.md, docs/lifecycle.md): the facts every later step reads — the operation and model,
// the client, the evaluation context, and the candidate targets (not yet a choice: steering picks
// after the gates). A native request names its model, so its candidates are that model's target and
// its alternates, and it is pinned to the first; a unified request names a virtual model, whose
// targets are its candidates in the order config lists them.
import type { ErrorCode } from '../core/errors.js'
import type { ClientIdentity, EvaluationContext, RequestFacts } from '../core/facts.js'
import type { Candidate } from '../core/plan.js'
import { nativeChain, type Experiment, type Leg, type Mount, type Target, type VirtualModel } from '../core/target.js'
import type { NativeRequest, Operation } from '../core/wire.js'
import { canonicalModelId } from '../providers/model-id.js'
import { parseJsonObject } from '../providers/request.js'
import { parseChatRequest } from '../unified/index.js'
import { translate, type UnifiedRequest } from '../unified/translate.js'
import type { SluiceHeaders } from './headers.js'
import type { Snapshot } from './snapshot.js'

export type UnifiedParse = { readonly ok: true; readonly request: UnifiedRequest } | { readonly ok: false; readonly code: ErrorCode; readonly detail?: string }

export function parseUnified(snapshot: Snapshot, body: Buffer): UnifiedParse {
  const json = parseJsonObject(body)
  if (json === undefined) return { ok: false, code: 'SLUICE_ERR_REQUEST_MALFORMED' }
  const parsed = parseChatRequest(json)
  if (!parsed.ok) return { ok: false, code: parsed.tooDeep === true ? 'SLUICE_ERR_REQUEST_TOO_DEEP' : 'SLUICE_ERR_REQUEST_INVALID', detail: parsed.message }
  const model = snapshot.routing.models.get(parsed.request.model)
  if (model === undefined) return { ok: false, code: 'SLUICE_ERR_VIRTUAL_MODEL_NOT_FOUND', detail: `Model: ${parsed.request.model}.` }
  return { ok: true, request: { chat: parsed.request, model, json } }
}

/** Who is asking, and when: the parts of the facts that do not depend on the kind of request. */
export interface Arrival {
  readonly requestId: string
  readonly arrivedAt: number
  readonly bodyReadAt: number
  readonly client: ClientIdentity | undefined
  readonly sluiceHeaders: SluiceHeaders
  readonly environment: string
}

/**
 * A native request's facts. Decisions (flags, limits, budgets, the decision record) key on the
 * provider's canonical model id (providers/model-id.ts); what goes upstream is the request as sent.
 */
export function identifyNative(snapshot: Snapshot, arrival: Arrival, mount: Mount, request: NativeRequest, operation: Operation): RequestFacts {
  const canonical = canonicalModelId(mount.config.type, operation.model)
  let chain = nativeChain(snapshot.routing, mount, operation.model)
  if (chain[0]!.model === '*' && canonical !== operation.model) chain = nativeChain(snapshot.routing, mount, canonical)
  // The first candidate is the model the client named, sent as it named it (an inference profile
  // stays one even when its alternates were found by the base model's id); alternates use their own.
  const candidates: Candidate[] = chain.map((target, i) => ({ target, model: i === 0 || target.model === '*' ? operation.model : target.model }))
  const { experiments } = snapshot.routing.native.get(mount.name)!
  // A read (a model list or lookup) is no answer to compare: never an experiment's (or rollout's) request, never credited.
  const experiment = experiments.size === 0 || operation.read === true ? undefined : (experiments.get(operation.model) ?? experiments.get(canonical))
  // Its variants' targets go through the gates too (a kill switch on a variant's model holds), then steering drops them unless routed there.
  if (experiment !== undefined) {
    for (const v of experiment.variants) {
      if (!candidates.some((c) => c.target === v.base && c.model === v.model)) candidates.push({ target: v.base, model: v.model, experimentOnly: true })
    }
  }
  const context = buildContext(arrival, mount, operation, mount.name, canonical)
  return facts(arrival, mount, request, operation, context, undefined, candidates, true, experiment)
}

/**
 * A unified request's facts: its candidates are the virtual model's targets it can be translated
 * for (each translation kept in `legs` for the exchange), and the gates read the first one's
 * native request and operation. A string says why no target can take it.
 */
export function identifyUnified(arrival: Arrival, unified: UnifiedRequest, legs: Map<Target, Leg>): RequestFacts | string {
  return identifyVirtual(arrival, unified.model, (target) => translate(unified, target), legs)
}

/** As identifyUnified, for any unified operation (chat, embeddings): `legFor` translates the request for one target. */
export function identifyVirtual(arrival: Arrival, model: VirtualModel, legFor: (target: Target) => Leg | string, legs: Map<Target, Leg>): RequestFacts | string {
  const candidates: Candidate[] = []
  const reasons: string[] = []
  let first: Leg | undefined
  for (const target of model.targets) {
    const leg = legFor(target)
    if (typeof leg === 'string') {
      reasons.push(`${target.id}: ${leg}`)
      continue
    }
    legs.set(target, leg)
    first ??= leg
    candidates.push({ target, model: target.model })
  }
  if (first === undefined) return reasons.join(' ')
  const { mount } = first.target
  const context = buildContext(arrival, mount, first.operation, model.name, canonicalModelId(mount.config.type, first.operation.model))
  return facts(arrival, mount, first.request, first.operation, context, model, candidates, false)
}

/**
 * A unified request's context names its first remaining candidate (`provider`, `model`), so the
 * gates after the narrowing ones key limits and budgets on a target that may serve it.
 */
export function followHead(facts: RequestFacts): void {
  const head = facts.candidates[0]
  if (facts.virtualModel === undefined || head === undefined) return
  const context = facts.context as { provider: string; model: string }
  const model = canonicalModelId(head.target.mount.config.type, head.model)
  if (context.provider === head.target.mount.name && context.model === model) return
  context.provider = head.target.mount.name
  context.model = model
}

function facts(
  arrival: Arrival,
  mount: Mount,
  request: NativeRequest,
  operation: Operation,
  context: EvaluationContext,
  virtualModel: VirtualModel | undefined,
  candidates: Candidate[],
  pinned: boolean,
  nativeExperiment?: Experiment,
): RequestFacts {
  return {
    requestId: arrival.requestId,
    arrivedAt: arrival.arrivedAt,
    bodyReadAt: arrival.bodyReadAt,
    mount,
    request,
    operation,
    client: arrival.client,
    context,
    virtualModel,
    candidates,
    pinned,
    nativeExperiment,
    forceVariant: arrival.sluiceHeaders.forceVariant,
    responseHeaders: undefined,
    // Present from the start, so that setting them later (pipeline/unified.ts, the guardrails gate)
    // does not give the object a second shape that every reader of facts then has to handle.
    unifiedBody: undefined,
    guardrails: undefined,
  }
}

/**
 * Evaluation context for decisions (docs/config.md), flat as flag targeting reads it (`{"var": "tenant"}`):
 * the known fields, the client's `attributes` from config, and each `x-sluice-attr-<name>` header as
 * attribute `<name>`. Known fields win over attributes, config attributes over headers. `route` is
 * the mount's name for native requests and the virtual model's for unified ones; `model` is the
 * provider's canonical id.
 */
export function buildContext(arrival: Arrival, mount: Mount, operation: Operation, route: string, model: string): EvaluationContext {
  const { client, sluiceHeaders } = arrival
  const context: Record<string, unknown> = {}
  const headerAttributes = sluiceHeaders.attributes
  if (headerAttributes !== undefined) for (const name in headerAttributes) context[name] = headerAttributes[name]
  // Attributes from config are trusted; a header cannot override them.
  if (client !== undefined) for (const name in client.attributes) context[name] = client.attributes[name]
  context.targetingKey = sluiceHeaders.user ?? client?.id ?? ''
  context.tenant = client?.tenant
  context.client = client?.id
  context.provider = mount.name
  context.model = model
  context.operation = operation.name
  context.route = route
  context.stream = operation.stream
  context.environment = arrival.environment
  context.region = mount.config.region
  return context as EvaluationContext
}
