// OpenAI chat request → Vertex AI, by the target model's publisher: Google's models take the
// Gemini API's body (to-gemini.ts) on generateContent / streamGenerateContent, Anthropic's take
// the Messages body (to-anthropic.ts) on rawPredict / streamRawPredict. The project and location
// are the provider's own, set when the request goes upstream (providers/vertex-auth.ts), so the
// path here names none. Other partner publishers are not translated.
import { canonicalVertexModel, vertexPublisher } from '../providers/vertex-path.js'
import { toAnthropicMessages } from './to-anthropic.js'
import { toGemini } from './to-gemini.js'
import type { ChatRequest, NativeRequestResult } from './types.js'

/** The publisher and model segment of a target's model, in any form Vertex accepts (`publishers/google/models/…`). */
export function vertexTarget(model: string): { readonly publisher: string; readonly model: string } {
  return vertexPublisher(canonicalVertexModel(model))
}

export function toVertex(request: ChatRequest, model: string): NativeRequestResult {
  const target = vertexTarget(model)
  // `@` (Claude's version separator) is a path character; Anthropic's Vertex SDK sends it as is.
  const resource = `/v1/publishers/${target.publisher}/models/${encodeURIComponent(target.model).replaceAll('%40', '@')}`
  if (target.publisher === 'anthropic') {
    const messages = toAnthropicMessages(request)
    if (!messages.ok) return messages
    return { ok: true, path: `${resource}:${request.stream ? 'streamRawPredict' : 'rawPredict'}`, body: messages.body }
  }
  if (target.publisher !== 'google') {
    return { ok: false, message: `The unified endpoint serves only Google's and Anthropic's models on Vertex AI; ${model} is a ${target.publisher} model.` }
  }
  // Bare ids name Google's models; Claude's would go to publishers/google and be a 404 there.
  if (target.model.startsWith('claude-')) {
    return { ok: false, message: `${model} names no Google model; Anthropic's models on Vertex AI are named anthropic/${target.model}.` }
  }
  const gemini = toGemini(request, target.model)
  if (!gemini.ok) return gemini
  const method = gemini.path.slice(gemini.path.lastIndexOf(':'))
  return { ok: true, path: `${resource}${method}`, body: gemini.body }
}
