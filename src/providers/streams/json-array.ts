// Incremental splitter for a streamed JSON array of objects, as Gemini's streamGenerateContent
// sends without `alt=sse`: `[{...}\n,\r\n{...}\n]`. It tracks depth and string/escape state and
// hands over each complete top-level element. String contents (almost all of the bytes) are skipped
// with Buffer.indexOf instead of a per-byte loop. It holds at most the current incomplete element.

/** Called once per complete element. `element` is only valid during the call (it may view the chunk). */
export type JsonElementHandler = (element: Buffer) => void

import { BACKSLASH, CLOSE_BRACE, CLOSE_BRACKET, OPEN_BRACE, OPEN_BRACKET, QUOTE } from './json-bytes.js'

/** Elements larger than this are dropped rather than buffered without bound. */
export const MAX_JSON_ELEMENT_BYTES = 16 * 1024 * 1024

export class JsonArraySplitter {
  readonly #onElement: JsonElementHandler
  #depth = 0
  #inString = false
  /** The previous chunk ended inside a string on an odd run of backslashes. */
  #escaped = false
  #inElement = false
  /** Bytes of the current element from earlier chunks (owned copy); undefined once it overflowed. */
  #tail: Buffer | undefined
  #tailOverflow = false

  constructor(onElement: JsonElementHandler) {
    this.#onElement = onElement
  }

  /** True while bytes of an incomplete element are held (a response-side check holds them back too). */
  get pending(): boolean {
    return this.#inElement
  }

  push(chunk: Buffer): void {
    const length = chunk.length
    let elementStart = 0
    let i = 0
    while (i < length) {
      if (this.#inString) {
        i = this.#skipString(chunk, i)
        continue
      }
      const byte = chunk[i]
      if (byte === QUOTE) {
        this.#inString = true
      } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
        this.#depth++
        if (this.#depth === 2) {
          this.#inElement = true
          elementStart = i
        }
      } else if ((byte === CLOSE_BRACE || byte === CLOSE_BRACKET) && this.#depth > 0) {
        this.#depth--
        if (this.#depth === 1 && this.#inElement) this.#emit(chunk, elementStart, i + 1)
      }
      i++
    }
    if (this.#inElement) this.#keep(chunk.subarray(elementStart))
  }

  /** Advances past string content from `i`; returns the next index to look at. */
  #skipString(chunk: Buffer, i: number): number {
    if (this.#escaped) {
      this.#escaped = false
      return i + 1
    }
    const quote = chunk.indexOf(QUOTE, i)
    const end = quote === -1 ? chunk.length : quote
    // A quote (or the chunk end) preceded by an odd run of backslashes is escaped.
    let run = 0
    while (end - run - 1 >= i && chunk[end - run - 1] === BACKSLASH) run++
    if (quote === -1) {
      this.#escaped = run % 2 === 1
      return chunk.length
    }
    if (run % 2 === 0) this.#inString = false
    return quote + 1
  }

  #emit(chunk: Buffer, start: number, end: number): void {
    const tail = this.#tail
    const overflow = this.#tailOverflow
    this.#tail = undefined
    this.#tailOverflow = false
    this.#inElement = false
    if (overflow) return
    this.#onElement(tail === undefined ? chunk.subarray(start, end) : Buffer.concat([tail, chunk.subarray(start, end)]))
  }

  #keep(part: Buffer): void {
    if (this.#tailOverflow) return
    const size = (this.#tail?.length ?? 0) + part.length
    if (size > MAX_JSON_ELEMENT_BYTES) {
      this.#tail = undefined
      this.#tailOverflow = true
      return
    }
    this.#tail = this.#tail === undefined ? Buffer.from(part) : Buffer.concat([this.#tail, part])
  }
}
