// The text a request sends, by body kind: every system prompt, message, tool-call argument and
// tool result string with its JSON path. Undefined when the body is not of the kind's shape (or
// nests a tool value deeper than collect.ts reads), so the caller applies its fail mode.
import { converseRequest, anthropicRequest, novaRequest, promptRequest } from './request-bedrock.js'
import { chatRequest, responsesRequest } from './request-openai.js'
import { geminiRequest } from './gemini.js'
import type { BodyKind, RequestText } from './types.js'

export function requestText(kind: BodyKind, body: unknown): RequestText | undefined {
  switch (kind) {
    case 'openai-chat':
    case 'llama':
      return chatRequest(body)
    case 'openai-responses':
      return responsesRequest(body)
    case 'bedrock-converse':
      return converseRequest(body)
    case 'bedrock-anthropic':
    case 'anthropic':
      return anthropicRequest(body)
    case 'bedrock-llama':
      return promptRequest(body, 'prompt')
    case 'bedrock-nova':
      return novaRequest(body)
    case 'bedrock-titan':
      return promptRequest(body, 'inputText')
    case 'gemini':
      return geminiRequest(body)
    default:
      return undefined
  }
}
