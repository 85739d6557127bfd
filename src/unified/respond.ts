// The unified endpoint's answer to the client (SPEC §3): a native 2xx body in, OpenAI bytes out.
// Pure and synchronous: the caller feeds the upstream body chunk by chunk and writes what comes
// back. A non-streamed body is only translated once whole (a chat.completion cannot be written in
// parts); a stream is translated event by event (respond-stream.ts).
import { parseJsonObject } from '../providers/request.js'
import { fromBedrock } from './from-bedrock.js'
import { fromGemini } from './from-gemini.js'
import { fromLlama } from './from-llama.js'
import { fromOpenAI } from './from-openai.js'
import { createBedrockStreamResponder, createSseStreamResponder } from './respond-stream.js'
import type { CompletionResult, ResponseContext } from './types.js'

/** A target's provider type; an `openai` target already answers in the client's format. */
export type UnifiedProvider = 'bedrock' | 'gemini' | 'llama' | 'openai'

export interface UnifiedResponder {
  /** Content type of what this responder writes (application/json or text/event-stream). */
  readonly contentType: string
  /**
   * Consumes one chunk of the native 2xx response body; returns what to write to the client now
   * ('' when nothing yet). When this chunk reveals a failure, it still returns the chunks
   * translated before it, so check `failure` after every call.
   */
  push(chunk: Buffer): string
  /**
   * The native body ended cleanly: returns the rest to write. For JSON, the whole translated
   * chat.completion; for streams, whatever is owed then `data: [DONE]\n\n`.
   */
  end(): string
  /**
   * Set once the native body turned out to be a failure (Bedrock exception message, upstream SSE
   * error event, unparseable JSON, a stream that ended without its finish): `<provider>: <detail>`.
   * After it is set push/end return ''.
   */
  readonly failure: string | undefined
}

/** Converse, generateContent, Llama and OpenAI answers are small; a body past this is not one of them. */
export const MAX_JSON_RESPONSE_BYTES = 16 * 1024 * 1024

type FromNative = (body: unknown, context: ResponseContext) => CompletionResult

const FROM_NATIVE: Readonly<Record<UnifiedProvider, FromNative>> = { bedrock: fromBedrock, gemini: fromGemini, llama: fromLlama, openai: fromOpenAI }

class JsonResponder implements UnifiedResponder {
  readonly contentType = 'application/json'
  readonly #provider: UnifiedProvider
  readonly #context: ResponseContext
  /** Kept by reference, not copied: the caller hands over chunks it does not reuse (undici's are fresh). */
  #chunks: Buffer[] = []
  #bytes = 0
  #failure: string | undefined

  constructor(provider: UnifiedProvider, context: ResponseContext) {
    this.#provider = provider
    this.#context = context
  }

  get failure(): string | undefined {
    return this.#failure
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
    const body = parseJsonObject(Buffer.concat(this.#chunks, this.#bytes))
    this.#chunks = []
    if (body === undefined) return this.#fail('the response body is not a JSON object.')
    const result = FROM_NATIVE[this.#provider](body, this.#context)
    if (!result.ok) return this.#fail(result.message)
    return JSON.stringify(result.completion)
  }

  #fail(detail: string): '' {
    this.#failure = `${this.#provider}: ${detail}`
    this.#chunks = []
    return ''
  }
}

export function createUnifiedResponder(provider: UnifiedProvider, stream: boolean, context: ResponseContext): UnifiedResponder {
  if (!stream) return new JsonResponder(provider, context)
  return provider === 'bedrock' ? createBedrockStreamResponder(context) : createSseStreamResponder(provider, context)
}
