// Checks on `budgets:` that the schema cannot express, run once the file matches the schema
// (the lead calls this from src/config/semantic.ts). Same `path: problem (got value)` shape.
import { problemAt, type ConfigProblem } from '../../core/problems.js'
import type { BudgetsConfig } from './schema.js'
import { wallClock } from './windows.js'

export interface BudgetProblems {
  readonly problems: ConfigProblem[]
  readonly warnings: string[]
}

export function checkBudgets(budgets: BudgetsConfig): BudgetProblems {
  const result: BudgetProblems = { problems: [], warnings: [] }
  for (const [name, budget] of Object.entries(budgets.limits)) {
    const at = (path: (string | number)[], problem: string, got?: unknown): void => {
      result.problems.push(problemAt(['budgets', 'limits', name, ...path], problem, got))
    }
    if (budget.window === 'rolling' && budget.windowSeconds === undefined) at(['windowSeconds'], 'is required when window is rolling')
    if (budget.window !== 'rolling' && budget.windowSeconds !== undefined) at(['windowSeconds'], 'only applies to window rolling', budget.windowSeconds)
    if (budget.window !== 'rolling' && !knownTimeZone(budget.timeZone)) at(['timeZone'], 'is not an IANA time zone this runtime knows', budget.timeZone)
    if ((budget.scope === 'global' || budget.scope === 'shadow' || budget.scope === 'guardrail') && budget.target !== undefined) {
      at(['target'], `does not apply to scope ${budget.scope}`, budget.target)
    }
    const seen = new Set<number>()
    budget.thresholds.forEach((threshold, i) => {
      if (seen.has(threshold.atPercent)) at(['thresholds', i, 'atPercent'], 'duplicates another threshold', threshold.atPercent)
      seen.add(threshold.atPercent)
      threshold.actions.forEach((action, j) => {
        const path = ['thresholds', i, 'actions', j]
        if (action.action === 'throttle' && action.factor === undefined) at([...path, 'factor'], 'is required for throttle')
        if (action.action !== 'throttle' && action.factor !== undefined) at([...path, 'factor'], 'only applies to throttle', action.factor)
        if (action.action === 'downgrade' && action.toModel === undefined) at([...path, 'toModel'], 'is required for downgrade')
        if (action.action !== 'downgrade' && action.toModel !== undefined) at([...path, 'toModel'], 'only applies to downgrade', action.toModel)
        if (action.action === 'downgrade' && threshold.atPercent >= 100) {
          result.warnings.push(`budgets.limits.${name}: a downgrade at ${threshold.atPercent}% never applies; the budget refuses calls from 100%`)
        }
      })
    })
  }
  return result
}

function knownTimeZone(timeZone: string): boolean {
  try {
    wallClock(0, timeZone)
    return true
  } catch {
    return false
  }
}
