// Threshold crossings: each fires once per window per threshold. Calendar windows remember the
// slot they fired in; a rolling window has no boundaries, so a threshold re-arms once spend falls
// back below it. The ledger additionally claims each event in the SpendStore so that a fleet fires
// it once, not once per replica.
import type { ScopeState } from './scope-state.js'
import type { BudgetScope, ThresholdAction } from './schema.js'

export interface ThresholdEvent {
  /** Stable across replicas and webhook retries: `scopeKey|windowKey|atPercent`. */
  readonly id: string
  readonly budget: string
  readonly scope: BudgetScope
  /** The provider, model, user… the spend is counted under; `*` for global and shadow budgets. */
  readonly value: string
  readonly window: 'day' | 'month' | 'rolling'
  readonly windowKey: string
  /** When a calendar window resets (ms since epoch); undefined for rolling windows. */
  readonly windowEndMs: number | undefined
  readonly atPercent: number
  readonly limitUsd: number
  readonly spentUsd: number
  readonly actions: readonly ThresholdAction[]
  readonly atMs: number
}

export interface Crossing {
  readonly event: ThresholdEvent
  /** The claim marker expires with the slot. */
  readonly expiresAtMs: number
}

/** Whether `newCrossings` would return something now (records nothing): a settle's cheap test for whether to sync at once. */
export function crossesNew(state: ScopeState, nowMs: number): boolean {
  const { budget } = state
  if (budget.thresholds.length === 0) return false
  const spentUsd = state.spentUsd(nowMs)
  if (spentUsd === 0) return false
  const tag = budget.window.kind === 'rolling' ? 'rolling' : budget.window.slot(nowMs).key
  for (const threshold of budget.thresholds) if (spentUsd >= threshold.atUsd && state.fired.get(threshold.atPercent) !== tag) return true
  return false
}

/** Records and returns the thresholds `state` has newly crossed at `nowMs`, lowest first. */
export function newCrossings(state: ScopeState, nowMs: number): Crossing[] {
  const { budget } = state
  const window = budget.window
  const slot = window.slot(nowMs)
  const tag = window.kind === 'rolling' ? 'rolling' : slot.key
  const spentUsd = state.spentUsd(nowMs)
  const crossings: Crossing[] = []
  for (const threshold of budget.thresholds) {
    // Spend of 0 never crosses: a budget of 0 USD refuses calls but has nothing to announce.
    if (spentUsd < threshold.atUsd || spentUsd === 0) {
      if (window.kind === 'rolling') state.fired.delete(threshold.atPercent)
      continue
    }
    if (state.fired.get(threshold.atPercent) === tag) continue
    state.fired.set(threshold.atPercent, tag)
    crossings.push({
      expiresAtMs: slot.expiresAtMs,
      event: {
        id: `${state.key}|${slot.key}|${threshold.atPercent}`,
        budget: budget.name,
        scope: budget.scope,
        value: state.value,
        window: window.kind,
        windowKey: slot.key,
        windowEndMs: window.kind === 'rolling' ? undefined : slot.endMs,
        atPercent: threshold.atPercent,
        limitUsd: budget.limitUsd,
        spentUsd,
        actions: threshold.actions,
        atMs: nowMs,
      },
    })
  }
  return crossings
}
