// Gate 6 (docs/lifecycle.md, docs/budgets.md): cost budgets. Each request's cost is estimated from its size and
// max_tokens, checked against every budget it counts toward, and reserved; when the request ends
// (streamed, failed or aborted) the reservation is replaced by the cost of the usage read.
// Enforced when flag `ai.budget.enforce` is on; otherwise a would-be denial is only reported. A
// crossed `downgrade` threshold routes the request to the cheaper model (a `route` verdict).
// Fail mode: closed by default; an unreachable spend store is handled first by
// `budgets.sync.localShareWhenStoreDown`.
import { PASS, type Verdict } from '../../core/decision.js'
import { addResponseHeader, type Outcome, type RequestFacts } from '../../core/facts.js'
import type { GateCheck, GateModule, GateView } from '../../core/gate.js'
import { countedLabels, metrics } from '../../core/metrics.js'
import type { Leg } from '../../core/target.js'
import type { BudgetsConfig } from './schema.js'
import type { BudgetLedger } from './ledger.js'
import { estimateCost, type PriceTable } from './prices.js'
import type { SettleOutcome } from './decisions.js'
import type { BudgetContext } from './scopes.js'
import type { Reservation } from './decisions.js'

export const BUDGET_ENFORCE_FLAG = 'ai.budget.enforce'

const decisions = countedLabels(metrics.budgetDecisions)
const costUsd = countedLabels(metrics.costUsd)

/** What the snapshot carries when at least one budget is configured. */
export interface BudgetRuntime {
  readonly ledger: BudgetLedger
  readonly prices: PriceTable
  readonly estimate: BudgetsConfig['estimate']
  readonly throttle: Throttle
}

/**
 * The `throttle` action: of the requests a crossed threshold throttles, admit a `factor` share,
 * evenly (every 1/factor-th), not at random — the admitted rate is exactly factor × the offered
 * rate, and tests need no random source. One accumulator per process, shared by every throttled
 * scope; a refused request gets a retryable 429.
 */
export class Throttle {
  #credit = 0

  admit(factor: number): boolean {
    if (factor >= 1) return true
    this.#credit += factor
    if (this.#credit < 1) return false
    this.#credit -= 1
    return true
  }
}

/** The provider bills a call once its 2xx answer began, even if no usage arrived (docs/budgets.md). */
export const responseStarted = (outcome: Outcome): boolean =>
  outcome.decision === 'allow' && outcome.status >= 200 && outcome.status < 300 && outcome.ttftMs !== undefined

/** A fallback or downgraded model answered: price and count its spend as its own (docs/budgets.md). */
function servedScope(budgets: BudgetRuntime, checked: BudgetContext, served: Leg): SettleOutcome['servedBy'] {
  const { mount } = served.target
  const model = served.operation.model
  // An unknown model priced `deny` cannot have been served; price it like the reserved one then.
  const price = budgets.prices.lookup(mount.config.type, model)
  return price === undefined ? undefined : { price, context: { ...checked, provider: mount.name, model } }
}

export interface BudgetInputs {
  /** Undefined when no budget is configured. */
  readonly budgets: BudgetRuntime | undefined
}

/** What the gate holds for settle: the reservation and the scope it was checked against. */
interface BudgetHold {
  readonly reservation: Reservation
  readonly context: BudgetContext
}

function check(budgets: BudgetRuntime, facts: RequestFacts, view: GateView): Verdict<BudgetHold> {
  // A read (a model list or lookup) is not billed: nothing to check, reserve or settle, and a
  // spent budget does not hide the model list (docs/budgets.md).
  if (facts.operation.read === true) return PASS
  const { context } = facts
  const enforce = view.flag(BUDGET_ENFORCE_FLAG, false, context)
  const estimated = estimateCost(budgets.prices, budgets.estimate, {
    providerType: facts.candidates[0]!.target.mount.config.type,
    model: context.model,
    bodyBytes: facts.request.body.length,
    maxTokens: facts.operation.maxTokens,
  })
  if (!estimated.ok) return enforce ? { kind: 'deny', code: estimated.code, detail: estimated.detail } : PASS
  const budgetContext: BudgetContext = {
    provider: context.provider,
    model: context.model,
    route: context.route,
    client: context.client,
    tenant: context.tenant,
    user: context.targetingKey === '' ? undefined : context.targetingKey,
    shadow: false,
  }
  const now = Date.now()
  const decision = budgets.ledger.check(budgetContext, estimated.estimate.costUsd, now, enforce)
  if (decision.kind === 'deny') {
    decisions('denied').inc()
    return {
      kind: 'deny',
      code: decision.code,
      detail: `Budget ${decision.budget} (${decision.scope} ${decision.value}): $${decision.spentUsd.toFixed(2)} of $${decision.limitUsd.toFixed(2)}.`,
      retryAfterSeconds: decision.retryAfterSeconds,
    }
  }
  if (enforce && !budgets.throttle.admit(budgets.ledger.throttleFactor(budgetContext, now))) {
    decisions('throttled').inc()
    return { kind: 'deny', code: 'SLUICE_ERR_BUDGET_THROTTLED', detail: 'A budget threshold throttles this scope.', retryAfterSeconds: 1 }
  }
  const plan = decision.downgradeTo === undefined ? undefined : view.retarget(facts, decision.downgradeTo)
  if (plan !== undefined) {
    addResponseHeader(facts, 'x-sluice-downgraded-from', context.model)
    decisions('downgraded').inc()
  }
  if (decision.wouldDeny !== undefined) {
    decisions('would_deny').inc()
    addResponseHeader(facts, 'x-sluice-budget-would-deny', decision.wouldDeny.budget)
  } else decisions('allowed').inc()
  const hold: BudgetHold = { reservation: budgets.ledger.reserve(budgetContext, estimated.estimate, now), context: budgetContext }
  return plan === undefined ? { kind: 'pass', hold } : { kind: 'route', plan, hold }
}

function settle(budgets: BudgetRuntime, { reservation, context }: BudgetHold, outcome: Outcome): void {
  const served = outcome.served
  const moved = served !== undefined && (served.target.mount.name !== context.provider || served.operation.model !== context.model)
  const servedBy = moved ? servedScope(budgets, context, served) : undefined
  const settled = { usage: outcome.usage, responseStarted: responseStarted(outcome), servedBy }
  const cost = budgets.ledger.settle(reservation, settled, Date.now())
  if (cost > 0) costUsd(served?.target.mount.name ?? context.provider).inc(cost)
}

export const budgetGate: GateModule<BudgetInputs> = {
  name: 'budgets',
  failMode: 'closed',
  build({ budgets }): GateCheck<BudgetHold> | undefined {
    if (budgets === undefined) return undefined
    return { check: (facts, view) => check(budgets, facts, view), settle: (hold, outcome) => settle(budgets, hold, outcome) }
  },
}
