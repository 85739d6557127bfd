// A unified request in one target's native API (docs/unified.md): the OpenAI chat body translated by the
// target's provider type's translator (translators.ts), with the target's forced parameters
// applied, and recognised by the target's adapter like any native request.
import type { IncomingHttpHeaders } from 'node:http'
import type { Leg, Target, VirtualModel } from '../core/target.js'
import type { NativeRequest } from '../core/wire.js'
import type { JsonObject } from '../providers/request.js'
import { unifiedTranslators } from './translators.js'
import type { ChatRequest } from './types.js'

export { CHAT_COMPLETIONS } from './to-openai.js'

/** Translated requests carry only what the target's API needs; client headers stay behind. */
const NATIVE_HEADERS: IncomingHttpHeaders = Object.freeze({ 'content-type': 'application/json' })

export interface UnifiedRequest {
  readonly chat: ChatRequest
  readonly model: VirtualModel
  /** The client's body, for OpenAI targets (sent as it is, with the target's model). */
  readonly json: JsonObject
}

/** The client's request in `target`'s native API; a string says why it cannot be. */
export function translate(request: UnifiedRequest, target: Target): Leg | string {
  const native = unifiedTranslators[target.mount.config.type].toNative(request.chat, target.model, target.params, request.json)
  if (!native.ok) return native.message
  // A translator's path may carry a query (Gemini's `?alt=sse`); a NativeRequest holds it apart.
  const q = native.path.indexOf('?')
  const path = q === -1 ? native.path : native.path.slice(0, q)
  const query = q === -1 ? '' : native.path.slice(q + 1)
  const nativeRequest: NativeRequest = { method: 'POST', path, query, headers: NATIVE_HEADERS, body: Buffer.from(JSON.stringify(native.body)) }
  const recognised = target.mount.adapter.recognise(nativeRequest)
  return recognised.ok ? { target, request: nativeRequest, operation: recognised.operation } : recognised.detail
}
