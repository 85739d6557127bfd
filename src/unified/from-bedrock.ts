// Bedrock Converse response and ConverseStream events → OpenAI chat completion and chunks
// (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStream.html).
// Bedrock counts cache reads and writes apart from `inputTokens`; they are added back, as OpenAI's
// `prompt_tokens` counts every prompt token (same rule as providers/bedrock-usage.ts).
import type { Usage } from '../core/wire.js'
import { tokenCount } from '../providers/request.js'
import { count } from '../providers/usage.js'
import { buildCompletion, ChunkWriter, isObject } from './chunks.js'
import type { ChatCompletionChunk, CompletionResult, FinishReason, ResponseContext, StreamTranslator, ToolCall } from './types.js'

/** One decoded event-stream message: its `:event-type` header and its JSON payload. */
export interface BedrockStreamEvent {
  readonly type: string
  readonly payload: unknown
}

const FINISH: Readonly<Record<string, FinishReason>> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  guardrail_intervened: 'content_filter',
  content_filtered: 'content_filter',
}

export function bedrockFinishReason(stopReason: unknown): FinishReason {
  return (typeof stopReason === 'string' ? FINISH[stopReason] : undefined) ?? 'stop'
}

/**
 * The `usage` of a Converse answer or of ConverseStream's `metadata` event, read as
 * providers/bedrock-usage.ts reads it (translators.test.ts holds the two to the same numbers).
 */
export function bedrockUsage(container: unknown): Usage | undefined {
  const value = isObject(container) ? container.usage : undefined
  if (!isObject(value)) return undefined
  const input = tokenCount(value.inputTokens)
  const output = tokenCount(value.outputTokens)
  if (input === undefined && output === undefined) return undefined
  const cached = count(value.cacheReadInputTokens)
  return { inputTokens: (input ?? 0) + cached + count(value.cacheWriteInputTokens), outputTokens: output ?? 0, cachedTokens: cached, reasoningTokens: 0 }
}

/** A content block index; 0 when absent or malformed. */
function blockIndex(value: unknown): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : 0
}

export function fromBedrock(body: unknown, context: ResponseContext): CompletionResult {
  const message = isObject(body) && isObject(body.output) ? body.output.message : undefined
  if (!isObject(body) || !isObject(message) || !Array.isArray(message.content)) {
    return { ok: false, message: 'The Bedrock Converse response has no output.message.content.' }
  }
  let text = ''
  const toolCalls: ToolCall[] = []
  for (const block of message.content) {
    if (!isObject(block)) continue
    if (typeof block.text === 'string') text += block.text
    const use = block.toolUse
    if (isObject(use) && typeof use.toolUseId === 'string' && typeof use.name === 'string') {
      toolCalls.push({ id: use.toolUseId, type: 'function', function: { name: use.name, arguments: JSON.stringify(use.input ?? {}) } })
    }
    // reasoningContent, citations and other block kinds have no Chat Completions field.
  }
  return { ok: true, completion: buildCompletion(context, text, toolCalls, bedrockFinishReason(body.stopReason), bedrockUsage(body)) }
}

class BedrockStreamTranslator implements StreamTranslator<BedrockStreamEvent> {
  readonly #writer: ChunkWriter
  /** Content block index → OpenAI tool call index. */
  readonly #tools = new Map<number, number>()
  #usage: Usage | undefined

  constructor(context: ResponseContext) {
    this.#writer = new ChunkWriter(context)
  }

  push({ type, payload }: BedrockStreamEvent): ChatCompletionChunk[] {
    if (!isObject(payload)) return []
    switch (type) {
      case 'messageStart':
        return this.#writer.start()
      case 'contentBlockStart': {
        const use = isObject(payload.start) ? payload.start.toolUse : undefined
        if (!isObject(use) || typeof use.toolUseId !== 'string' || typeof use.name !== 'string') return []
        const index = this.#tools.size
        this.#tools.set(blockIndex(payload.contentBlockIndex), index)
        return this.#writer.toolCall({ index, id: use.toolUseId, type: 'function', function: { name: use.name, arguments: '' } })
      }
      case 'contentBlockDelta': {
        const delta = payload.delta
        if (!isObject(delta)) return []
        if (typeof delta.text === 'string') return this.#writer.text(delta.text)
        const index = this.#tools.get(blockIndex(payload.contentBlockIndex))
        if (isObject(delta.toolUse) && typeof delta.toolUse.input === 'string' && index !== undefined) {
          return this.#writer.toolCall({ index, function: { arguments: delta.toolUse.input } })
        }
        return []
      }
      case 'messageStop':
        return [...this.#writer.finish(bedrockFinishReason(payload.stopReason)), ...this.#flushUsage()]
      case 'metadata':
        this.#usage = bedrockUsage(payload) ?? this.#usage
        return this.#flushUsage()
      default:
        return []
    }
  }

  #flushUsage(): ChatCompletionChunk[] {
    return this.#usage === undefined ? [] : this.#writer.usage(this.#usage)
  }

  end(): ChatCompletionChunk[] {
    return this.#flushUsage()
  }

  usage(): Usage | undefined {
    return this.#usage
  }
}

export function createBedrockStreamTranslator(context: ResponseContext): StreamTranslator<BedrockStreamEvent> {
  return new BedrockStreamTranslator(context)
}
