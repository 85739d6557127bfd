// The budget ledger (docs/lifecycle.md gate 6 and settle, docs/budgets.md). Decisions are synchronous and local: the
// in-memory mirror plus the fleet totals from the last sync, never a store round trip per request.
// A call reserves its estimated cost before it goes out and settles its actual cost after it ends
// (streamed, failed and aborted calls too); spend is synced to the SpendStore in the background.
// With a crash journal, both are also written to a local file when the event-loop iteration ends
// (before the reserved call's request leaves), so a `kill -9` loses no call: one in flight counts
// its reservation, one settled its cost (journal.ts).
import type { SpendJournal } from './journal.js'
import { costUsd, type CostEstimate } from './prices.js'
import { fixedValue, scopeKey, scopeValue, type BudgetContext, type CompiledBudget } from './scopes.js'
import { ScopeState, type Counter } from './scope-state.js'
import { crossesNew } from './thresholds.js'
import { toNanos, type SpendStore } from './spend-store.js'
import { SyncLoop } from './sync-loop.js'
import type { BudgetDecision, BudgetDenial, Reservation, ScopeReport, SettleOutcome } from './decisions.js'
import type { ThresholdEvent } from './thresholds.js'

export interface LedgerOptions {
  readonly budgets: readonly CompiledBudget[]
  readonly store: SpendStore
  /** The crash journal (journal.ts); without one, spend not yet synced is lost on a crash. */
  readonly journal?: SpendJournal
  /** `budgets.sync.localShareWhenStoreDown`. */
  readonly localShareWhenStoreDown: number
  /**
   * `budgets.sync.onSettle`: sync after each settle (coalesced) once `start` ran. `'crossing'`:
   * only after a settle that crossed a threshold, so that its event fires at once — for a store
   * no other replica reads, with a journal that already made the settle durable (runtime.ts).
   */
  readonly syncOnSettle: boolean | 'crossing'
  readonly now?: () => number
  readonly onThreshold?: (event: ThresholdEvent) => void
  readonly onError?: (error: unknown) => void
}

/** What a reservation holds: each scope and the counter (window slot) it was reserved in. */
interface Held {
  readonly states: ScopeState[]
  readonly counters: Counter[]
}

const held = new WeakMap<Reservation, Held>()

export class BudgetLedger {
  private budgets: readonly CompiledBudget[]
  private readonly states = new Map<string, ScopeState>()
  private readonly loop: SyncLoop

  constructor(private readonly options: LedgerOptions) {
    this.budgets = options.budgets
    this.loop = new SyncLoop({ ...options, states: this.states })
  }

  /** In enforce mode a denial refuses the call; in monitor mode it is reported as `wouldDeny` and nothing changes. */
  check(ctx: BudgetContext, estimateUsd: number, nowMs: number, enforce = true): BudgetDecision {
    let denial: BudgetDenial | undefined
    let downgradeTo: string | undefined
    for (const budget of this.budgets) {
      const value = scopeValue(budget, ctx)
      if (value === undefined) continue
      const key = scopeKey(budget, value)
      const state = this.states.get(key) ?? new ScopeState(key, budget, value)
      const spentUsd = state.spentUsd(nowMs)
      const disabled = spentUsd >= budget.disableAtUsd && spentUsd > 0
      if (disabled || spentUsd + state.reservedUsd + estimateUsd > this.limitUsd(state, nowMs)) {
        // A disabled scope reopens once spend falls below the disable threshold (rolling windows).
        const needed = disabled ? budget.limitUsd - budget.disableAtUsd : estimateUsd
        const retryAfterSeconds = state.retryAfterSeconds(nowMs, needed)
        if (denial === undefined || retryAfterSeconds > denial.retryAfterSeconds) {
          const { name, scope, limitUsd } = budget
          const reason = disabled ? 'disabled' : 'limit'
          denial = { code: 'SLUICE_ERR_BUDGET_EXCEEDED', reason, retryAfterSeconds, budget: name, scope, value, limitUsd, spentUsd }
        }
        continue
      }
      downgradeTo ??= budget.downgrades.find((d) => spentUsd >= d.atUsd)?.toModel
    }
    if (denial !== undefined) return enforce ? { kind: 'deny', ...denial } : { kind: 'allow', wouldDeny: denial }
    return enforce && downgradeTo !== undefined ? { kind: 'allow', downgradeTo } : { kind: 'allow' }
  }

