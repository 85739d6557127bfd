// The ledger's background half: which scopes need syncing, one sync at a time, store health,
// threshold events and pruning. Nothing here runs on the request path except `touch`/`settled`.
import type { JournalEntry, JournalHealth, SpendJournal } from './journal.js'
import type { ScopeState } from './scope-state.js'
import { fromNanos, type SpendStore } from './spend-store.js'
import { syncScopes } from './sync.js'
import { newCrossings, type ThresholdEvent } from './thresholds.js'

export interface SyncLoopOptions {
  readonly states: Map<string, ScopeState>
  readonly store: SpendStore
  /** The crash journal: what the store acknowledges is struck off it. */
  readonly journal?: SpendJournal
  /** `'crossing'`: the ledger calls `settled` only after a settle that crossed a threshold. */
  readonly syncOnSettle: boolean | 'crossing'
  readonly now?: () => number
  readonly onThreshold?: (event: ThresholdEvent) => void
  readonly onError?: (error: unknown) => void
}

/** Expired counters are swept this often; between sweeps a sync only visits recent scopes. */
const PRUNE_EVERY_MS = 60_000
/** A scope used here this recently is re-read at every sync, so other replicas' spend shows within one interval. */
const RECENT_MS = 60_000

const ignore = (): void => {}

export class SyncLoop {
  private ok = true
  private lastSyncAtMs: number | undefined
  private lastError: string | undefined
  private lastPruneMs = 0
  private readonly dirty = new Set<ScopeState>()
  /** State → when this replica last reserved or settled on it. */
  private readonly recent = new Map<ScopeState, number>()
  /** States of removed or re-windowed budgets, kept until their spend is sent and calls settle. */
  private readonly retired = new Set<ScopeState>()
  /** Amounts earlier processes left in the journal, until the store has them. */
  private recovered: readonly JournalEntry[]
  private running: Promise<void> | undefined
  private rerun = false
  private timer: NodeJS.Timeout | undefined
  private readonly now: () => number
  private readonly onThreshold: (event: ThresholdEvent) => void
  private readonly onError: (error: unknown) => void

  constructor(private readonly options: SyncLoopOptions) {
    this.now = options.now ?? Date.now
    this.onThreshold = options.onThreshold ?? ignore
    this.onError = options.onError ?? ignore
    this.recovered = options.journal?.recovered ?? []
  }

  /** False from a failed sync until one succeeds; the ledger then spends only its local share. */
  get storeOk(): boolean {
    return this.ok
  }

  touch(state: ScopeState, nowMs: number): void {
    this.dirty.add(state)
    this.recent.set(state, nowMs)
  }

  retire(state: ScopeState): void {
    this.retired.add(state)
  }

  settled(): void {
    if (this.timer !== undefined && this.options.syncOnSettle !== false) void this.sync(this.now())
  }

  /** One sync at a time; a call during one schedules exactly one more after it. */
  sync(nowMs: number): Promise<void> {
    if (this.running !== undefined) {
      this.rerun = true
      return this.running
    }
    const run = this.run(nowMs).finally(() => {
      this.running = undefined
      if (this.rerun) {
        this.rerun = false
        void this.sync(this.now())
      }
    })
    this.running = run
    return run
  }

  start(intervalMs: number): void {
    if (this.timer !== undefined) return
    this.timer = setInterval(() => void this.sync(this.now()), intervalMs)
    this.timer.unref()
  }

  async stop(): Promise<void> {
    clearInterval(this.timer)
    this.timer = undefined
    while (this.running !== undefined) await this.running
    await this.sync(this.now())
  }

  health(): { readonly ok: boolean; readonly lastSyncAtMs: number | undefined; readonly error: string | undefined; readonly journal?: JournalHealth } {
    const journal = this.options.journal?.health()
    return { ok: this.ok, lastSyncAtMs: this.lastSyncAtMs, error: this.lastError, ...(journal === undefined ? {} : { journal }) }
  }

  private async run(nowMs: number): Promise<void> {
    const recoveryError = this.recovered.length === 0 ? undefined : await this.sendRecovered()
    for (const [state, touchedMs] of this.recent) {
      if (touchedMs < nowMs - RECENT_MS) this.recent.delete(state)
      else this.dirty.add(state)
    }
    const batch = [...this.dirty, ...this.retired]
    this.dirty.clear()
    const result = await syncScopes(batch, this.options.store, nowMs)
    const journal = this.options.journal
    if (journal !== undefined && result.confirmed.length > 0) {
      for (const c of result.confirmed) journal.add(c.scopeKey, c.windowKey, -c.nanos, c.expiresAtMs)
      journal.commit()
    }
    for (const state of result.failed) this.dirty.add(state)
    if (recoveryError !== undefined) {
      this.ok = false
      this.lastError = String(recoveryError)
    } else if (result.sent > 0) {
      this.ok = result.failed.size === 0
      if (this.ok) this.lastSyncAtMs = nowMs
      else this.lastError = String(result.error)
    }
    journal?.compact(nowMs)
    for (const state of this.retired) if (state.idle()) this.retired.delete(state)
    for (const state of batch) if (this.options.states.get(state.key) === state) await this.announce(state, nowMs)
    if (nowMs - this.lastPruneMs >= PRUNE_EVERY_MS) this.prune(nowMs)
  }

  /** Sends what the journal held at startup (calls settled or in flight when the last process died); the rest is retried next sync. */
  private async sendRecovered(): Promise<unknown> {
    const { store, journal } = this.options
    const left: JournalEntry[] = []
    let error: unknown
    await Promise.all(
      this.recovered.map(async (entry) => {
        try {
          await store.add(entry.scopeKey, entry.windowKey, fromNanos(entry.nanos), entry.expiresAtMs, 0)
          journal?.add(entry.scopeKey, entry.windowKey, -entry.nanos, entry.expiresAtMs)
        } catch (e) {
          left.push(entry)
          error = e
        }
      }),
    )
    journal?.commit()
    this.recovered = left
    return error
  }

  /** Claims each new crossing fleet-wide; when the store cannot answer, fires anyway: a duplicate alert beats a lost one. */
  private async announce(state: ScopeState, nowMs: number): Promise<void> {
    for (const { event, expiresAtMs } of newCrossings(state, nowMs)) {
      let first = true
      try {
        first = await this.options.store.claim(event.id, expiresAtMs)
      } catch (error) {
        this.onError(error)
      }
      if (!first) continue
      try {
        this.onThreshold(event)
      } catch (error) {
        this.onError(error)
      }
    }
  }

  private prune(nowMs: number): void {
    this.lastPruneMs = nowMs
    for (const [key, state] of this.options.states) {
      if (state.prune(nowMs) && !this.dirty.has(state)) this.options.states.delete(key)
    }
  }
}
