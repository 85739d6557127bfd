// Gemini GenerateContentResponse (whole, or one per streamed chunk) → OpenAI chat completion and
// chunks (https://ai.google.dev/api/generate-content#v1beta.GenerateContentResponse). Gemini gives
// function calls whole, usually without ids, and finishes them with STOP: the ids are made from
// the response id and the finish reason becomes `tool_calls`. Thought parts are not forwarded.
import type { Usage } from '../core/wire.js'
import { geminiUsage as usageOfMetadata } from '../providers/gemini.js'
import { buildCompletion, ChunkWriter, isObject } from './chunks.js'
import type { ChatCompletionChunk, CompletionResult, FinishReason, ResponseContext, StreamTranslator, ToolCall } from './types.js'

const FINISH: Readonly<Record<string, FinishReason>> = {
  STOP: 'stop',
  MAX_TOKENS: 'length',
  SAFETY: 'content_filter',
  RECITATION: 'content_filter',
  BLOCKLIST: 'content_filter',
  PROHIBITED_CONTENT: 'content_filter',
  SPII: 'content_filter',
  IMAGE_SAFETY: 'content_filter',
}

export function geminiFinishReason(finishReason: unknown, calledTools: boolean): FinishReason {
  const reason = (typeof finishReason === 'string' ? FINISH[finishReason] : undefined) ?? 'stop'
  return reason === 'stop' && calledTools ? 'tool_calls' : reason
}

/**
 * The `usageMetadata` of a GenerateContentResponse (whole, or one streamed chunk), read as
 * providers/gemini.ts reads it (the same function).
 */
export function geminiUsage(response: unknown): Usage | undefined {
  return isObject(response) ? usageOfMetadata(response.usageMetadata) : undefined
}

interface Parts {
  text: string
  calls: { id: string | undefined; name: string; arguments: string }[]
}

function partsOf(candidate: unknown): Parts {
  const out: Parts = { text: '', calls: [] }
  const content = isObject(candidate) ? candidate.content : undefined
  if (!isObject(content) || !Array.isArray(content.parts)) return out
  for (const part of content.parts) {
    if (!isObject(part) || part.thought === true) continue
    if (typeof part.text === 'string') out.text += part.text
    const call = part.functionCall
    if (isObject(call) && typeof call.name === 'string') {
      out.calls.push({ id: typeof call.id === 'string' ? call.id : undefined, name: call.name, arguments: JSON.stringify(call.args ?? {}) })
    }
  }
  return out
}

const callId = (context: ResponseContext, index: number): string => `call_${index}_${context.id}`

export function fromGemini(body: unknown, context: ResponseContext): CompletionResult {
  if (!isObject(body)) return { ok: false, message: 'The Gemini response is not a JSON object.' }
  const usage = geminiUsage(body)
  const candidate = Array.isArray(body.candidates) ? body.candidates[0] : undefined
  if (!isObject(candidate)) {
    // A blocked prompt answers 200 with promptFeedback.blockReason and no candidates.
    const blocked = isObject(body.promptFeedback) && body.promptFeedback.blockReason !== undefined
    if (blocked) return { ok: true, completion: buildCompletion(context, '', [], 'content_filter', usage) }
    return { ok: false, message: 'The Gemini response has no candidates.' }
  }
  const { text, calls } = partsOf(candidate)
  const toolCalls = calls.map((call, i): ToolCall => ({ id: call.id ?? callId(context, i), type: 'function', function: { name: call.name, arguments: call.arguments } }))
  return { ok: true, completion: buildCompletion(context, text, toolCalls, geminiFinishReason(candidate.finishReason, toolCalls.length > 0), usage) }
}

class GeminiStreamTranslator implements StreamTranslator<unknown> {
  readonly #context: ResponseContext
  readonly #writer: ChunkWriter
  #toolCalls = 0
  #usage: Usage | undefined

  constructor(context: ResponseContext) {
    this.#context = context
    this.#writer = new ChunkWriter(context)
  }

  /** One parsed chunk of `streamGenerateContent` (an SSE event's data or a JSON-array element). */
  push(event: unknown): ChatCompletionChunk[] {
    if (!isObject(event)) return []
    // Usage is cumulative on every chunk; the last one is final, so it is written at the end.
    this.#usage = geminiUsage(event) ?? this.#usage
    const candidate = Array.isArray(event.candidates) ? event.candidates[0] : undefined
    if (!isObject(candidate)) {
      const blocked = isObject(event.promptFeedback) && event.promptFeedback.blockReason !== undefined
      return blocked ? this.#writer.finish('content_filter') : []
    }
    const { text, calls } = partsOf(candidate)
    const out = [...this.#writer.start(), ...this.#writer.text(text)]
    for (const call of calls) {
      const index = this.#toolCalls++
      const id = call.id ?? callId(this.#context, index)
      out.push(...this.#writer.toolCall({ index, id, type: 'function', function: { name: call.name, arguments: call.arguments } }))
    }
    if (candidate.finishReason !== undefined) out.push(...this.#writer.finish(geminiFinishReason(candidate.finishReason, this.#toolCalls > 0)))
    return out
  }

  end(): ChatCompletionChunk[] {
    return this.#usage === undefined ? [] : this.#writer.usage(this.#usage)
  }

  usage(): Usage | undefined {
    return this.#usage
  }
}

export function createGeminiStreamTranslator(context: ResponseContext): StreamTranslator<unknown> {
  return new GeminiStreamTranslator(context)
}
