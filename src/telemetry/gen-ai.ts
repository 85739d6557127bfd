// OpenTelemetry GenAI semantic-convention values shared by the gen_ai_* metrics and the trace
// spans: gen_ai.provider.name from the provider's type (never its config name), gen_ai.operation.name
// from the adapter's operation. Two fixed tables, so both stay bounded.
import type { ProviderType } from '../core/wire.js'

/**
 * gen_ai.provider.name: the conventions' well-known values. They list none for Meta's Llama API,
 * so `meta` is used as a custom value (allowed when no well-known value fits).
 */
export const GEN_AI_PROVIDER: Readonly<Record<ProviderType, string>> = {
  openai: 'openai',
  bedrock: 'aws.bedrock',
  gemini: 'gcp.gemini',
  vertex: 'gcp.vertex_ai',
  llama: 'meta',
}

/** gen_ai.operation.name for each adapter operation; any other (count tokens, model reads) keeps its own name. */
const GEN_AI_OPERATION: Readonly<Record<string, string>> = {
  'chat.completions': 'chat',
  'compat.chat.completions': 'chat',
  responses: 'chat',
  converse: 'chat',
  'converse-stream': 'chat',
  rawPredict: 'chat',
  streamRawPredict: 'chat',
  invoke: 'text_completion',
  'invoke-stream': 'text_completion',
  generateContent: 'generate_content',
  streamGenerateContent: 'generate_content',
  embeddings: 'embeddings',
  embedContent: 'embeddings',
  batchEmbedContents: 'embeddings',
}

export function genAiOperation(name: string): string {
  return GEN_AI_OPERATION[name] ?? name
}
