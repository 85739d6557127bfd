// Which body shape an operation's request and answer have, from the provider type and the
// operation name its adapter recognised. Bedrock's InvokeModel body is the model's own format, so
// it is told by the model id, read through ARNs and cross-region prefixes as Bedrock accepts it.
import type { ProviderType } from '../../../core/wire.js'
import type { BodyKind } from './types.js'

/** Operations that carry text to check; the rest (embeddings, token counts) have none. */
const BY_OPERATION: Readonly<Record<ProviderType, Readonly<Record<string, BodyKind>>>> = {
  openai: { 'chat.completions': 'openai-chat', responses: 'openai-responses' },
  // The native API has its own shape; `/compat/v1/` speaks OpenAI's.
  llama: { 'chat.completions': 'llama', 'compat.chat.completions': 'openai-chat' },
  gemini: { generateContent: 'gemini', streamGenerateContent: 'gemini' },
  // Anthropic on Vertex takes InvokeModel's Anthropic body and streams Anthropic's own SSE events.
  vertex: { generateContent: 'gemini', streamGenerateContent: 'gemini', rawPredict: 'anthropic', streamRawPredict: 'anthropic' },
  bedrock: { converse: 'bedrock-converse', 'converse-stream': 'bedrock-converse' },
}

// arn:aws[-partition]:bedrock:<region>:<account>:<resource-type>/<id>; the id may carry a
// cross-region prefix (`us.`, `eu.`, `apac.`, `global.` …) before the vendor.
const ARN = /^arn:aws[a-z-]*:bedrock:[^:]*:[^:]*:[a-z-]+\//
const REGION_PREFIX = /^[a-z-]+\.(?=(?:anthropic|meta|amazon)\.)/

/**
 * Amazon Nova's image, video and speech models take other bodies than `messages-v1`
 * (taskType/textToImageParams, a video task, a bidirectional stream); only its text models are Nova text.
 */
const NOVA_NOT_TEXT = /^amazon\.nova-(?:canvas|reel|sonic)/

function invokeKind(model: string): BodyKind | undefined {
  const id = model.toLowerCase().replace(ARN, '').replace(REGION_PREFIX, '')
  if (id.startsWith('anthropic.')) return 'bedrock-anthropic'
  if (id.startsWith('meta.')) return 'bedrock-llama'
  if (id.startsWith('amazon.nova')) return NOVA_NOT_TEXT.test(id) ? undefined : 'bedrock-nova'
  if (id.startsWith('amazon.titan-text')) return 'bedrock-titan'
  return undefined
}

/** The body shape of `operation` on a provider of `providerType`; undefined when it has no text to check. */
export function bodyKind(providerType: ProviderType, operation: string, model: string): BodyKind | undefined {
  if (providerType === 'bedrock' && (operation === 'invoke' || operation === 'invoke-stream')) return invokeKind(model)
  const table = BY_OPERATION[providerType]
  return table !== undefined && Object.hasOwn(table, operation) ? table[operation] : undefined
}
