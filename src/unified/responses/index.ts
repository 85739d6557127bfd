// Unified `POST /v1/responses` (docs/unified.md#responses): `parseResponsesRequest` rewrites an
// OpenAI Responses body as the Chat Completions body the chat translators take;
// `responseFromCompletion` and `ResponsesStream` render the translated chat answer back as a
// Response object or Responses events.
export { parseResponsesRequest, type ResponsesEcho, type ResponsesParse } from './request.js'
export { responseFromCompletion, type ResponseIdentity } from './respond.js'
export { ResponsesStream } from './stream.js'

export const RESPONSES = '/v1/responses'
