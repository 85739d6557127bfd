// The ledger's in-memory mirror of one budget scope (a budget and the value it counts, e.g.
// `per-user/alice`): counters per window slot, local reservations, and which thresholds fired.
import type { CompiledBudget } from './scopes.js'
import type { WindowSlot } from './windows.js'

/**
 * Spend of one scope in one slot. `syncedUsd` is the fleet total the store last returned;
 * `pendingUsd` was settled here and not yet sent; `inflightUsd` is being sent now.
 * `pendingNanos` is `pendingUsd` as the crash journal counted it (the sum of each call's cost in
 * whole nano-USD), so that what a sync confirms there is exactly what settle wrote.
 */
export interface Counter {
  readonly slot: WindowSlot
  syncedUsd: number
  pendingUsd: number
  inflightUsd: number
  pendingNanos: number
}

const total = (c: Counter): number => c.syncedUsd + c.pendingUsd + c.inflightUsd

export class ScopeState {
  /** Estimates of calls admitted here and not yet settled; local to this replica. */
  reservedUsd = 0
  readonly counters = new Map<string, Counter>()
  /** atPercent → key of the slot it last fired in (calendar) or `rolling` while above it. */
  readonly fired = new Map<number, string>()
  constructor(
    readonly key: string,
    public budget: CompiledBudget,
    readonly value: string,
  ) {}

  /** Settled spend that counts at `nowMs`: this replica's, plus every replica's as of the last sync. */
  spentUsd(nowMs: number): number {
    const window = this.budget.window
    if (window.kind !== 'rolling') {
      const counter = this.counters.get(window.slot(nowMs).key)
      return counter === undefined ? 0 : total(counter)
    }
    let sum = 0
    for (const counter of this.counters.values()) if (window.counts(counter.slot, nowMs)) sum += total(counter)
    return sum
  }

  /** The fleet-wide part of spentUsd, as last read from the store. */
  syncedUsd(nowMs: number): number {
    let sum = 0
    for (const counter of this.counters.values()) if (this.budget.window.counts(counter.slot, nowMs)) sum += counter.syncedUsd
    return sum
  }

  counter(nowMs: number): Counter {
    const slot = this.budget.window.slot(nowMs)
    let counter = this.counters.get(slot.key)
    if (counter === undefined) {
      counter = { slot, syncedUsd: 0, pendingUsd: 0, inflightUsd: 0, pendingNanos: 0 }
      this.counters.set(slot.key, counter)
    }
    return counter
  }

  /** Returns the counter charged. */
  addSpend(usd: number, nowMs: number): Counter {
    const counter = this.counter(nowMs)
    counter.pendingUsd += usd
    return counter
  }

  /**
   * When a refused request may succeed: the window's end (calendar), or the moment enough old
   * buckets leave a rolling window for `neededUsd` more to fit. Whole seconds, at least 1.
   */
  retryAfterSeconds(nowMs: number, neededUsd: number): number {
    const window = this.budget.window
    let atMs = window.releasesAtMs(window.slot(nowMs))
    if (window.kind === 'rolling') {
      const live = [...this.counters.values()].filter((c) => window.counts(c.slot, nowMs)).sort((a, b) => a.slot.startMs - b.slot.startMs)
      let remaining = this.spentUsd(nowMs) + this.reservedUsd
      for (const counter of live) {
        if (remaining + neededUsd <= this.budget.limitUsd) break
        remaining -= total(counter)
        atMs = window.releasesAtMs(counter.slot)
      }
    }
    return Math.max(1, Math.ceil((atMs - nowMs) / 1000))
  }

  /** Nothing left to send and no call in flight. */
  idle(): boolean {
    if (this.reservedUsd > 0) return false
    for (const counter of this.counters.values()) if (counter.pendingUsd !== 0 || counter.inflightUsd !== 0 || counter.pendingNanos !== 0) return false
    return true
  }

  /** Drops counters past expiry with nothing left to send; true when the whole state can go. */
  prune(nowMs: number): boolean {
    for (const [key, counter] of this.counters) {
      if (counter.slot.expiresAtMs <= nowMs && counter.pendingUsd === 0 && counter.inflightUsd === 0 && counter.pendingNanos === 0) this.counters.delete(key)
    }
    return this.counters.size === 0 && this.reservedUsd === 0
  }
}
