// What each emulator received, for tests to assert on (e.g. that Sluice replaced the client's
// credential) and for `GET /__emulator/stats`. Counts are unbounded; the log keeps only the newest
// `limit` entries so a benchmark run cannot grow memory without bound.
import type { IncomingHttpHeaders } from 'node:http'

export interface RecordedRequest {
  readonly method: string
  /** Path as sent, still percent-encoded, without query. */
  readonly path: string
  /** Raw query string without `?`; '' when absent. */
  readonly query: string
  /** Operation the emulator recognised (`converse`, `generateContent`, ...), or `unknown`. */
  readonly operation: string
  readonly headers: IncomingHttpHeaders
  /** Parsed JSON body; undefined when empty or not JSON. */
  readonly body: unknown
}

export interface RequestStats {
  readonly total: number
  readonly byOperation: Readonly<Record<string, number>>
}

export class RequestLog {
  #total = 0
  #byOperation: Record<string, number> = {}
  #entries: RecordedRequest[] = []

  /** @param limit newest entries kept in `entries`; default 1000 */
  constructor(readonly limit = 1000) {}

  get count(): number {
    return this.#total
  }

  /** Oldest first. */
  get entries(): readonly RecordedRequest[] {
    return this.#entries.length > this.limit ? this.#entries.slice(-this.limit) : this.#entries
  }

  last(): RecordedRequest | undefined {
    return this.#entries.at(-1)
  }

  stats(): RequestStats {
    return { total: this.#total, byOperation: { ...this.#byOperation } }
  }

  record(entry: RecordedRequest): void {
    this.#total++
    this.#byOperation[entry.operation] = (this.#byOperation[entry.operation] ?? 0) + 1
    if (this.limit <= 0) return
    // Trim in batches so the steady state is an amortised O(1) push.
    if (this.#entries.length >= this.limit * 2) this.#entries = this.#entries.slice(-this.limit)
    this.#entries.push(entry)
  }

  clear(): void {
    this.#total = 0
    this.#byOperation = {}
    this.#entries = []
  }
}
