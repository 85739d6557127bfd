// The budget engine's public surface (docs/budgets.md). The pipeline builds a PriceTable and a
// BudgetLedger from `budgets:`, calls estimateCost → check → reserve in gate 6 and settle after
// the response, and routes threshold events to an ActionRunner.
export { BudgetsSchema, budgetScopes, budgetActions } from './schema.js'
export type { BudgetsConfig, BudgetConfig, BudgetScope, Price, PriceFile, Threshold, ThresholdAction } from './schema.js'
export { checkBudgets, type BudgetProblems } from './semantic.js'
export { buildPriceTable, costUsd, estimateCost, readShippedPrices } from './prices.js'
export type { CostEstimate, EstimateInput, EstimateResult, PriceTable, ResolvedPrice } from './prices.js'
export { compileBudgets, type BudgetContext, type CompiledBudget } from './scopes.js'
export { BudgetLedger, type LedgerOptions } from './ledger.js'
export type { BudgetDecision, BudgetDenial, Reservation, ScopeReport, SettleOutcome } from './decisions.js'
export type { ThresholdEvent } from './thresholds.js'
export { createActionRunner, type ActionRunner, type ActionRunnerOptions, type AlertResult } from './actions.js'
export type { SpendStore } from './spend-store.js'
export { createRedisSpendStore, type RedisSpendStoreOptions } from './redis-spend-store.js'
export { createSqliteSpendStore, type SqliteSpendStore } from './sqlite-spend-store.js'
export { SpendJournal, type JournalEntry, type JournalHealth, type SpendJournalOptions } from './journal.js'
export { reserveOwnSpend, settleOwnSpend } from './own-spend.js'