  /** Holds `estimate` against every budget the call counts toward. Call in the same turn as `check`. */
  reserve(ctx: BudgetContext, estimate: CostEstimate, nowMs: number): Reservation {
    const states: ScopeState[] = []
    const counters: Counter[] = []
    const journal = this.options.journal
    const nanos = toNanos(estimate.costUsd)
    for (const budget of this.budgets) {
      const value = scopeValue(budget, ctx)
      if (value === undefined) continue
      const state = this.state(budget, value)
      state.reservedUsd += estimate.costUsd
      const counter = state.counter(nowMs)
      journal?.add(state.key, counter.slot.key, nanos, counter.slot.expiresAtMs)
      this.loop.touch(state, nowMs)
      states.push(state)
      counters.push(counter)
    }
    // Written before the call goes out, so it is on file before any answer can reach the client.
    journal?.commit()
    const reservation: Reservation = { estimate }
    held.set(reservation, { states, counters })
    return reservation
  }

  /**
   * Releases the reservation and records the actual cost, which it returns: from usage when there
   * is any, else the estimate if the provider billed a started response, else 0 (a call refused
   * or failed upstream costs nothing). A second settle of one reservation is a no-op.
   */
  settle(reservation: Reservation, outcome: SettleOutcome, nowMs: number): number {
    const hold = held.get(reservation)
    if (hold === undefined) return 0
    held.delete(reservation)
    const { states, counters } = hold
    const { estimate } = reservation
    const { servedBy } = outcome
    const price = servedBy?.price ?? estimate.price
    const cost = outcome.usage !== undefined ? costUsd(price, outcome.usage) : outcome.responseStarted ? estimate.costUsd : 0
    const journal = this.options.journal
    const reservedNanos = toNanos(estimate.costUsd)
    const costNanos = toNanos(cost)
    for (let i = 0; i < states.length; i++) {
      const reserved = states[i]!
      reserved.reservedUsd = Math.max(0, reserved.reservedUsd - estimate.costUsd)
      const slot = counters[i]!.slot
      journal?.add(reserved.key, slot.key, -reservedNanos, slot.expiresAtMs)
      if (servedBy !== undefined) {
        this.loop.touch(reserved, nowMs)
        continue
      }
      // After a reload the scope may have a fresh state; spend goes to the budget as it is now.
      const current = this.states.get(reserved.key) ?? reserved
      if (cost > 0) this.charge(current, cost, costNanos, nowMs)
      this.loop.touch(current, nowMs)
      if (current !== reserved) this.loop.touch(reserved, nowMs)
    }
    if (servedBy !== undefined) {
      for (const budget of this.budgets) {
        const value = scopeValue(budget, servedBy.context)
        if (value === undefined) continue
        const state = this.state(budget, value)
        if (cost > 0) this.charge(state, cost, costNanos, nowMs)
        this.loop.touch(state, nowMs)
      }
    }
    // One line: the reservation released and the cost charged, together.
    journal?.commit()
    if (this.options.syncOnSettle === 'crossing') {
      if (cost > 0 && this.crossed(states, servedBy?.context, nowMs)) this.loop.settled()
    } else this.loop.settled()
    return cost
  }

  /** The smallest `throttle` factor of the crossed thresholds of the budgets `ctx` counts toward; 1 if none. */
  throttleFactor(ctx: BudgetContext, nowMs: number): number {
    let factor = 1
    for (const budget of this.budgets) {
      if (budget.throttles.length === 0) continue
      const value = scopeValue(budget, ctx)
      const state = value === undefined ? undefined : this.states.get(scopeKey(budget, value))
      if (state === undefined) continue
      const spent = state.spentUsd(nowMs)
      for (const t of budget.throttles) if (spent >= t.atUsd && spent > 0) factor = Math.min(factor, t.factor)
    }
    return factor
  }

