// An OpenAI-compatible target's chat.completion and chunks (https://platform.openai.com/docs/api-reference/chat):
// already the client's format, so they pass through with `model` set to the virtual model's name.
// Streams to OpenAI targets always ask upstream for usage (unified/to-openai.ts), so Sluice can
// count the tokens; when the client did not ask for it, the usage chunk and the `usage: null` that
// every chunk then carries are left out, as OpenAI would have sent them.
import type { Usage } from '../core/wire.js'
import { openAiUsage as readOpenAiUsage } from '../providers/openai-dialect.js'
import { isObject } from './chunks.js'
import type { ChatCompletion, ChatCompletionChunk, CompletionResult, ResponseContext, StreamTranslator } from './types.js'

/** The `usage` of a chat.completion or of a chunk, read by the OpenAI adapter's own rule. */
export function openAIUsage(container: unknown): Usage | undefined {
  return isObject(container) ? readOpenAiUsage(container.usage) : undefined
}

export function fromOpenAI(body: unknown, context: ResponseContext): CompletionResult {
  if (!isObject(body) || !Array.isArray(body.choices)) return { ok: false, message: 'The OpenAI response has no choices.' }
  return { ok: true, completion: { ...body, model: context.model } as unknown as ChatCompletion }
}

class OpenAIStreamTranslator implements StreamTranslator<unknown> {
  readonly #context: ResponseContext
  #usage: Usage | undefined

  constructor(context: ResponseContext) {
    this.#context = context
  }

  /** One parsed SSE event's data. */
  push(data: unknown): ChatCompletionChunk[] {
    this.#usage = openAIUsage(data) ?? this.#usage
    if (!isObject(data) || !Array.isArray(data.choices)) return []
    const chunk: Record<string, unknown> = { ...data, model: this.#context.model }
    if (!this.#context.includeUsage) {
      if (data.choices.length === 0 && isObject(data.usage)) return []
      delete chunk.usage
    }
    return [chunk as unknown as ChatCompletionChunk]
  }

  end(): ChatCompletionChunk[] {
    return []
  }

  usage(): Usage | undefined {
    return this.#usage
  }
}

export function createOpenAIStreamTranslator(context: ResponseContext): StreamTranslator<unknown> {
  return new OpenAIStreamTranslator(context)
}
