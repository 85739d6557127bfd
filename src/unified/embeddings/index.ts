// Unified `POST /v1/embeddings` (docs/unified.md#embeddings): `parseEmbeddingsRequest` checks the
// OpenAI body, `translateEmbeddings` makes a target's leg, `embeddingsAnswer` renders a native
// 2xx answer as OpenAI's embeddings response.
export { parseEmbeddingsRequest, type EmbeddingsRequest } from './request.js'
export { EMBEDDINGS, translateEmbeddings, type UnifiedEmbeddingsRequest } from './translate.js'
export { embeddingsAnswer } from './respond.js'
