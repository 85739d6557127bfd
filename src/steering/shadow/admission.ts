// The concurrency cap of one shadow: a mirrored call takes a slot and gives it back exactly once;
// over the cap the mirror is skipped (the caller counts it).
export class ShadowSlots {
  #inFlight = 0

  constructor(private readonly max: number) {}

  get inFlight(): number {
    return this.#inFlight
  }

  /** A release function when a slot is free; undefined at the cap. */
  acquire(): (() => void) | undefined {
    if (this.#inFlight >= this.max) return undefined
    this.#inFlight++
    let released = false
    return () => {
      if (released) return
      released = true
      this.#inFlight--
    }
  }
}
