// The vocabulary of guardrail text extraction: which body shape a request or answer has, and each
// string found in it with its JSON path (so a redaction can be written back) and its speaker.
/** Which body shape a request or answer has. */
export type BodyKind =
  | 'openai-chat' // OpenAI /v1/chat/completions (also the unified endpoint and Llama's OpenAI-compatible API)
  | 'openai-responses' // OpenAI /v1/responses
  | 'bedrock-converse' // Converse and ConverseStream
  | 'bedrock-anthropic' // InvokeModel with an Anthropic messages body
  | 'anthropic' // Anthropic messages on Vertex AI (rawPredict, streamRawPredict): InvokeModel's body, answered over SSE
  | 'bedrock-llama' // InvokeModel with a Meta Llama prompt body
  | 'bedrock-nova' // InvokeModel with an Amazon Nova messages body
  | 'bedrock-titan' // InvokeModel with an Amazon Titan text body
  | 'gemini' // generateContent / streamGenerateContent
  | 'llama' // Llama API native /v1/chat/completions

export type Role = 'system' | 'user' | 'assistant' | 'tool'

/** A JSON path of object keys and array indexes, from the body's root. */
export type TextPath = readonly (string | number)[]

/** One string in the body: where it is (a JSON path of keys and indexes) and who said it. Tool-call arguments count (role 'assistant' or 'tool'). */
export interface TextSegment {
  readonly path: TextPath
  readonly text: string
  readonly role: Role
}

export interface RequestText {
  readonly segments: readonly TextSegment[]
  /** Messages/turns in the request (system prompt not counted). */
  readonly messages: number
}

/** A string to write at `path` (a path `requestText` or `answerText` reported). */
export interface TextReplacement {
  readonly path: TextPath
  readonly text: string
}
