// Usage of a committed 2xx answer, with a fallback for when it states none (docs/usage.md): an
// upstream that ignores `stream_options.include_usage`, an OpenAI-compatible body without `usage`,
// a stream cut (by the upstream or the client) before its usage event. Then usage is estimated —
// input tokens as request body bytes / bytesPerToken (as the budget reservation does), output
// tokens as answer text bytes / bytesPerToken — and the outcome says so (`usageEstimated`), so a
// call is never silently counted as zero.
import type { StreamEventListener, StreamEventTap, Usage, UsageReader } from '../core/wire.js'
import { AnswerTextCounter } from '../providers/answer-text.js'

/** Budgets' default `estimate.bytesPerToken`, for exchanges given none (Sluice's own calls). */
export const DEFAULT_BYTES_PER_TOKEN = 4

/**
 * Answer bytes kept (by reference: the data plane never reuses chunks) so that their text is only
 * scanned when an estimate is needed, which is rare; past this, the oldest are scanned as they go.
 */
const KEEP_BYTES = 256 * 1024

export class UsageTally implements UsageReader {
  /** Created only when the answer's text is scanned (rarely: a long answer, or an estimate). */
  #text: AnswerTextCounter | undefined
  #kept: Buffer[] = []
  #keptBytes = 0

  constructor(
    private readonly reader: UsageReader,
    /** False when the sink reads the usage itself from the bytes it is given (unified translation). */
    private readonly feedReader: boolean,
    private readonly requestBytes: number,
  ) {}

  push(chunk: Buffer): void {
    if (this.feedReader) this.reader.push(chunk)
    this.#kept.push(chunk)
    this.#keptBytes += chunk.length
    while (this.#keptBytes > KEEP_BYTES && this.#kept.length > 1) {
      const oldest = this.#kept.shift()!
      this.#keptBytes -= oldest.length
      ;(this.#text ??= new AnswerTextCounter()).push(oldest)
    }
  }

  result(): Usage | undefined {
    return this.reader.result()
  }

  get contentStarted(): boolean | undefined {
    return this.reader.contentStarted
  }

  /** Only a reader this tally feeds sees the bytes as they come (a unified sink feeds its own later). */
  tapEvents(onEvent: StreamEventListener): StreamEventTap | undefined {
    return this.feedReader ? this.reader.tapEvents?.(onEvent) : undefined
  }

  estimate(bytesPerToken: number): Usage {
    const text = (this.#text ??= new AnswerTextCounter())
    for (const chunk of this.#kept) text.push(chunk)
    this.#kept = []
    this.#keptBytes = 0
    return {
      inputTokens: Math.ceil(this.requestBytes / bytesPerToken),
      outputTokens: Math.ceil(text.bytes / bytesPerToken),
      cachedTokens: 0,
      reasoningTokens: 0,
    }
  }
}
