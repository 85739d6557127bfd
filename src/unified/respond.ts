// The unified endpoint's answer to the client (docs/unified.md), non-streamed: a native 2xx JSON body in,
// a chat.completion out, translated only once whole (a chat.completion cannot be written in
// parts). Streams are translated event by event (respond-stream.ts).
import type { ProviderType, Usage } from '../core/wire.js'
import { parseBoundedJsonObject } from '../providers/request.js'
import type { CompletionResult, ResponseContext, UnifiedResponder } from './types.js'

/** Converse, generateContent, Llama and OpenAI answers are small; a body past this is not one of them. */
export const MAX_JSON_RESPONSE_BYTES = 16 * 1024 * 1024

/** How one provider's whole JSON answer reads: its translation, and the usage it reports. */
export interface JsonAnswer {
  readonly from: (body: unknown, context: ResponseContext) => CompletionResult
  readonly usage: (body: unknown) => Usage | undefined
}

class JsonResponder implements UnifiedResponder {
  readonly contentType = 'application/json'
  readonly #provider: ProviderType
  readonly #answer: JsonAnswer
  readonly #context: ResponseContext
  /** Kept by reference, not copied: the caller hands over chunks it does not reuse (undici's are fresh). */
  #chunks: Buffer[] = []
  #bytes = 0
  #failure: string | undefined
  #usage: Usage | undefined

  constructor(provider: ProviderType, answer: JsonAnswer, context: ResponseContext) {
    this.#provider = provider
    this.#answer = answer
    this.#context = context
  }

  get failure(): string | undefined {
    return this.#failure
  }

  usage(): Usage | undefined {
    return this.#usage
  }

  push(chunk: Buffer): string {
    if (this.#failure !== undefined) return ''
    this.#bytes += chunk.length
    if (this.#bytes > MAX_JSON_RESPONSE_BYTES) this.#fail(`the response body exceeds ${MAX_JSON_RESPONSE_BYTES} bytes.`)
    else this.#chunks.push(chunk)
    return ''
  }

  end(): string {
    if (this.#failure !== undefined) return ''
    const body = parseBoundedJsonObject(Buffer.concat(this.#chunks, this.#bytes))
    this.#chunks = []
    if (body === undefined) return this.#fail('the response body is not a JSON object.')
    // Read before translating: an answer Sluice cannot translate was still billed upstream.
    this.#usage = this.#answer.usage(body)
    const result = this.#answer.from(body, this.#context)
    if (!result.ok) return this.#fail(result.message)
    return JSON.stringify(result.completion)
  }

  #fail(detail: string): '' {
    this.#failure = `${this.#provider}: ${detail}`
    this.#chunks = []
    return ''
  }
}

export function createJsonResponder(provider: ProviderType, answer: JsonAnswer, context: ResponseContext): UnifiedResponder {
  return new JsonResponder(provider, answer, context)
}
