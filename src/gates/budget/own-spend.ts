// Sluice's own spend (docs/shadow.md, docs/guardrails.md): a mirrored call, or a call of the
// guardrail model, is not the client's. It is checked and reserved against the `shadow` (or
// `guardrail`) and `global` budgets only (scopes.ts `scopeValue`), always enforced — a call that
// would go over is not sent — and settled from its own usage like any call.
import type { Outcome, RequestFacts } from '../../core/facts.js'
import type { Target } from '../../core/target.js'
import type { Reservation } from './decisions.js'
import { responseStarted, type BudgetRuntime } from './gate.js'
import { estimateCost } from './prices.js'
import type { BudgetContext } from './scopes.js'

/**
 * The reservation of Sluice's own call for `facts` on `target` — a mirror (`shadow`) or the
 * guardrail model's check (`guardrail`); undefined when a budget is over or the model has no
 * price under a `deny` policy.
 */
export function reserveOwnSpend(budgets: BudgetRuntime, target: Target, facts: RequestFacts, nowMs: number, purpose: 'shadow' | 'guardrail' = 'shadow'): Reservation | undefined {
  const estimated = estimateCost(budgets.prices, budgets.estimate, {
    providerType: target.mount.config.type,
    model: target.model,
    bodyBytes: facts.request.body.length,
    maxTokens: facts.operation.maxTokens,
  })
  if (!estimated.ok) return undefined
  const { context } = facts
  const ctx: BudgetContext = {
    provider: target.mount.name,
    model: target.model,
    route: context.route,
    client: context.client,
    tenant: context.tenant,
    user: context.targetingKey === '' ? undefined : context.targetingKey,
    shadow: purpose === 'shadow',
    guardrail: purpose === 'guardrail',
  }
  const decision = budgets.ledger.check(ctx, estimated.estimate.costUsd, nowMs, true)
  if (decision.kind === 'deny') return undefined
  return budgets.ledger.reserve(ctx, estimated.estimate, nowMs)
}

/** Settles a mirrored call's reservation from its outcome; returns the cost counted. */
export function settleOwnSpend(budgets: BudgetRuntime, reservation: Reservation, outcome: Outcome, nowMs: number): number {
  return budgets.ledger.settle(reservation, { usage: outcome.usage, responseStarted: responseStarted(outcome) }, nowMs)
}
