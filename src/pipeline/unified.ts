// Step 1 for the unified endpoint's operations (docs/unified.md): which operation a path is, and
// the request's facts and legs — the body checked in OpenAI's format, its virtual model looked
// up, and the request translated for each target (identify.ts `identifyVirtual`). Chat
// completions go through the chat translators (upstream/unified-legs.ts), embeddings through the
// embeddings translators (upstream/embeddings-legs.ts); a Responses request is rewritten as a
// chat request and its answer rendered back (upstream/responses-legs.ts).
import type { ErrorCode } from '../core/errors.js'
import type { RequestFacts } from '../core/facts.js'
import type { Leg, Target } from '../core/target.js'
import { adapters } from '../providers/index.js'
import { parseJsonObject } from '../providers/request.js'
import { EMBEDDINGS, parseEmbeddingsRequest, translateEmbeddings, type UnifiedEmbeddingsRequest } from '../unified/embeddings/index.js'
import { parseResponsesRequest, RESPONSES } from '../unified/responses/index.js'
import { CHAT_COMPLETIONS } from '../unified/translate.js'
import { EmbeddingsLegs } from '../upstream/embeddings-legs.js'
import type { Legs } from '../upstream/exchange.js'
import { ResponsesLegs } from '../upstream/responses-legs.js'
import { UnifiedLegs } from '../upstream/unified-legs.js'
import { identifyUnified, identifyVirtual, parseUnified, type Arrival } from './identify.js'
import type { Snapshot } from './snapshot.js'

export type UnifiedOperation = 'chat' | 'embeddings' | 'responses'

const OPERATIONS: ReadonlyMap<string, UnifiedOperation> = new Map([
  [CHAT_COMPLETIONS, 'chat'],
  [EMBEDDINGS, 'embeddings'],
  [RESPONSES, 'responses'],
])

/** The unified operation at `path` (the data plane's path, outside every mount), if any. */
export function unifiedOperation(path: string): UnifiedOperation | undefined {
  return OPERATIONS.get(path)
}

export type UnifiedStart =
  | {
      readonly ok: true
      readonly facts: RequestFacts
      readonly legs: Legs
      /** The virtual model's name (the request's `route`). */
      readonly route: string
      /** What `facts.unifiedBody` was set to: a guardrail that redacts replaces it. */
      readonly unifiedBody: Buffer | undefined
    }
  /** `model`: the virtual model the client named, once known (metrics and the decision record). */
  | { readonly ok: false; readonly code: ErrorCode; readonly detail?: string; readonly model?: string }

/** The facts and legs of a unified request, or why it is refused. */
export function startUnified(snapshot: Snapshot, arrival: Arrival, operation: UnifiedOperation, body: Buffer, clock: () => number): UnifiedStart {
  if (operation === 'embeddings') return startEmbeddings(snapshot, arrival, body)
  return operation === 'chat' ? startChat(snapshot, arrival, body, clock) : startResponses(snapshot, arrival, body, clock)
}

function startResponses(snapshot: Snapshot, arrival: Arrival, body: Buffer, clock: () => number): UnifiedStart {
  const json = parseJsonObject(body)
  if (json === undefined) return { ok: false, code: 'SLUICE_ERR_REQUEST_MALFORMED' }
  const parsed = parseResponsesRequest(json)
  if (!parsed.ok) return { ok: false, code: 'SLUICE_ERR_REQUEST_INVALID', detail: parsed.message }
  // From here on it is a chat request (guardrails read it as one, too); only its answer differs.
  const chat = startChat(snapshot, arrival, Buffer.from(JSON.stringify(parsed.chat)), clock)
  if (!chat.ok) return chat
  const identity = { id: `resp_${arrival.requestId.replaceAll('-', '')}`, createdAt: Math.floor(clock() / 1000) }
  return { ...chat, legs: new ResponsesLegs(chat.legs, identity, parsed.echo) }
}

function startChat(snapshot: Snapshot, arrival: Arrival, body: Buffer, clock: () => number): UnifiedStart {
  const parsed = parseUnified(snapshot, body)
  if (!parsed.ok) return parsed
  const { request } = parsed
  const translated = new Map<Target, Leg>()
  const facts = identifyUnified(arrival, request, translated)
  if (typeof facts === 'string') return { ok: false, code: 'SLUICE_ERR_TRANSLATION_UNSUPPORTED', detail: facts, model: request.chat.model }
  facts.unifiedBody = body
  const legs = new UnifiedLegs(adapters.openai, request, arrival.requestId, translated, clock)
  return { ok: true, facts, legs, route: request.model.name, unifiedBody: body }
}

function startEmbeddings(snapshot: Snapshot, arrival: Arrival, body: Buffer): UnifiedStart {
  const json = parseJsonObject(body)
  if (json === undefined) return { ok: false, code: 'SLUICE_ERR_REQUEST_MALFORMED' }
  const parsed = parseEmbeddingsRequest(json)
  if (!parsed.ok) return { ok: false, code: 'SLUICE_ERR_REQUEST_INVALID', detail: parsed.message }
  const embeddings = parsed.request
  const model = snapshot.routing.models.get(embeddings.model)
  if (model === undefined) return { ok: false, code: 'SLUICE_ERR_VIRTUAL_MODEL_NOT_FOUND', detail: `Model: ${embeddings.model}.` }
  const request: UnifiedEmbeddingsRequest = { embeddings, model }
  const translated = new Map<Target, Leg>()
  const facts = identifyVirtual(arrival, model, (target) => translateEmbeddings(request, target), translated)
  if (typeof facts === 'string') return { ok: false, code: 'SLUICE_ERR_TRANSLATION_UNSUPPORTED', detail: facts, model: embeddings.model }
  // No `unifiedBody`: the guardrails read the native request, and an embedding carries no text they check.
  const legs = new EmbeddingsLegs(adapters.openai, request, arrival.requestId, translated, snapshot.config.budgets.estimate.bytesPerToken)
  return { ok: true, facts, legs, route: model.name, unifiedBody: undefined }
}

/**
 * The legs of a chat request (or a Responses request, by `legs`) whose chat body a guardrail
 * redacted: every candidate gets the redacted body.
 */
export function redactedLegs(
  snapshot: Snapshot,
  legs: Legs,
  redacted: Buffer,
  requestId: string,
  clock: () => number,
): Legs | { readonly code: ErrorCode; readonly detail?: string } {
  const parsed = parseUnified(snapshot, redacted)
  if (!parsed.ok) return parsed
  const chat = new UnifiedLegs(adapters.openai, parsed.request, requestId, new Map(), clock)
  return legs instanceof ResponsesLegs ? new ResponsesLegs(chat, legs.identity, legs.echo) : chat
}
