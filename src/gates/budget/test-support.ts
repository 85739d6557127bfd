// Test support for the budget tests: configs as the loader hands them over. (Excluded from the
// build; the Redis tests use test/support/redis.ts.)
import { Value } from '@sinclair/typebox/value'
import { BudgetSchema, BudgetsSchema, type BudgetsConfig } from './schema.js'

/**
 * `budgets:` as the config loader hands it over: defaults filled, validated. TypeBox's Default
 * skips Record values, hence the per-budget pass (src/config/shape.ts explains).
 */
export function budgetsConfig(input: { limits?: Record<string, unknown> } & Record<string, unknown>): BudgetsConfig {
  const limits = Object.fromEntries(Object.entries(input.limits ?? {}).map(([name, b]) => [name, Value.Default(BudgetSchema, b)]))
  return Value.Parse(BudgetsSchema, { ...input, limits })
}
