// The unified endpoint's translators (SPEC §3), pure and per provider: `parseChatRequest` checks
// the OpenAI body, `to*` builds the native request, `from*` maps a native JSON response, and
// `create*StreamTranslator` maps parsed native stream events to chunks one at a time.
// `createUnifiedResponder` drives them over a native body's bytes; `translateUpstreamError` renders
// a native non-2xx answer, `renderUnifiedStreamFailure` a stream that broke after it started.
export type * from './types.js'
export { parseChatRequest, type ParseResult } from './parse-request.js'
export { toBedrock } from './to-bedrock.js'
export { toGemini } from './to-gemini.js'
export { toLlama } from './to-llama.js'
export { fromBedrock, createBedrockStreamTranslator, bedrockFinishReason, type BedrockStreamEvent } from './from-bedrock.js'
export { fromGemini, createGeminiStreamTranslator, geminiFinishReason } from './from-gemini.js'
export { fromLlama, createLlamaStreamTranslator, llamaFinishReason } from './from-llama.js'
export { fromOpenAI, createOpenAIStreamTranslator } from './from-openai.js'
export { SSE_DONE, sseLine } from './chunks.js'
export { createUnifiedResponder, MAX_JSON_RESPONSE_BYTES, type UnifiedProvider, type UnifiedResponder } from './respond.js'
export { renderUnifiedStreamFailure } from './respond-stream.js'
export { translateUpstreamError, type UpstreamProvider } from './upstream-error.js'
