// A unified embeddings request in one target's native API (docs/unified.md#embeddings): the
// checked OpenAI body translated by the target's provider type's embeddings translator
// (translators.ts), and recognised by the target's adapter like any native request, so budgets,
// rate limits and metrics see the native operation (`invoke`, `embedContent`, `embeddings`).
import type { IncomingHttpHeaders } from 'node:http'
import type { Leg, Target, VirtualModel } from '../../core/target.js'
import type { NativeRequest } from '../../core/wire.js'
import type { EmbeddingsRequest } from './request.js'
import { embeddingsTranslators } from './translators.js'

export const EMBEDDINGS = '/v1/embeddings'

const NATIVE_HEADERS: IncomingHttpHeaders = Object.freeze({ 'content-type': 'application/json' })

export interface UnifiedEmbeddingsRequest {
  readonly embeddings: EmbeddingsRequest
  readonly model: VirtualModel
}

/** The client's request in `target`'s native API; a string says why it cannot be. */
export function translateEmbeddings(request: UnifiedEmbeddingsRequest, target: Target): Leg | string {
  const native = embeddingsTranslators[target.mount.config.type].toNative(request.embeddings, target.model)
  if (!native.ok) return native.message
  const nativeRequest: NativeRequest = { method: 'POST', path: native.path, query: '', headers: NATIVE_HEADERS, body: Buffer.from(JSON.stringify(native.body)) }
  const recognised = target.mount.adapter.recognise(nativeRequest)
  return recognised.ok ? { target, request: nativeRequest, operation: recognised.operation } : recognised.detail
}
