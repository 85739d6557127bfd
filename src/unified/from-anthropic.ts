// Anthropic Messages answers (rawPredict's message, streamRawPredict's SSE events) → OpenAI chat
// completion and chunks (https://docs.anthropic.com/en/api/messages-streaming). Usage is read with
// the Vertex adapter's own reader of a message's `usage` (providers/vertex-anthropic.ts), so the
// client and the decision log see the adapter's numbers: cache reads and writes count as prompt
// tokens. In a stream the prompt's counts come in message_start, the output in message_delta.
import type { Usage } from '../core/wire.js'
import { tokenCount } from '../providers/request.js'
import { anthropicUsage } from '../providers/vertex-anthropic.js'
import { buildCompletion, ChunkWriter, isObject } from './chunks.js'
import type { ChatCompletionChunk, CompletionResult, FinishReason, ResponseContext, StreamTranslator, ToolCall } from './types.js'

const FINISH: Readonly<Record<string, FinishReason>> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  pause_turn: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
}

export function anthropicFinishReason(stopReason: unknown): FinishReason {
  return (typeof stopReason === 'string' ? FINISH[stopReason] : undefined) ?? 'stop'
}

/** The usage of a whole message, as the adapter's JSON reader reads it. */
export function anthropicMessageUsage(body: unknown): Usage | undefined {
  return isObject(body) ? anthropicUsage(body.usage) : undefined
}

export function fromAnthropic(body: unknown, context: ResponseContext): CompletionResult {
  if (isObject(body) && body.type === 'error') {
    const error = isObject(body.error) ? body.error : {}
    return { ok: false, message: `${String(error.type ?? 'error')}: ${String(error.message ?? 'the answer is an error')}` }
  }
  if (!isObject(body) || !Array.isArray(body.content)) return { ok: false, message: 'The Anthropic message has no content array.' }
  let text = ''
  const toolCalls: ToolCall[] = []
  for (const block of body.content) {
    if (!isObject(block)) continue
    if (block.type === 'text' && typeof block.text === 'string') text += block.text
    if (block.type === 'tool_use' && typeof block.id === 'string' && typeof block.name === 'string') {
      toolCalls.push({ id: block.id, type: 'function', function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) } })
    }
    // thinking, redacted_thinking and server-tool blocks have no Chat Completions field.
  }
  return { ok: true, completion: buildCompletion(context, text, toolCalls, anthropicFinishReason(body.stop_reason), anthropicMessageUsage(body)) }
}

/** A content block index; -1 when absent or malformed (then no tool call matches it). */
function blockIndex(value: unknown): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : -1
}

class AnthropicStreamTranslator implements StreamTranslator<unknown> {
  readonly #writer: ChunkWriter
  /** Content block index → OpenAI tool call index. */
  readonly #tools = new Map<number, number>()
  #input: Usage | undefined
  #output: number | undefined

  constructor(context: ResponseContext) {
    this.#writer = new ChunkWriter(context)
  }

  /** One event's data; its `type` names it (the SSE `event:` line says the same). */
  push(event: unknown): ChatCompletionChunk[] {
    if (!isObject(event)) return []
    switch (event.type) {
      case 'message_start':
        this.#read(isObject(event.message) ? event.message.usage : undefined)
        return this.#writer.start()
      case 'content_block_start':
        return this.#blockStart(blockIndex(event.index), event.content_block)
      case 'content_block_delta':
        return this.#delta(blockIndex(event.index), event.delta)
      case 'message_delta': {
        this.#read(event.usage)
        const stop = isObject(event.delta) ? event.delta.stop_reason : undefined
        return typeof stop === 'string' ? this.#writer.finish(anthropicFinishReason(stop)) : []
      }
      case 'message_stop':
        return this.#flushUsage()
      default:
        // ping, content_block_stop and events added later carry nothing to translate.
        return []
    }
  }

  #blockStart(index: number, block: unknown): ChatCompletionChunk[] {
    if (!isObject(block)) return []
    if (block.type === 'text' && typeof block.text === 'string') return this.#writer.text(block.text)
    if (block.type !== 'tool_use' || typeof block.id !== 'string' || typeof block.name !== 'string') return []
    const call = this.#tools.size
    this.#tools.set(index, call)
    // The arguments follow as input_json_delta; `input` here is the empty object placeholder.
    return this.#writer.toolCall({ index: call, id: block.id, type: 'function', function: { name: block.name, arguments: '' } })
  }

  #delta(index: number, delta: unknown): ChatCompletionChunk[] {
    if (!isObject(delta)) return []
    if (delta.type === 'text_delta' && typeof delta.text === 'string') return this.#writer.text(delta.text)
    const call = this.#tools.get(index)
    if (delta.type === 'input_json_delta' && typeof delta.partial_json === 'string' && call !== undefined && delta.partial_json !== '') {
      return this.#writer.toolCall({ index: call, function: { arguments: delta.partial_json } })
    }
    // thinking_delta, signature_delta and citations_delta have no Chat Completions field.
    return []
  }

  /** As the adapter's stream reader: the prompt's counts where stated, the last output count. */
  #read(value: unknown): void {
    const usage = anthropicUsage(value)
    if (usage === undefined || !isObject(value)) return
    if (tokenCount(value.input_tokens) !== undefined) this.#input = usage
    if (tokenCount(value.output_tokens) !== undefined) this.#output = usage.outputTokens
  }

  #flushUsage(): ChatCompletionChunk[] {
    const usage = this.usage()
    return usage === undefined ? [] : this.#writer.usage(usage)
  }

  end(): ChatCompletionChunk[] {
    return this.#flushUsage()
  }

  usage(): Usage | undefined {
    if (this.#input === undefined && this.#output === undefined) return undefined
    const base = this.#input ?? { inputTokens: 0, outputTokens: 0, cachedTokens: 0, reasoningTokens: 0 }
    return { ...base, outputTokens: this.#output ?? base.outputTokens }
  }
}

export function createAnthropicStreamTranslator(context: ResponseContext): StreamTranslator<unknown> {
  return new AnthropicStreamTranslator(context)
}
