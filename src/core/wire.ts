// The wire types shared by every layer, and the data-plane side of the interface every provider adapter implements (STYLE: adapters are pure translators).
// An adapter recognises the operation and model of a native request, says where the client's
// credential is, builds the upstream path and auth, reads usage from the response as it streams,
// and renders Sluice's own errors in the provider's wire dialect. No sockets, no globals.
import type { IncomingHttpHeaders } from 'node:http'
import type { SluiceError } from './errors.js'

export const ProviderTypes = ['bedrock', 'gemini', 'llama', 'openai', 'vertex'] as const
export type ProviderType = (typeof ProviderTypes)[number]

/** The native request as the data plane read it. */
export interface NativeRequest {
  readonly method: string
  /** Path after the mount, still percent-encoded exactly as sent, starting with `/`, no query. */
  readonly path: string
  /** Raw query string without `?`; '' when absent. */
  readonly query: string
  readonly headers: IncomingHttpHeaders
  /** The whole request body (read up to `server.maxBodyBytes`). */
  readonly body: Buffer
}

export type StreamFormat = 'none' | 'sse' | 'json-array' | 'eventstream'

/** What an adapter recognised in a request. */
export interface Operation {
  /** Stable operation name, e.g. `converse`, `generateContent`, `chat.completions`. */
  readonly name: string
  /** Native model id, percent-decoded. */
  readonly model: string
  readonly stream: boolean
  /** Wire format of a successful response body. */
  readonly streamFormat: StreamFormat
  /**
   * `max_tokens` (or the dialect's equivalent) when the request states it; 0 for an embedding,
   * which generates nothing (budgets and token limits then reserve no output).
   */
  readonly maxTokens?: number
  /**
   * The request's JSON body as recognition parsed it, for readers that only read it (guardrails),
   * so it is not parsed twice: shared, never to be changed. Absent where recognition parsed none.
   */
  readonly body?: Readonly<Record<string, unknown>>
  /**
   * A read (a model list or lookup): the provider bills nothing, so budgets reserve and charge
   * nothing and token limits are not charged (docs/budgets.md, docs/rate-limits.md). A list names
   * no model: its `model` is ''.
   */
  readonly read?: boolean
}

export type Recognition =
  | { readonly ok: true; readonly operation: Operation }
  | { readonly ok: false; readonly code: 'SLUICE_ERR_OPERATION_UNSUPPORTED' | 'SLUICE_ERR_REQUEST_MALFORMED' | 'SLUICE_ERR_MODEL_INVALID'; readonly detail: string }

/** A SigV4 `Authorization` header, parsed once per request (auth/sigv4-verify.ts `parseSigV4`). */
export interface ParsedSigV4 {
  readonly accessKeyId: string
  /** Credential scope date, `YYYYMMDD`. */
  readonly date: string
  readonly region: string
  readonly service: string
  readonly signedHeaders: readonly string[]
  readonly signature: string
}

/** Where the client put its credential. */
export type PresentedCredential =
  | { readonly kind: 'none' }
  | { readonly kind: 'key'; readonly key: string }
  | {
      readonly kind: 'sigv4'
      readonly accessKeyId: string
      /** The `Authorization` header as the adapter parsed it, handed on so the verifier does not parse it again (auth/sigv4-verify.ts). */
      readonly parsed: ParsedSigV4
    }
  | { readonly kind: 'malformed'; readonly detail: string }

/**
 * Tokens of one call. Cached tokens are included in `inputTokens` (and also reported in
 * `cachedTokens`); reasoning tokens are included in `outputTokens` (and in `reasoningTokens`).
 */
export interface Usage {
  inputTokens: number
  outputTokens: number
  cachedTokens: number
  reasoningTokens: number
}

/** Reads usage incrementally from a response body as it passes; never holds the whole stream. */
export interface UsageReader {
  /** May keep a reference to `chunk` until `result()`; callers must not reuse chunk buffers. */
  push(chunk: Buffer): void
  /** Usage seen so far (final once the body ended); undefined when the body carried none. */
  result(): Usage | undefined
  /**
   * Streams: true once an event carrying output content (text, a tool-call delta) went past, for
   * time to first token; readers that cannot tell leave it out.
   */
  readonly contentStarted?: boolean
  /**
   * Streams: a reader that splits the answer into events anyway hands each one to `onEvent`, as
   * the adapter's event decoder would give it, while it is pushed; undefined when it does not.
   * For a response-side check that would otherwise split the same bytes a second time.
   */
  tapEvents?(onEvent: StreamEventListener): StreamEventTap | undefined
}

