// Counts events in an exact sliding window: a ring of the last `max` timestamps. The HTTP/2 guard
// keeps one per session for client stream resets (rapid reset, CVE-2023-44487). The ring is
// allocated on the first event, so a session that never resets a stream costs nothing.
export class SlidingWindowCounter {
  #times: Float64Array | undefined
  #next = 0
  #count = 0

  constructor(
    readonly max: number,
    readonly windowMs: number,
  ) {}

  /** Records one event at `nowMs`; true when it makes more than `max` within the last `windowMs`. */
  exceeded(nowMs: number): boolean {
    const times = (this.#times ??= new Float64Array(this.max))
    if (this.#count === this.max) {
      // Full: the slot about to be overwritten holds the oldest of the last `max` events.
      if (nowMs - times[this.#next]! < this.windowMs) return true
    } else this.#count++
    times[this.#next] = nowMs
    this.#next = (this.#next + 1) % this.max
    return false
  }
}
