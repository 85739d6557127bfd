// Shadow spend (docs/shadow.md): a mirrored call is Sluice's own spend, not the client's. It is
// checked and reserved against the `shadow` and `global` budgets only (scopes.ts `scopeValue`),
// always enforced — a mirror that would go over is skipped, never sent — and settled from the
// shadow's own usage like any call.
import type { Outcome, RequestFacts } from '../../core/facts.js'
import type { Target } from '../../core/target.js'
import type { Reservation } from './decisions.js'
import { responseStarted, type BudgetRuntime } from './gate.js'
import { estimateCost } from './prices.js'
import type { BudgetContext } from './scopes.js'

/** The reservation of a mirrored call of `facts` on `target`; undefined when a budget is over or the model has no price under a `deny` policy. */
export function reserveShadow(budgets: BudgetRuntime, target: Target, facts: RequestFacts, nowMs: number): Reservation | undefined {
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
    shadow: true,
  }
  const decision = budgets.ledger.check(ctx, estimated.estimate.costUsd, nowMs, true)
  if (decision.kind === 'deny') return undefined
  return budgets.ledger.reserve(ctx, estimated.estimate, nowMs)
}

/** Settles a mirrored call's reservation from its outcome; returns the cost counted. */
export function settleShadow(budgets: BudgetRuntime, reservation: Reservation, outcome: Outcome, nowMs: number): number {
  return budgets.ledger.settle(reservation, { usage: outcome.usage, responseStarted: responseStarted(outcome) }, nowMs)
}