/** The events a usage reader hands over (UsageReader.tapEvents): whether bytes of an incomplete one are held. */
export interface StreamEventTap {
  readonly pending: boolean
}

/** The upstream request head; the data plane copies forwardable client headers in first. */
export interface UpstreamRequest {
  readonly method: string
  /** Path (with query) on the upstream origin. */
  path: string
  headers: Record<string, string>
  readonly body: Buffer
}

export interface RenderedError {
  readonly status: number
  readonly headers: Record<string, string>
  readonly body: string
}

/**
 * Applies upstream auth in place; Bedrock's SigV4 needs credentials and hashing, so it may be
 * async. Rejects (or throws) when credentials cannot be obtained; the data plane then answers
 * SLUICE_ERR_UPSTREAM_AUTH.
 */
export type UpstreamAuth = (request: UpstreamRequest, origin: URL) => void | Promise<void>

/** The data plane's view of a provider: everything a request needs, nothing that builds upstream state. */
export interface Dialect {
  readonly type: ProviderType
  recognise(request: NativeRequest): Recognition
  presentedCredential(request: NativeRequest): PresentedCredential
  /** Client request headers that carry the client's own auth and must never go upstream. */
  readonly clientAuthHeaders: readonly string[]
  /** Query parameters that carry the client's own auth and must never go upstream. */
  readonly clientAuthQuery: readonly string[]
  createUsageReader(operation: Operation, status: number, headers: IncomingHttpHeaders): UsageReader
  renderError(error: SluiceError): RenderedError
  /**
   * The last bytes of a stream that failed after it started (docs/resilience.md): an error in the stream's
   * own framing (a Bedrock exception message, an SSE error event) so the client's SDK raises
   * instead of seeing a clean end. Undefined when the format has no such framing.
   */
  renderStreamError(error: SluiceError, operation: Operation): Buffer | undefined
  /**
   * The same request for another model of this dialect (a same-dialect alternate, a budget
   * downgrade). Undefined when the body is the model's own format (Bedrock InvokeModel).
   */
  withModel(request: NativeRequest, operation: Operation, model: string): NativeRequest | undefined
  /**
   * The same request with `params` forced into its body, in this dialect's field names (an
   * experiment variant's overrides on a native mount); `maxTokens` caps what the client asked
   * for and is used when it asked for none. Undefined when the operation's body has no place for
   * them (the caller then refuses to route the variant there rather than send it unchanged).
   */
  withParams(request: NativeRequest, operation: Operation, params: RequestParams): NativeRequest | undefined
  /**
   * A streamed request whose answer would carry no usage, rewritten to ask for it (OpenAI's
   * `stream_options.include_usage`); what that adds to the stream is taken out again before the
   * client sees it (providers/streams/usage-strip.ts). Undefined when there is nothing to ask.
   */
  withStreamUsage?(request: NativeRequest, operation: Operation): NativeRequest | undefined
  /**
   * The events of a streamed answer, for response-side checks: `push` each body chunk and
   * `onEvent` gets each complete event, as text (providers/streams/events.ts). Undefined when the
   * operation's answer is not a stream.
   */
  createEventDecoder(operation: Operation, onEvent: StreamEventListener): StreamEventDecoder | undefined
}

/**
 * One complete event of a streamed answer, unparsed: `data` is an SSE `data:` payload, a JSON-array
 * element or a Bedrock event-stream payload as text; `type` the event stream's `:event-type` (or
 * `:exception-type`), '' in the other formats.
 */
export type StreamEventListener = (data: string, type: string) => void

/** A streamed answer's incremental event decoder. */
export interface StreamEventDecoder {
  push(chunk: Buffer): void
  /** True while bytes of an incomplete event are held. */
  readonly pending: boolean
}

/** Sampling parameters Sluice can force on a request. */
export interface RequestParams {
  readonly temperature?: number
  readonly topP?: number
  readonly maxTokens?: number
}
