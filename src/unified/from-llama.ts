// Llama API native response and stream events → OpenAI chat completion and chunks
// (llama-api-client `resources/chat/chat.d.ts`). Token counts come as `metrics`
// (`num_prompt_tokens`, `num_completion_tokens`); the stream is SSE events
// `{event: {event_type: start | progress | complete | metrics, delta, stop_reason, metrics}}` and
// has no `[DONE]`. Tool call deltas carry no index: a delta with a new id opens the next call.
import type { Usage } from '../core/wire.js'
import { llamaMetrics } from '../providers/llama.js'
import { buildCompletion, ChunkWriter, isObject } from './chunks.js'
import type { ChatCompletionChunk, CompletionResult, FinishReason, ResponseContext, StreamTranslator, ToolCall } from './types.js'

export function llamaFinishReason(stopReason: unknown): FinishReason {
  return stopReason === 'length' || stopReason === 'tool_calls' ? stopReason : 'stop'
}

/**
 * The `metrics` of a native answer or stream event, read as providers/llama.ts reads them (the same function).
 */
export function llamaUsage(container: unknown): Usage | undefined {
  return isObject(container) ? llamaMetrics(container.metrics) : undefined
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content
  return isObject(content) && typeof content.text === 'string' ? content.text : ''
}

export function fromLlama(body: unknown, context: ResponseContext): CompletionResult {
  const message = isObject(body) ? body.completion_message : undefined
  if (!isObject(body) || !isObject(message)) return { ok: false, message: 'The Llama response has no completion_message.' }
  const toolCalls: ToolCall[] = []
  for (const call of Array.isArray(message.tool_calls) ? message.tool_calls : []) {
    const fn = isObject(call) ? call.function : undefined
    if (!isObject(call) || typeof call.id !== 'string' || !isObject(fn) || typeof fn.name !== 'string') continue
    toolCalls.push({ id: call.id, type: 'function', function: { name: fn.name, arguments: typeof fn.arguments === 'string' ? fn.arguments : '{}' } })
  }
  const finish = llamaFinishReason(message.stop_reason)
  return { ok: true, completion: buildCompletion(context, textOf(message.content), toolCalls, finish, llamaUsage(body)) }
}

class LlamaStreamTranslator implements StreamTranslator<unknown> {
  readonly #writer: ChunkWriter
  #toolIndex = -1
  #toolId: string | undefined
  #usage: Usage | undefined

  constructor(context: ResponseContext) {
    this.#writer = new ChunkWriter(context)
  }

  /** One parsed SSE event's data. */
  push(data: unknown): ChatCompletionChunk[] {
    const event = isObject(data) ? data.event : undefined
    if (!isObject(event)) return []
    const out = event.event_type === 'start' ? this.#writer.start() : []
    const delta = event.delta
    if (isObject(delta) && delta.type === 'text' && typeof delta.text === 'string') out.push(...this.#writer.text(delta.text))
    if (isObject(delta) && delta.type === 'tool_call' && isObject(delta.function)) out.push(...this.#toolCall(delta, delta.function))
    if (event.event_type === 'complete') out.push(...this.#writer.finish(llamaFinishReason(event.stop_reason)))
    const usage = llamaUsage(event)
    if (usage !== undefined) {
      this.#usage = usage
      out.push(...this.#writer.usage(usage))
    }
    return out
  }

  #toolCall(delta: Record<string, unknown>, fn: Record<string, unknown>): ChatCompletionChunk[] {
    const id = typeof delta.id === 'string' ? delta.id : undefined
    const args = typeof fn.arguments === 'string' ? fn.arguments : ''
    if (id !== undefined && id !== this.#toolId) {
      this.#toolId = id
      this.#toolIndex++
      const name = typeof fn.name === 'string' ? fn.name : ''
      return this.#writer.toolCall({ index: this.#toolIndex, id, type: 'function', function: { name, arguments: args } })
    }
    if (this.#toolIndex < 0 || args === '') return []
    return this.#writer.toolCall({ index: this.#toolIndex, function: { arguments: args } })
  }

  /** Metrics that came before the finish are still owed. */
  end(): ChatCompletionChunk[] {
    return this.#usage === undefined ? [] : this.#writer.usage(this.#usage)
  }

  usage(): Usage | undefined {
    return this.#usage
  }
}

export function createLlamaStreamTranslator(context: ResponseContext): StreamTranslator<unknown> {
  return new LlamaStreamTranslator(context)
}
