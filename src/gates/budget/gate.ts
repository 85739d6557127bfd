// Gate 6 (SPEC §5, §8): cost budgets. Each request's cost is estimated from its size and
// max_tokens, checked against every budget it counts toward, and reserved; when the request ends
// (streamed, failed or aborted) the reservation is replaced by the cost of the usage read.
// Enforced when flag `ai.budget.enforce` is on; otherwise a would-be denial is only reported.
import { booleanFlag } from '../flag-eval.js'
import type { Gate } from '../gate.js'
import { metrics } from '../../metrics.js'
import { addLease, addResponseHeader, type Outcome } from '../../pipeline/facts.js'
import type { BudgetsConfig } from './schema.js'
import type { BudgetLedger } from './ledger.js'
import { estimateCost, type PriceTable } from './prices.js'
import type { SettleOutcome } from './decisions.js'
import type { BudgetContext } from './scopes.js'
import type { Leg } from '../../upstream/attempt.js'

export const BUDGET_ENFORCE_FLAG = 'ai.budget.enforce'

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
const responseStarted = (outcome: Outcome): boolean =>
  outcome.decision === 'allow' && outcome.status >= 200 && outcome.status < 300 && outcome.ttftMs !== undefined

/** A fallback or downgraded model answered: price and count its spend as its own (docs/budgets.md). */
function servedScope(budgets: BudgetRuntime, checked: BudgetContext, served: Leg): SettleOutcome['servedBy'] {
  const { mount } = served.target
  const model = served.operation.model
  // An unknown model priced `deny` cannot have been served; price it like the reserved one then.
  const price = budgets.prices.lookup(mount.config.type, model)
  return price === undefined ? undefined : { price, context: { ...checked, provider: mount.name, model } }
}

export const budgetGate: Gate = {
  name: 'budgets',
  check(facts, snapshot) {
    const budgets = snapshot.budgets
    if (budgets === undefined) return undefined
    const { context } = facts
    const enforce = booleanFlag(snapshot.flags, BUDGET_ENFORCE_FLAG, false, context)
    const estimated = estimateCost(budgets.prices, budgets.estimate, {
      providerType: facts.mount.config.type,
      model: context.model,
      bodyBytes: facts.request.body.length,
      maxTokens: facts.operation.maxTokens,
    })
    if (!estimated.ok) return enforce ? { code: estimated.code, detail: estimated.detail } : undefined
    const budgetContext = {
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
      metrics.budgetDecisions.labels('denied').inc()
      return {
        code: decision.code,
        detail: `Budget ${decision.budget} (${decision.scope} ${decision.value}): $${decision.spentUsd.toFixed(2)} of $${decision.limitUsd.toFixed(2)}.`,
        retryAfterSeconds: decision.retryAfterSeconds,
      }
    }
    if (enforce && !budgets.throttle.admit(budgets.ledger.throttleFactor(budgetContext, now))) {
      metrics.budgetDecisions.labels('throttled').inc()
      return { code: 'SLUICE_ERR_BUDGET_THROTTLED', detail: 'A budget threshold throttles this scope.', retryAfterSeconds: 1 }
    }
    if (decision.downgradeTo !== undefined && decision.downgradeTo !== context.model) {
      facts.downgradeTo = decision.downgradeTo
      addResponseHeader(facts, 'x-sluice-downgraded-from', context.model)
      metrics.budgetDecisions.labels('downgraded').inc()
    }
    if (decision.wouldDeny !== undefined) {
      metrics.budgetDecisions.labels('would_deny').inc()
      addResponseHeader(facts, 'x-sluice-budget-would-deny', decision.wouldDeny.budget)
    } else metrics.budgetDecisions.labels('allowed').inc()
    const reservation = budgets.ledger.reserve(budgetContext, estimated.estimate, now)
    addLease(facts, {
      settle(outcome) {
        const served = outcome.served
        const moved = served !== undefined && (served.target.mount.name !== context.provider || served.operation.model !== context.model)
        const servedBy = moved ? servedScope(budgets, budgetContext, served) : undefined
        const settled = { usage: outcome.usage, responseStarted: responseStarted(outcome), servedBy }
        const cost = budgets.ledger.settle(reservation, settled, Date.now())
        if (cost > 0) metrics.costUsd.labels(served?.target.mount.name ?? context.provider).inc(cost)
      },
    })
    return undefined
  },
}
