// The unified endpoint's translators (docs/unified.md): `parseChatRequest` checks the OpenAI body;
// `unifiedTranslators` holds one UnifiedTranslator per provider type — `toNative` builds the
// native request, `responder` translates a native 2xx answer (JSON or stream) back and reads its
// usage on the way; `translate` makes a target's leg from the client's request.
// `translateUpstreamError` renders a native non-2xx answer, `renderUnifiedStreamFailure` a stream
// that broke after it started.
export type * from './types.js'
export { parseChatRequest, type ParseResult } from './parse-request.js'
export { unifiedTranslators } from './translators.js'
export { CHAT_COMPLETIONS, translate, type UnifiedRequest } from './translate.js'
export { SSE_DONE, sseLine } from './chunks.js'
export { MAX_JSON_RESPONSE_BYTES } from './respond.js'
export { renderUnifiedStreamFailure } from './respond-stream.js'
export { translateUpstreamError } from './upstream-error.js'
