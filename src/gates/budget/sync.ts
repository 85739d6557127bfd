// Pushes local spend to the SpendStore and pulls back the fleet totals, off the request path.
// Only scopes used on this replica in the last minute are sent, so a sync costs O(active
// scopes), not O(every user seen today).
import type { JournalEntry } from './journal.js'
import type { Counter, ScopeState } from './scope-state.js'
import type { SpendStore } from './spend-store.js'

export interface SyncResult {
  /** How many adds were sent; 0 says nothing about the store's health. */
  readonly sent: number
  /** Scopes with an add that failed; they must be sent again. */
  readonly failed: ReadonlySet<ScopeState>
  /** The last failure, for health output. */
  readonly error?: unknown
  /** What the store acknowledged, in the crash journal's nano-USD, for the journal to strike off. */
  readonly confirmed: readonly JournalEntry[]
}

/**
 * For each scope: sends its pending spend and reads back the fleet total of every counter that
 * still counts (an add of 0 is a read), so a replica's view of an active scope is never older
 * than one sync.
 */
export async function syncScopes(states: Iterable<ScopeState>, store: SpendStore, nowMs: number): Promise<SyncResult> {
  const sends: Promise<void>[] = []
  const failed = new Set<ScopeState>()
  const confirmed: JournalEntry[] = []
  let error: unknown
  for (const state of states) {
    for (const counter of state.counters.values()) {
      if (counter.pendingUsd === 0 && counter.pendingNanos === 0 && !state.budget.window.counts(counter.slot, nowMs)) continue
      sends.push(
        send(state.key, counter, store, confirmed).catch((e: unknown) => {
          failed.add(state)
          error = e
        }),
      )
    }
  }
  await Promise.all(sends)
  return { sent: sends.length, failed, error, confirmed }
}

async function send(scopeKey: string, counter: Counter, store: SpendStore, confirmed: JournalEntry[]): Promise<void> {
  const delta = counter.pendingUsd
  const nanos = counter.pendingNanos
  counter.inflightUsd += delta
  counter.pendingUsd = 0
  counter.pendingNanos = 0
  let total: number
  try {
    total = await store.add(scopeKey, counter.slot.key, delta, counter.slot.expiresAtMs, counter.syncedUsd)
  } catch (error) {
    // Keep the amount to resend. If the add did land and only its reply was lost, it is counted
    // twice: over-counting is the safe direction for a budget.
    counter.inflightUsd -= delta
    counter.pendingUsd += delta
    counter.pendingNanos += nanos
    throw error
  }
  counter.inflightUsd -= delta
  counter.syncedUsd = total
  if (nanos !== 0) confirmed.push({ scopeKey, windowKey: counter.slot.key, nanos, expiresAtMs: counter.slot.expiresAtMs })
}