  /** Swaps in a reloaded config. Scopes whose window changed start over; their unsent spend is still sent. */
  reconfigure(budgets: readonly CompiledBudget[]): void {
    this.budgets = budgets
    const byName = new Map(budgets.map((b) => [b.name, b]))
    for (const [key, state] of this.states) {
      const next = byName.get(state.budget.name)
      if (next !== undefined && next.window.id === state.budget.window.id) state.budget = next
      else {
        this.states.delete(key)
        this.loop.retire(state)
      }
    }
  }

  /** Reads the persisted totals of budgets with a fixed value (global, shadow, targeted), e.g. before serving after a restart. */
  async load(nowMs: number): Promise<void> {
    for (const budget of this.budgets) {
      const value = fixedValue(budget)
      if (value === undefined) continue
      const state = this.state(budget, value)
      state.counter(nowMs)
      this.loop.touch(state, nowMs)
    }
    await this.loop.sync(nowMs)
  }

  /** Every scope this replica holds, for GET /v1/budgets. */
  report(nowMs: number): ScopeReport[] {
    return [...this.states.values()].map((state) => {
      const { budget } = state
      const slot = budget.window.slot(nowMs)
      const spentUsd = state.spentUsd(nowMs)
      return {
        budget: budget.name,
        scope: budget.scope,
        value: state.value,
        window: budget.window.kind,
        windowKey: slot.key,
        windowEndMs: budget.window.kind === 'rolling' ? undefined : slot.endMs,
        limitUsd: budget.limitUsd,
        spentUsd,
        reservedUsd: state.reservedUsd,
        crossed: budget.thresholds.filter((t) => spentUsd >= t.atUsd && spentUsd > 0).map((t) => t.atPercent),
      }
    })
  }

  health(): ReturnType<SyncLoop['health']> {
    return this.loop.health()
  }

  sync(nowMs: number): Promise<void> {
    return this.loop.sync(nowMs)
  }

  start(intervalMs: number): void {
    this.loop.start(intervalMs)
  }

  /** Stops the timer and sends what is left (shutdown). */
  stop(): Promise<void> {
    return this.loop.stop()
  }

  /** While the store is unreachable, only a share of what remained at the last sync may be spent. */
  private limitUsd(state: ScopeState, nowMs: number): number {
    const limit = state.budget.limitUsd
    if (this.loop.storeOk) return limit
    const synced = state.syncedUsd(nowMs)
    return synced + Math.max(0, limit - synced) * this.options.localShareWhenStoreDown
  }

  /** Whether a scope this settle charged has newly crossed a threshold. */
  private crossed(reserved: readonly ScopeState[], servedBy: BudgetContext | undefined, nowMs: number): boolean {
    if (servedBy === undefined) return reserved.some((r) => crossesNew(this.states.get(r.key) ?? r, nowMs))
    for (const budget of this.budgets) {
      const value = scopeValue(budget, servedBy)
      const state = value === undefined ? undefined : this.states.get(scopeKey(budget, value))
      if (state !== undefined && crossesNew(state, nowMs)) return true
    }
    return false
  }

  private charge(state: ScopeState, cost: number, costNanos: number, nowMs: number): void {
    const counter = state.addSpend(cost, nowMs)
    counter.pendingNanos += costNanos
    this.options.journal?.add(state.key, counter.slot.key, costNanos, counter.slot.expiresAtMs)
  }

  private state(budget: CompiledBudget, value: string): ScopeState {
    const key = scopeKey(budget, value)
    let state = this.states.get(key)
    if (state === undefined) {
      state = new ScopeState(key, budget, value)
      this.states.set(key, state)
    }
    return state
  }
}
