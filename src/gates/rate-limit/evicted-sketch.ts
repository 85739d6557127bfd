// Where counters evicted from the LRU go, so eviction never loosens a limit. A fixed-size "max
// sketch" (a count-min sketch that keeps maxima instead of sums): each evicted counter raises
// `ROWS` hashed cells to its TATs; a counter created later starts from the minimum of its cells.
// Every cell a key hashes to holds at least that key's last TAT, so a re-created counter is never
// fresher than the evicted one: collisions can only make a new key stricter, and that extra debt
// drains within one window because TATs are absolute times. Memory is allocated on the first
// eviction and never grows.

const ROWS = 2

/** FNV-1a over UTF-16 code units; two rows come from two seeds. */
function hash(key: string, seed: number): number {
  let h = 0x811c9dc5 ^ seed
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193)
  return h >>> 0
}

export interface TatPair {
  requestsTat: number
  tokensTat: number
}

export class EvictedSketch {
  private readonly mask: number
  private requests: Float64Array | undefined
  private tokens: Float64Array | undefined

  /** `width` cells per row, rounded up to a power of two. */
  constructor(width: number) {
    let w = 1024
    while (w < width) w *= 2
    this.mask = w - 1
  }

  get bytes(): number {
    return this.requests === undefined ? 0 : 2 * this.requests.byteLength
  }

  /** Remembers an evicted counter; one that is already full (both TATs ≤ now) is equal to absent. */
  record(key: string, tats: TatPair, nowMs: number): void {
    if (tats.requestsTat <= nowMs && tats.tokensTat <= nowMs) return
    if (this.requests === undefined || this.tokens === undefined) {
      this.requests = new Float64Array(ROWS * (this.mask + 1)).fill(-Infinity)
      this.tokens = new Float64Array(ROWS * (this.mask + 1)).fill(-Infinity)
    }
    for (let row = 0; row < ROWS; row++) {
      const cell = row * (this.mask + 1) + (hash(key, row) & this.mask)
      if (this.requests[cell]! < tats.requestsTat) this.requests[cell] = tats.requestsTat
      if (this.tokens[cell]! < tats.tokensTat) this.tokens[cell] = tats.tokensTat
    }
  }

  /** Starts a new counter no fresher than any evicted one with the same key. */
  restore(key: string, into: TatPair): void {
    if (this.requests === undefined || this.tokens === undefined) return
    let requests = Infinity
    let tokens = Infinity
    for (let row = 0; row < ROWS; row++) {
      const cell = row * (this.mask + 1) + (hash(key, row) & this.mask)
      requests = Math.min(requests, this.requests[cell]!)
      tokens = Math.min(tokens, this.tokens[cell]!)
    }
    if (requests > into.requestsTat) into.requestsTat = requests
    if (tokens > into.tokensTat) into.tokensTat = tokens
  }
}
