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
const DATA = Buffer.from('data')
const EVENT = Buffer.from('event')
const EMPTY = Buffer.alloc(0)

/** Events (or lines) larger than this are dropped rather than buffered without bound. */
export const MAX_SSE_EVENT_BYTES = 16 * 1024 * 1024

export class SseParser {
  readonly #onEvent: SseEventHandler
  /** Bytes of an unterminated line from earlier chunks (owned copy). */
  #lineTail: Buffer | undefined
  /** The current event's data lines joined by LF; may view the current chunk until the push ends. */
  #data: Buffer = EMPTY
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

  push(chunk: Buffer): void {
    const length = chunk.length
    let start = 0
    if (this.#skipLf) {
      this.#skipLf = false
      if (length > 0 && chunk[0] === LF) start = 1
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
      else this.#line(tail === undefined ? chunk.subarray(start, end) : Buffer.concat([tail, chunk.subarray(start, end)]))
      start = end + 1
      if (end === cr) {
        if (start === length) this.#skipLf = true
        else if (chunk[start] === LF) start++
      }
    }
    if (!this.#dataOwned) {
      this.#data = Buffer.from(this.#data)
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

  #line(line: Buffer): void {
    if (line.length === 0) return this.#dispatch()
    if (this.#overflow || line[0] === COLON) return
    const colon = line.indexOf(COLON)
    const nameEnd = colon === -1 ? line.length : colon
    let valueStart = colon === -1 ? line.length : colon + 1
    if (line[valueStart] === SPACE) valueStart++
    if (DATA.compare(line, 0, nameEnd) === 0) this.#appendData(line.subarray(valueStart))
    else if (EVENT.compare(line, 0, nameEnd) === 0) this.#event = line.toString('utf8', valueStart)
    // `id` and `retry` do not matter to a reader of usage; unknown fields are ignored by the spec.
  }

  #appendData(value: Buffer): void {
    if (this.#dataLines === 0) {
      this.#data = value
      this.#dataOwned = false
    } else if (this.#data.length + value.length < MAX_SSE_EVENT_BYTES) {
      this.#data = Buffer.concat([this.#data, Buffer.of(LF), value])
      this.#dataOwned = true
    } else {
      this.#overflow = true
    }
    this.#dataLines++
  }

  #dispatch(): void {
    const deliver = this.#dataLines > 0 && !this.#overflow
    const data = this.#data
    const event = this.#event
    this.#data = EMPTY
    this.#dataOwned = true
    this.#dataLines = 0
    this.#event = ''
    this.#overflow = false
    if (deliver) this.#onEvent(data, event)
  }
}
