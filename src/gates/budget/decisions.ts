// What the budget ledger answers: decisions for the gate, reservations for settle, and the
// per-scope report behind GET /v1/budgets.
import type { Usage } from '../../core/wire.js'
import type { CostEstimate, ResolvedPrice } from './prices.js'
import type { BudgetContext } from './scopes.js'
import type { BudgetScope } from './schema.js'

export interface BudgetDenial {
  readonly code: 'SLUICE_ERR_BUDGET_EXCEEDED'
  /** `limit`: the call would take spend past the limit. `disabled`: a `disable` threshold was crossed. */
  readonly reason: 'limit' | 'disabled'
  /** Until the window resets (calendar) or enough spend leaves it (rolling); at least 1. */
  readonly retryAfterSeconds: number
  readonly budget: string
  readonly scope: BudgetScope
  readonly value: string
  readonly limitUsd: number
  readonly spentUsd: number
}

export type BudgetDecision =
  | { readonly kind: 'allow'; readonly downgradeTo?: string; readonly wouldDeny?: BudgetDenial }
  | ({ readonly kind: 'deny' } & BudgetDenial)

/** Opaque: what `reserve` returns and `settle` takes back. */
export interface Reservation {
  readonly estimate: CostEstimate
}

export interface SettleOutcome {
  /** Usage read from the response, partial for an aborted stream; undefined when it carried none. */
  readonly usage: Usage | undefined
  /** The upstream answered 2xx and the body began: the provider bills the call even if no usage arrived. */
  readonly responseStarted: boolean
  /**
   * Set when another model than the reserved one answered (a fallback target, a downgrade): its
   * price, and the scopes its spend counts toward (its provider and model, the request's route,
   * client, tenant and user).
   */
  readonly servedBy?: { readonly price: ResolvedPrice; readonly context: BudgetContext }
}

export interface ScopeReport {
  readonly budget: string
  readonly scope: BudgetScope
  readonly value: string
  readonly window: 'day' | 'month' | 'rolling'
  readonly windowKey: string
  readonly windowEndMs: number | undefined
  readonly limitUsd: number
  readonly spentUsd: number
  readonly reservedUsd: number
  /** atPercent of each threshold spend has reached. */
  readonly crossed: readonly number[]
}
