// The unified endpoint's identify step and route (SPEC §3): `POST /v1/chat/completions` names a
// virtual model; a target is picked by weight among those not killed or switched off, the request
// is translated to its native API, and the others follow as fallbacks in the order config lists
// them. Answers come back in OpenAI's format (upstream/unified-sink.ts).
import type { IncomingHttpHeaders } from 'node:http'
import type { Snapshot } from '../config/snapshot.js'
import type { ErrorCode } from '../errors.js'
import { targetBlocked } from '../gates/kill-switch/gate.js'
import { nativeChain, pickByWeight, type Target, type VirtualModel } from '../models/targets.js'
import type { TargetParams } from '../models/schema.js'
import type { NativeRequest, ProviderAdapter } from '../providers/adapter.js'
import { adapters } from '../providers/index.js'
import { isObject, parseJsonObject, type JsonObject } from '../providers/request.js'
import { parseChatRequest, toBedrock, toGemini, toLlama, type ChatRequest, type NativeRequestResult, type ResponseContext } from '../unified/index.js'
import type { HeldResponse, Leg, Sink } from '../upstream/attempt.js'
import type { ExchangeRoute } from '../upstream/exchange.js'
import { replayError, UnifiedSink } from '../upstream/unified-sink.js'
import type { EvaluationContext } from './facts.js'
import type { Response } from './respond.js'

export const CHAT_COMPLETIONS = '/v1/chat/completions'

/** Translated requests carry only what the target's API needs; client headers stay behind. */
const NATIVE_HEADERS: IncomingHttpHeaders = Object.freeze({ 'content-type': 'application/json' })

export interface UnifiedRequest {
  readonly chat: ChatRequest
  readonly model: VirtualModel
  /** The client's body, for OpenAI targets (sent as it is, with the target's model). */
  readonly json: JsonObject
}

export type UnifiedParse = { readonly ok: true; readonly request: UnifiedRequest } | { readonly ok: false; readonly code: ErrorCode; readonly detail?: string }

export function parseUnified(snapshot: Snapshot, body: Buffer): UnifiedParse {
  const json = parseJsonObject(body)
  if (json === undefined) return { ok: false, code: 'SLUICE_ERR_REQUEST_MALFORMED' }
  const parsed = parseChatRequest(json)
  if (!parsed.ok) return { ok: false, code: 'SLUICE_ERR_REQUEST_INVALID', detail: parsed.message }
  const model = snapshot.routing.models.get(parsed.request.model)
  if (model === undefined) return { ok: false, code: 'SLUICE_ERR_VIRTUAL_MODEL_NOT_FOUND', detail: `Model: ${parsed.request.model}.` }
  return { ok: true, request: { chat: parsed.request, model, json } }
}

/**
 * The targets in the order they are tried: the weighted pick first, then the rest as listed. The
 * context is the request's, with `provider` and `model` set to each candidate's while it is checked.
 */
export function orderTargets(snapshot: Snapshot, model: VirtualModel, context: EvaluationContext, random: number): Target[] {
  const probe = context as { provider: string; model: string }
  const usable = (target: Target): boolean => {
    probe.provider = target.mount.name
    probe.model = target.model
    return !targetBlocked(snapshot, target, context)
  }
  const first = pickByWeight(model, usable, random)
  const targets = model.targets
  const ordered = [targets[first]!]
  for (let i = 0; i < targets.length; i++) if (i !== first) ordered.push(targets[i]!)
  probe.provider = ordered[0]!.mount.name
  probe.model = ordered[0]!.model
  return ordered
}

