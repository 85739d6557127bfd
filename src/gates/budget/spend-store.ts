// Where the ledger persists and shares spend. The ledger decides from its in-memory mirror and
// syncs to a SpendStore in the background, so no request waits on it. Engines: Redis (shared and
// atomic across a fleet, redis-spend-store.ts) and a sqlite file of its own (one process,
// sqlite-spend-store.ts).

export interface SpendStore {
  /**
   * Adds `usd` (0 is a plain read) to one scope's spend in one window and resolves the new total,
   * which includes every replica's additions. The counter may be dropped after `expiresAtMs`.
   * Amounts are kept as integer nano-USD so that concurrent additions sum exactly.
   *
   * `seenUsd` is the total this caller last read. Totals never shrink within a window, so a result
   * below `seenUsd + usd` means the store lost data (a Redis restart without persistence, an
   * evicted key): the store then raises the total to that floor, atomically. Replicas repair
   * toward the largest total any of them saw, never to the sum of their views.
   */
  add(scopeKey: string, windowKey: string, usd: number, expiresAtMs: number, seenUsd: number): Promise<number>
  /** The total, 0 when nothing was recorded. */
  get(scopeKey: string, windowKey: string): Promise<number>
  /** Resolves true for exactly one caller per `marker` fleet-wide (threshold events fire once). */
  claim(marker: string, expiresAtMs: number): Promise<boolean>
}

/** One nano-USD: the unit stored, fine enough that a single token of the cheapest model is non-zero. */
export const NANOS_PER_USD = 1e9

export const toNanos = (usd: number): number => Math.round(usd * NANOS_PER_USD)
export const fromNanos = (nanos: number): number => nanos / NANOS_PER_USD
