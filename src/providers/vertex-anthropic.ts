// Anthropic's models on Vertex AI (`:rawPredict`, `:streamRawPredict`): the body is Anthropic's
// Messages API with `anthropic_version: "vertex-2023-10-16"` and the model in the path; the answer
// is an Anthropic message, or an SSE stream of Anthropic events. Usage (`input_tokens`,
// `output_tokens`, `cache_read_input_tokens`, `cache_creation_input_tokens`) is split across a
// stream: `message_start` carries the prompt's counts, each `message_delta` the running output.
// Anthropic counts cache reads and writes apart from `input_tokens`; they are added back so input
// counts every prompt token (usage.ts).
import type { SluiceError } from '../core/errors.js'
import type { Usage, UsageReader } from '../core/wire.js'
import { errorMessage } from './error-message.js'
import type { ParamFields } from './params.js'
import { isObject, tokenCount } from './request.js'
import { anthropicContent } from './streams/content-probe.js'
import { SseParser } from './streams/sse.js'
import { count, findUsage, jsonUsageReader, usageKey } from './usage.js'

const USAGE_KEY = usageKey('usage')

export const ANTHROPIC_PARAM_FIELDS: ParamFields = {
  temperature: ['temperature'],
  topP: ['top_p'],
  maxTokens: ['max_tokens'],
}

/** A message's `usage` object. */
export function anthropicUsage(value: unknown): Usage | undefined {
  if (!isObject(value)) return undefined
  const input = tokenCount(value.input_tokens)
  const output = tokenCount(value.output_tokens)
  if (input === undefined && output === undefined) return undefined
  const cached = count(value.cache_read_input_tokens)
  return { inputTokens: (input ?? 0) + cached + count(value.cache_creation_input_tokens), outputTokens: output ?? 0, cachedTokens: cached, reasoningTokens: 0 }
}

/** The prompt's counts from `message_start`, the output from the last event that states it. */
class AnthropicStreamUsage implements UsageReader {
  #input: Usage | undefined
  #output: number | undefined
  readonly #parser = new SseParser((data) => this.#event(data))
  contentStarted = false

  #event(data: Buffer): void {
    if (!this.contentStarted) this.contentStarted = anthropicContent(data)
    let raw: unknown
    const usage = findUsage(data, USAGE_KEY, (value) => {
      raw = value
      return anthropicUsage(value)
    })
    if (usage === undefined || !isObject(raw)) return
    // message_start states input_tokens; message_delta usually only output_tokens (newer API
    // versions repeat the input counts there, which then agree).
    if (tokenCount(raw.input_tokens) !== undefined) this.#input = usage
    if (tokenCount(raw.output_tokens) !== undefined) this.#output = usage.outputTokens
  }

  push(chunk: Buffer): void {
    this.#parser.push(chunk)
  }

  result(): Usage | undefined {
    if (this.#input === undefined && this.#output === undefined) return undefined
    const base = this.#input ?? { inputTokens: 0, outputTokens: 0, cachedTokens: 0, reasoningTokens: 0 }
    return { ...base, outputTokens: this.#output ?? base.outputTokens }
  }
}

export function anthropicUsageReader(stream: boolean): UsageReader {
  return stream ? new AnthropicStreamUsage() : jsonUsageReader(USAGE_KEY, anthropicUsage)
}

/**
 * Anthropic's SSE `error` event (`overloaded_error` for what is worth retrying, `api_error` for
 * the rest), which Anthropic's SDKs raise as an APIError; a leading blank line closes any event
 * the upstream left half-written.
 */
export function anthropicStreamError(error: SluiceError): Buffer {
  const type = error.kind === 'unavailable' || error.kind === 'upstream' ? 'overloaded_error' : 'api_error'
  const payload = JSON.stringify({ type: 'error', error: { type, message: errorMessage(error) } })
  return Buffer.from(`\n\nevent: error\ndata: ${payload}\n\n`)
}
