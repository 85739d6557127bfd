// Writing OpenAI `chat.completion` objects and `chat.completion.chunk` streams
// (https://platform.openai.com/docs/api-reference/chat-streaming). A stream opens with a chunk
// carrying `role`, then content / tool-call deltas, one chunk with `finish_reason`, and with
// `stream_options.include_usage` a last chunk whose `choices` is empty and which carries `usage`.
import type { Usage } from '../core/wire.js'
import type { ChatCompletion, ChatCompletionChunk, ChunkDelta, CompletionUsage, FinishReason, ResponseContext, ToolCall, ToolCallDelta } from './types.js'

export const SSE_DONE = 'data: [DONE]\n\n'

export function sseLine(chunk: ChatCompletionChunk): string {
  return `data: ${JSON.stringify(chunk)}\n\n`
}

/**
 * Sluice's usage (core/wire.ts) as OpenAI reports it: the units agree — cached tokens inside
 * `prompt_tokens`, reasoning inside `completion_tokens` — so the client sees what Sluice counts.
 */
function completionUsage(usage: Usage): CompletionUsage {
  const { inputTokens, outputTokens, cachedTokens, reasoningTokens } = usage
  const out: CompletionUsage = { prompt_tokens: inputTokens, completion_tokens: outputTokens, total_tokens: inputTokens + outputTokens }
  if (cachedTokens > 0) out.prompt_tokens_details = { cached_tokens: cachedTokens }
  if (reasoningTokens > 0) out.completion_tokens_details = { reasoning_tokens: reasoningTokens }
  return out
}

export function buildCompletion(
  context: ResponseContext,
  text: string,
  toolCalls: ToolCall[],
  finishReason: FinishReason,
  usage: Usage | undefined,
): ChatCompletion {
  const message: ChatCompletion['choices'][0]['message'] = { role: 'assistant', content: text === '' && toolCalls.length > 0 ? null : text, refusal: null }
  if (toolCalls.length > 0) message.tool_calls = toolCalls
  const completion: ChatCompletion = {
    id: context.id,
    object: 'chat.completion',
    created: Math.floor(context.clock() / 1000),
    model: context.model,
    choices: [{ index: 0, message, finish_reason: finishReason, logprobs: null }],
  }
  if (usage !== undefined) completion.usage = completionUsage(usage)
  return completion
}

/** Keeps the order a client expects: role first, finish once, usage once and last. */
export class ChunkWriter {
  readonly #context: ResponseContext
  readonly #created: number
  #started = false
  #finished = false
  #usageSent = false

  constructor(context: ResponseContext) {
    this.#context = context
    this.#created = Math.floor(context.clock() / 1000)
  }

  get finished(): boolean {
    return this.#finished
  }

  #chunk(delta: ChunkDelta, finishReason: FinishReason | null): ChatCompletionChunk {
    return {
      id: this.#context.id,
      object: 'chat.completion.chunk',
      created: this.#created,
      model: this.#context.model,
      choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }],
    }
  }

  /** The opening chunk, once; later calls return nothing. */
  start(): ChatCompletionChunk[] {
    if (this.#started) return []
    this.#started = true
    return [this.#chunk({ role: 'assistant', content: '' }, null)]
  }

  text(text: string): ChatCompletionChunk[] {
    if (text === '' || this.#finished) return []
    return [...this.start(), this.#chunk({ content: text }, null)]
  }

  toolCall(delta: ToolCallDelta): ChatCompletionChunk[] {
    if (this.#finished) return []
    return [...this.start(), this.#chunk({ tool_calls: [delta] }, null)]
  }

  finish(reason: FinishReason): ChatCompletionChunk[] {
    if (this.#finished) return []
    const out = this.start()
    this.#finished = true
    out.push(this.#chunk({}, reason))
    return out
  }

  /** The usage chunk, if the client asked for it; only after the finish chunk. */
  usage(usage: Usage): ChatCompletionChunk[] {
    if (!this.#context.includeUsage || this.#usageSent || !this.#finished) return []
    this.#usageSent = true
    return [{ id: this.#context.id, object: 'chat.completion.chunk', created: this.#created, model: this.#context.model, choices: [], usage: completionUsage(usage) }]
  }
}

export const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

