// The unified endpoint's translators (docs/unified.md), one per provider type behind one interface
// (UnifiedTranslator in types.ts), looked up by a target's mount type like the
// provider adapters are. Each is pure: its request builder, its answer's JSON reading and
// stream translator, and the framing its streams come in.
import type { TargetParams } from '../core/target.js'
import type { ProviderType } from '../core/wire.js'
import { anthropicMessageUsage, createAnthropicStreamTranslator, fromAnthropic } from './from-anthropic.js'
import { bedrockUsage, createBedrockStreamTranslator, fromBedrock } from './from-bedrock.js'
import { createGeminiStreamTranslator, fromGemini, geminiUsage } from './from-gemini.js'
import { createLlamaStreamTranslator, fromLlama, llamaUsage } from './from-llama.js'
import { createOpenAIStreamTranslator, fromOpenAI, openAIUsage } from './from-openai.js'
import { createJsonResponder, type JsonAnswer } from './respond.js'
import { bedrockParser, createStreamResponder, sseParser, type StreamParser } from './respond-stream.js'
import { toBedrock } from './to-bedrock.js'
import { toGemini } from './to-gemini.js'
import { toLlama } from './to-llama.js'
import { toOpenAI } from './to-openai.js'
import { toVertex, vertexTarget } from './to-vertex.js'
import type { ChatRequest, ResponseContext, StreamTranslator, UnifiedTranslator } from './types.js'

/** A target's params override the client's; `maxTokens` only caps what the client asked for. */
function withParams(chat: ChatRequest, params: TargetParams | undefined): ChatRequest {
  if (params === undefined) return chat
  const maxTokens = params.maxTokens === undefined ? chat.maxTokens : Math.min(params.maxTokens, chat.maxTokens ?? Infinity)
  return { ...chat, temperature: params.temperature ?? chat.temperature, topP: params.topP ?? chat.topP, maxTokens }
}

interface Parts<Event> {
  readonly toNative: UnifiedTranslator['toNative']
  readonly json: JsonAnswer
  readonly createStreamTranslator: (context: ResponseContext) => StreamTranslator<Event>
  readonly parser: StreamParser<Event>
}

function translator<Event>(type: ProviderType, parts: Parts<Event>): UnifiedTranslator {
  const { toNative, json, createStreamTranslator, parser } = parts
  return {
    type,
    toNative,
    responder: (stream, context) => (stream ? createStreamResponder(type, createStreamTranslator(context), parser) : createJsonResponder(type, json, context)),
  }
}

/** Vertex's request builder picks the body by publisher itself; its answers are read by `context.targetModel`'s. */
function byVertexPublisher(google: UnifiedTranslator, anthropic: UnifiedTranslator): UnifiedTranslator {
  return {
    type: 'vertex',
    toNative: google.toNative,
    responder: (stream, context) => {
      const publisher = context.targetModel === undefined ? 'google' : vertexTarget(context.targetModel).publisher
      return (publisher === 'anthropic' ? anthropic : google).responder(stream, context)
    },
  }
}

export const unifiedTranslators: Readonly<Record<ProviderType, UnifiedTranslator>> = {
  // Converse / ConverseStream (AWS event stream).
  bedrock: translator('bedrock', {
    toNative: (chat, model, params) => toBedrock(withParams(chat, params), model),
    json: { from: fromBedrock, usage: bedrockUsage },
    createStreamTranslator: createBedrockStreamTranslator,
    parser: bedrockParser,
  }),
  // generateContent / streamGenerateContent?alt=sse.
  gemini: translator('gemini', {
    toNative: (chat, model, params) => toGemini(withParams(chat, params), model),
    json: { from: fromGemini, usage: geminiUsage },
    createStreamTranslator: createGeminiStreamTranslator,
    parser: sseParser,
  }),
  // Vertex AI's publisher paths: Gemini's body and answers for Google's models, Anthropic's
  // Messages (rawPredict / streamRawPredict) for Claude; the answer's reader goes by the target's model.
  vertex: byVertexPublisher(
    translator('vertex', {
      toNative: (chat, model, params) => toVertex(withParams(chat, params), model),
      json: { from: fromGemini, usage: geminiUsage },
      createStreamTranslator: createGeminiStreamTranslator,
      parser: sseParser,
    }),
    translator('vertex', {
      toNative: (chat, model, params) => toVertex(withParams(chat, params), model),
      json: { from: fromAnthropic, usage: anthropicMessageUsage },
      createStreamTranslator: createAnthropicStreamTranslator,
      parser: sseParser,
    }),
  ),
  // The Llama API's native /v1/chat/completions (SSE without [DONE]).
  llama: translator('llama', {
    toNative: (chat, model, params) => toLlama(withParams(chat, params), model),
    json: { from: fromLlama, usage: llamaUsage },
    createStreamTranslator: createLlamaStreamTranslator,
    parser: sseParser,
  }),
  // Already the client's API: its body goes as sent, with the target's model and params.
  openai: translator('openai', {
    toNative: (_chat, model, params, clientJson) => toOpenAI(clientJson, model, params),
    json: { from: fromOpenAI, usage: openAIUsage },
    createStreamTranslator: createOpenAIStreamTranslator,
    parser: sseParser,
  }),
}
