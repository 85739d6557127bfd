// Where the text is in every dialect: pure, never-throwing readers over parsed JSON bodies that
// guardrails use to find what a request sends and an answer returns, and to write redactions back.
export { bodyKind } from './body-kind.js'
export { requestText } from './request-text.js'
export { answerText } from './answer-text.js'
export { eventText, streamText } from './stream-text.js'
export { chatAnswerText, chunkMemo, type ChunkMemo } from './chat-json.js'
export { withText } from './with-text.js'
export type { BodyKind, RequestText, Role, TextPath, TextReplacement, TextSegment } from './types.js'
