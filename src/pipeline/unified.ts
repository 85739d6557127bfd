// Step 1 for the unified endpoint's operations (docs/unified.md): which operation a path is, and
// the request's facts and legs — the body checked in OpenAI's format, its virtual model looked
// up, and the request translated for each target (identify.ts `identifyVirtual`). Chat
// completions go through the chat translators (upstream/unified-legs.ts), embeddings through the
// embeddings translators (upstream/embeddings-legs.ts).
import type { ErrorCode } from '../core/errors.js'
import type { RequestFacts } from '../core/facts.js'
import type { Leg, Target } from '../core/target.js'
import { adapters } from '../providers/index.js'
import { parseJsonObject } from '../providers/request.js'
import { EMBEDDINGS, parseEmbeddingsRequest, translateEmbeddings, type UnifiedEmbeddingsRequest } from '../unified/embeddings/index.js'
import { CHAT_COMPLETIONS } from '../unified/translate.js'
import { EmbeddingsLegs } from '../upstream/embeddings-legs.js'
import type { Legs } from '../upstream/exchange.js'
import { UnifiedLegs } from '../upstream/unified-legs.js'
import { identifyUnified, identifyVirtual, parseUnified, type Arrival } from './identify.js'
import type { Snapshot } from './snapshot.js'

export type UnifiedOperation = 'chat' | 'embeddings'

/** The unified operation at `path` (the data plane's path, outside every mount), if any. */
export function unifiedOperation(path: string): UnifiedOperation | undefined {
  return path === CHAT_COMPLETIONS ? 'chat' : path === EMBEDDINGS ? 'embeddings' : undefined
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
  return operation === 'chat' ? startChat(snapshot, arrival, body, clock) : startEmbeddings(snapshot, arrival, body)
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

/** The legs of a chat request whose body a guardrail redacted: every candidate gets the redacted body. */
export function redactedLegs(snapshot: Snapshot, redacted: Buffer, requestId: string, clock: () => number): Legs | { readonly code: ErrorCode; readonly detail?: string } {
  const parsed = parseUnified(snapshot, redacted)
  if (!parsed.ok) return parsed
  return new UnifiedLegs(adapters.openai, parsed.request, requestId, new Map(), clock)
}