/** The client's request in `target`'s native API; a string says why it cannot be. */
export function translate(request: UnifiedRequest, target: Target): Leg | string {
  const chat = target.params === undefined ? request.chat : withParams(request.chat, target.params)
  let native: NativeRequestResult
  switch (target.mount.config.type) {
    case 'bedrock':
      native = toBedrock(chat, target.model)
      break
    case 'gemini':
      native = toGemini(chat, target.model)
      break
    case 'llama':
      native = toLlama(chat, target.model)
      break
    case 'openai':
      native = { ok: true, path: CHAT_COMPLETIONS, body: openAiBody(request.json, target.model, target.params) }
      break
  }
  if (!native.ok) return native.message
  // A translator's path may carry a query (Gemini's `?alt=sse`); a NativeRequest holds it apart.
  const q = native.path.indexOf('?')
  const path = q === -1 ? native.path : native.path.slice(0, q)
  const query = q === -1 ? '' : native.path.slice(q + 1)
  const nativeRequest: NativeRequest = { method: 'POST', path, query, headers: NATIVE_HEADERS, body: Buffer.from(JSON.stringify(native.body)) }
  const recognised = target.mount.adapter.recognise(nativeRequest)
  return recognised.ok ? { target, request: nativeRequest, operation: recognised.operation } : recognised.detail
}

function withParams(chat: ChatRequest, params: TargetParams): ChatRequest {
  const maxTokens = params.maxTokens === undefined ? chat.maxTokens : Math.min(params.maxTokens, chat.maxTokens ?? Infinity)
  return { ...chat, temperature: params.temperature ?? chat.temperature, topP: params.topP ?? chat.topP, maxTokens }
}

/**
 * The client's body for an OpenAI target. A stream always asks for usage, so Sluice counts its
 * tokens; the chunk is dropped again when the client did not ask (unified/from-openai.ts).
 */
function openAiBody(json: JsonObject, model: string, params: TargetParams | undefined): JsonObject {
  const body: JsonObject = { ...json, model }
  if (body.stream === true) body.stream_options = { ...(isObject(body.stream_options) ? body.stream_options : {}), include_usage: true }
  if (params?.temperature !== undefined) body.temperature = params.temperature
  if (params?.topP !== undefined) body.top_p = params.topP
  if (params?.maxTokens !== undefined) {
    const asked = typeof body.max_completion_tokens === 'number' ? body.max_completion_tokens : typeof body.max_tokens === 'number' ? body.max_tokens : Infinity
    body.max_completion_tokens = Math.min(params.maxTokens, asked)
    delete body.max_tokens
  }
  return body
}

export class UnifiedRoute implements ExchangeRoute {
  readonly dialect: ProviderAdapter = adapters.openai
  readonly #context: ResponseContext

  constructor(
    public targets: readonly Target[],
    private first: Leg,
    private readonly request: UnifiedRequest,
    private readonly res: Response,
    private readonly requestId: string,
  ) {
    const { chat } = request
    this.#context = { id: `chatcmpl-${requestId}`, model: chat.model, clock: Date.now, includeUsage: chat.includeUsage }
  }

  leg(index: number): Leg | string {
    return index === 0 ? this.first : translate(this.request, this.targets[index]!)
  }

  /**
   * A budget `downgrade` (SPEC §8): the first target's provider with the cheaper model, when the
   * request translates for it; the fallbacks stay. Returns this route, changed or not.
   */
  downgrade(snapshot: Snapshot, model: string | undefined): this {
    if (model === undefined) return this
    const { mount } = this.first.target
    const chained = nativeChain(snapshot.routing, mount, model)[0]!
    // An undeclared model shares the provider-wide target (model `*`) and its circuit.
    const target = chained.model === model ? chained : { ...chained, model }
    const leg = translate(this.request, target)
    if (typeof leg === 'string') return this
    this.first = leg
    this.targets = [target, ...this.targets.slice(1)]
    return this
  }

  sink(leg: Leg, own: Record<string, string>): Sink {
    return new UnifiedSink(this.res, leg, own, this.#context, this.requestId)
  }

  replay(leg: Leg, response: HeldResponse, own: Record<string, string>): void {
    replayError(this.res, leg, response, own, this.requestId)
  }
}
