// OpenAI chat request → Vertex AI generateContent / streamGenerateContent for one of Google's
// models: the Gemini API's body (to-gemini.ts) on the publisher-model path. The project and
// location are the provider's own, set when the request goes upstream (providers/vertex-auth.ts),
// so the path here names none. Partner models (Anthropic's rawPredict) are not translated.
import { canonicalVertexModel, vertexPublisher } from '../providers/vertex-path.js'
import { toGemini } from './to-gemini.js'
import type { ChatRequest, NativeRequestResult } from './types.js'

export function toVertex(request: ChatRequest, model: string): NativeRequestResult {
  // A target may name the model in any form Vertex accepts (`publishers/google/models/…`).
  const target = vertexPublisher(canonicalVertexModel(model))
  if (target.publisher !== 'google') {
    return { ok: false, message: `The unified endpoint serves only Google's models on Vertex AI; ${model} is a ${target.publisher} model.` }
  }
  const gemini = toGemini(request, target.model)
  if (!gemini.ok) return gemini
  const method = gemini.path.slice(gemini.path.lastIndexOf(':'))
  return { ok: true, path: `/v1/publishers/google/models/${encodeURIComponent(target.model)}${method}`, body: gemini.body }
}
