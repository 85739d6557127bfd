// Incremental Server-Sent Events parser (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation).
// Works on bytes: lines are found with Buffer.indexOf and only the `event:` field is decoded, so a
// consumer can test an event's data for a key before paying for a string or JSON.parse. It holds at
// most the current incomplete line and the current event's data; both are copied at the end of a
// push, so the caller may reuse its chunk.

/** Called once per dispatched event. `data` is only valid during the call (it may view the chunk). */
export type SseEventHandler = (data: Buffer, event: string) => void

const LF = 0x0a
const CR = 0x0d
const COLON = 0x3a
const SPACE = 0x20
const LF_BYTE = Buffer.of(LF)
const EMPTY = Buffer.alloc(0)
const DATA = [0x64, 0x61, 0x74, 0x61]
const EVENT = [0x65, 0x76, 0x65, 0x6e, 0x74]

/** Byte comparison of a field name: cheaper than a native Buffer.compare call per line. */
function fieldIs(buf: Buffer, start: number, end: number, name: readonly number[]): boolean {
  if (end - start !== name.length) return false
  for (let i = 0; i < name.length; i++) if (buf[start + i] !== name[i]) return false
  return true
}

/** Events (or lines) larger than this are dropped rather than buffered without bound. */
export const MAX_SSE_EVENT_BYTES = 16 * 1024 * 1024

export class SseParser {
  readonly #onEvent: SseEventHandler
  /** Bytes of an unterminated line from earlier chunks (owned copy). */
  #lineTail: Buffer | undefined
  /**
   * The current event's data lines joined by LF, at `#data[#dataStart, #dataEnd)`. It may be the
   * current chunk itself until the push ends (`#dataOwned` false).
   */
  #data: Buffer = EMPTY
  #dataStart = 0
  #dataEnd = 0
  #dataOwned = true
  #dataLines = 0
  #event = ''
  /** A chunk ended on CR: a LF opening the next chunk belongs to the same line break. */
  #skipLf = false
  /** The current event outgrew the cap; drop it up to its end. */
  #overflow = false
  /** The current line outgrew the cap and was dropped: its end is not a blank line. */
  #lineDropped = false

  constructor(onEvent: SseEventHandler) {
    this.#onEvent = onEvent
  }

  /** True while bytes of an event not yet dispatched are held: a line without its end, or fields before the blank line. */
  get pending(): boolean {
    return this.#lineTail !== undefined || this.#dataLines > 0 || this.#event !== ''
  }

  push(chunk: Buffer): void {
    const length = chunk.length
    if (length === 0) return
    let start = 0
    if (this.#skipLf) {
      this.#skipLf = false
      if (chunk[0] === LF) start = 1
    }
    // CR is rare (most servers send LF only), so look it up once per chunk, then only past it.
    let cr = chunk.indexOf(CR, start)
    while (start < length) {
      if (cr !== -1 && cr < start) cr = chunk.indexOf(CR, start)
      const lf = chunk.indexOf(LF, start)
      const end = cr !== -1 && (lf === -1 || cr < lf) ? cr : lf
      if (end === -1) {
        this.#keepTail(chunk.subarray(start))
        break
      }
      const tail = this.#lineTail
      this.#lineTail = undefined
      if (this.#lineDropped) this.#lineDropped = false
      else if (tail === undefined) this.#line(chunk, start, end, false)
      else this.#line(Buffer.concat([tail, chunk.subarray(start, end)]), 0, tail.length + end - start, true)
      start = end + 1
      if (end === cr) {
        if (start === length) this.#skipLf = true
        else if (chunk[start] === LF) start++
      }
    }
    if (!this.#dataOwned) {
      this.#data = Buffer.from(this.#data.subarray(this.#dataStart, this.#dataEnd))
      this.#dataStart = 0
      this.#dataEnd = this.#data.length
      this.#dataOwned = true
    }
  }

  #keepTail(part: Buffer): void {
    if (this.#lineDropped) return
    const size = (this.#lineTail?.length ?? 0) + part.length
    if (size > MAX_SSE_EVENT_BYTES) {
      this.#lineTail = undefined
      this.#lineDropped = true
      this.#overflow = true
      return
    }
    this.#lineTail = this.#lineTail === undefined ? Buffer.from(part) : Buffer.concat([this.#lineTail, part])
  }

  /** The line is `buf[start, end)`; offsets rather than subarrays, as this runs once per line. */
  #line(buf: Buffer, start: number, end: number, owned: boolean): void {
    if (start === end) return this.#dispatch()
    if (this.#overflow || buf[start] === COLON) return
    let colon = buf.indexOf(COLON, start)
    if (colon === -1 || colon > end) colon = end
    let valueStart = colon === end ? end : colon + 1
    if (valueStart < end && buf[valueStart] === SPACE) valueStart++
    if (fieldIs(buf, start, colon, DATA)) this.#appendData(buf, valueStart, end, owned)
    else if (fieldIs(buf, start, colon, EVENT)) this.#event = buf.toString('utf8', valueStart, end)
    // `id` and `retry` do not matter to a reader of usage; unknown fields are ignored by the spec.
  }

  #appendData(buf: Buffer, start: number, end: number, owned: boolean): void {
    if (this.#dataLines++ === 0) {
      this.#data = buf
      this.#dataStart = start
      this.#dataEnd = end
      this.#dataOwned = owned
      return
    }
    const size = this.#dataEnd - this.#dataStart + 1 + end - start
    if (size > MAX_SSE_EVENT_BYTES) {
      this.#overflow = true
      return
    }
    this.#data = Buffer.concat([this.#data.subarray(this.#dataStart, this.#dataEnd), LF_BYTE, buf.subarray(start, end)], size)
    this.#dataStart = 0
    this.#dataEnd = size
    this.#dataOwned = true
  }

  #dispatch(): void {
    const deliver = this.#dataLines > 0 && !this.#overflow
    const data = this.#data.subarray(this.#dataStart, this.#dataEnd)
    const event = this.#event
    this.#data = EMPTY
    this.#dataStart = 0
    this.#dataEnd = 0
    this.#dataOwned = true
    this.#dataLines = 0
    this.#event = ''
    this.#overflow = false
    if (deliver) this.#onEvent(data, event)
  }
}
