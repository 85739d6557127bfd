// Shapes of the unified endpoint (docs/unified.md): the OpenAI Chat Completions request as Sluice accepts
// it (after `parseChatRequest` has checked it), and the `chat.completion` / `chat.completion.chunk`
// objects it answers with (https://platform.openai.com/docs/api-reference/chat). Only the fields the
// translators read or write are typed; everything else in a request is ignored. At the end, the
// interface every provider type's translator implements (translators.ts has one per type).
import type { TargetParams } from '../core/target.js'
import type { ProviderType, Usage } from '../core/wire.js'

export interface TextPart {
  readonly type: 'text'
  readonly text: string
}

export interface ImagePart {
  readonly type: 'image_url'
  readonly image_url: { readonly url: string; readonly detail?: string }
}

export type UserPart = TextPart | ImagePart

export interface ToolCall {
  readonly id: string
  readonly type: 'function'
  readonly function: { readonly name: string; readonly arguments: string }
}

export type ChatMessage =
  | { readonly role: 'system' | 'developer'; readonly content: string | readonly TextPart[] }
  | { readonly role: 'user'; readonly content: string | readonly UserPart[] }
  | { readonly role: 'assistant'; readonly content: string | readonly TextPart[] | null; readonly tool_calls: readonly ToolCall[] }
  | { readonly role: 'tool'; readonly content: string | readonly TextPart[]; readonly tool_call_id: string }

export interface ToolDefinition {
  readonly name: string
  readonly description?: string
  /** JSON Schema of the arguments; absent means no parameters. */
  readonly parameters?: Readonly<Record<string, unknown>>
}

/** `auto` is the default with tools; a name forces that function. */
export type ToolChoice = 'none' | 'auto' | 'required' | { readonly name: string }

/** A checked request. Legacy `functions` / `function_call` arrive here as `tools` / `toolChoice`. */
export interface ChatRequest {
  readonly model: string
  readonly messages: readonly ChatMessage[]
  readonly stream: boolean
  readonly includeUsage: boolean
  /** `max_completion_tokens`, else the deprecated `max_tokens`. */
  readonly maxTokens?: number
  readonly temperature?: number
  readonly topP?: number
  readonly stop?: readonly string[]
  readonly tools?: readonly ToolDefinition[]
  readonly toolChoice?: ToolChoice
  /**
   * `response_format.type` when it asks for JSON. Targets without a JSON mode (Claude on Vertex AI)
   * refuse it; the others ignore it, as they ignore `seed` or penalties.
   */
  readonly responseFormat?: 'json_object' | 'json_schema'
}

/** A native request: `path` is relative to the provider's mount (upstream base URL). */
export type NativeRequestResult =
  | { readonly ok: true; readonly path: string; readonly body: Record<string, unknown> }
  | { readonly ok: false; readonly message: string }

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter'

export interface CompletionUsage {
  prompt_tokens: number
  completion_tokens: number
  total_tokens: number
  prompt_tokens_details?: { cached_tokens: number }
  completion_tokens_details?: { reasoning_tokens: number }
}

export interface ChatCompletion {
  id: string
  object: 'chat.completion'
  created: number
  model: string
  choices: [
    {
      index: 0
      message: { role: 'assistant'; content: string | null; refusal: null; tool_calls?: ToolCall[] }
      finish_reason: FinishReason
      logprobs: null
    },
  ]
  usage?: CompletionUsage
}

export type CompletionResult = { readonly ok: true; readonly completion: ChatCompletion } | { readonly ok: false; readonly message: string }

export interface ToolCallDelta {
  index: number
  id?: string
  type?: 'function'
  function: { name?: string; arguments: string }
}

export interface ChunkDelta {
  role?: 'assistant'
  content?: string
  tool_calls?: ToolCallDelta[]
}

export interface ChatCompletionChunk {
  id: string
  object: 'chat.completion.chunk'
  created: number
  model: string
  /** One choice, or none on the closing usage chunk (`stream_options.include_usage`). */
  choices: { index: 0; delta: ChunkDelta; finish_reason: FinishReason | null; logprobs: null }[]
  usage?: CompletionUsage
}

/** What the caller knows about the client's request, for every object written back. */
export interface ResponseContext {
  /** The `chatcmpl-…` id, shared by every chunk of a stream. */
  readonly id: string
  /** The virtual model name the client asked for, echoed back as `model`. */
  readonly model: string
  /** Milliseconds since the epoch; `created` is in seconds. */
  readonly clock: () => number
  /** `stream_options.include_usage`: a last chunk with empty `choices` and `usage`. */
  readonly includeUsage: boolean
  /**
   * The target's model, as `toNative` got it, for a translator whose answer's shape depends on
   * the model: Vertex answers in Gemini's or Anthropic's shape by its publisher. Set per leg.
   */
  readonly targetModel?: string
}

/**
 * Turns one provider's parsed stream events into chunks, one event at a time, without buffering
 * text. `end()` is called once the upstream stream ends cleanly and returns what is still owed.
 * An upstream that stops before its final event is the caller's to report (docs/resilience.md).
 */
export interface StreamTranslator<Event> {
  push(event: Event): ChatCompletionChunk[]
  end(): ChatCompletionChunk[]
  /** The last usage the stream reported so far (providers report it once, or cumulatively). */
  usage(): Usage | undefined
}

/**
 * One native 2xx answer on its way to the client: pure and synchronous, the caller feeds the body
 * chunk by chunk and writes what comes back. The responder is also the answer's usage reader: the
 * body is parsed once, for both.
 */
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
  /**
   * The tokens the answer reported, in the units and with the numbers the provider's adapter reads
   * from the same bytes (providers/usage.ts): a stream's last report so far, a JSON body's once
   * `end()` has parsed it (also when it then fails to translate). Nothing is read after a failure.
   */
  usage(): Usage | undefined
}

/** The unified endpoint's view of one provider type (docs/unified.md): the request out, the answer back. */
export interface UnifiedTranslator {
  readonly type: ProviderType
  /**
   * The client's request in this provider's native API, for native model `model`, with the
   * target's forced `params` applied. `clientJson` is the client's body as sent: an OpenAI target
   * gets it (with its model and params), the others are built from the checked `chat`. `path` is
   * relative to the provider's mount and may carry a query (Gemini's `?alt=sse`).
   */
  toNative(chat: ChatRequest, model: string, params: TargetParams | undefined, clientJson: Readonly<Record<string, unknown>>): NativeRequestResult
  /** A responder for one 2xx answer to a request built by `toNative` (`stream` as the client asked). */
  responder(stream: boolean, context: ResponseContext): UnifiedResponder
}
