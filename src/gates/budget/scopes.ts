// Which budgets a request counts toward, and the compiled form of each budget the ledger reads
// per request (thresholds turned into USD amounts once, not per call).
import type { BudgetConfig, BudgetScope, BudgetsConfig, ThresholdAction } from './schema.js'
import { createWindow, type BudgetWindow } from './windows.js'

/** What the budget gate knows of a request; the pipeline fills it from the request facts. */
export interface BudgetContext {
  /** The provider's name under `providers:`. */
  readonly provider: string
  readonly model: string
  readonly route: string
  readonly client: string | undefined
  readonly tenant: string | undefined
  /** The targeting key (`x-sluice-user`, else the client id). */
  readonly user: string | undefined
  /** A mirrored call to a shadow target. */
  readonly shadow: boolean
  /** A call of the model-based guardrail detector. */
  readonly guardrail?: boolean
}

export interface CompiledBudget {
  readonly name: string
  readonly scope: BudgetScope
  readonly target: string | undefined
  readonly limitUsd: number
  readonly window: BudgetWindow
  /** Ascending by atPercent. */
  readonly thresholds: readonly { readonly atPercent: number; readonly atUsd: number; readonly actions: readonly ThresholdAction[] }[]
  /** Spend from which the scope is refused for the rest of the window (a `disable` action); Infinity if none. */
  readonly disableAtUsd: number
  readonly throttles: readonly { readonly atUsd: number; readonly factor: number }[]
  /** Descending by atUsd, so the first crossed is the most severe. */
  readonly downgrades: readonly { readonly atUsd: number; readonly toModel: string }[]
}

export function compileBudgets(config: BudgetsConfig): CompiledBudget[] {
  return Object.entries(config.limits).map(([name, budget]) => compileBudget(name, budget))
}

function compileBudget(name: string, budget: BudgetConfig): CompiledBudget {
  const atUsd = (percent: number): number => (budget.limitUsd * percent) / 100
  const thresholds = [...budget.thresholds]
    .sort((a, b) => a.atPercent - b.atPercent)
    .map((t) => ({ atPercent: t.atPercent, atUsd: atUsd(t.atPercent), actions: t.actions }))
  const withAction = (action: ThresholdAction['action']) =>
    thresholds.flatMap((t) => t.actions.filter((a) => a.action === action).map((a) => ({ atUsd: t.atUsd, action: a })))
  return {
    name,
    scope: budget.scope,
    target: budget.target,
    limitUsd: budget.limitUsd,
    window: createWindow(budget.window, budget.timeZone, budget.windowSeconds),
    thresholds,
    disableAtUsd: Math.min(Infinity, ...withAction('disable').map((d) => d.atUsd)),
    throttles: withAction('throttle').map((t) => ({ atUsd: t.atUsd, factor: t.action.factor ?? 1 })),
    downgrades: withAction('downgrade')
      .map((d) => ({ atUsd: d.atUsd, toModel: d.action.toModel ?? '' }))
      .reverse(),
  }
}

/**
 * The value a request is counted under for `budget`, or undefined when it does not count. Shadow
 * traffic counts toward `shadow` and `global` budgets only, the guardrail model's calls toward
 * `guardrail` and `global`: they are Sluice's own spend, not the client's, so they must not use up
 * a client's, user's or model's budget.
 */
export function scopeValue(budget: CompiledBudget, ctx: BudgetContext): string | undefined {
  if (budget.scope === 'global') return '*'
  if (budget.scope === 'shadow') return ctx.shadow ? '*' : undefined
  if (budget.scope === 'guardrail') return ctx.guardrail === true ? '*' : undefined
  if (ctx.shadow || ctx.guardrail === true) return undefined
  const value = ctx[budget.scope]
  if (value === undefined || value === '') return undefined
  return budget.target === undefined || budget.target === value ? value : undefined
}

/** The shared counter's name: the budget and the value it counts, e.g. `per-user/alice`. */
export const scopeKey = (budget: CompiledBudget, value: string): string => `${budget.name}/${value}`

/** Budgets whose value does not depend on the request: global, shadow, or with a `target`. */
export function fixedValue(budget: CompiledBudget): string | undefined {
  if (budget.scope === 'global' || budget.scope === 'shadow' || budget.scope === 'guardrail') return '*'
  return budget.target
}
