import { describe, expect, it } from 'vitest'
import { BudgetLedger } from './ledger.js'
import type { CostEstimate, ResolvedPrice } from './prices.js'
import { createSqliteSpendStore, type SqliteSpendStore } from './sqlite-spend-store.js'
import { budgetsConfig } from './test-support.js'
import { compileBudgets, type BudgetContext } from './scopes.js'

// $1 per million tokens in and out, $0.10 cached: costs are easy to read.
const price: ResolvedPrice = { inputPerMTok: 1, outputPerMTok: 1, cachedInputPerMTok: 0.1, source: 'table', key: 'openai/test' }
const estimate = (costUsd: number): CostEstimate => ({ price, inputTokens: 0, outputTokens: costUsd * 1e6, costUsd })
const usage = (inputTokens: number, outputTokens: number, cachedTokens = 0) => ({ inputTokens, outputTokens, cachedTokens, reasoningTokens: 0 })

const ctx: BudgetContext = { provider: 'openai', model: 'gpt-4o', route: 'openai', client: 'app', tenant: 'shop', user: 'alice', shadow: false }
/** A spend store of its own per test; replicas in one test share the file, as processes would. */
const freshSpendStore = (): SqliteSpendStore => createSqliteSpendStore(':memory:')
const T0 = Date.parse('2025-03-09T12:00:00Z') // a 23-hour day in New York

async function ledgerFor(limits: Record<string, unknown>, options: { share?: number } = {}) {
  const budgets = budgetsConfig({ limits })
  const state = freshSpendStore()
  const ledger = new BudgetLedger({
    budgets: compileBudgets(budgets),
    store: state,
    localShareWhenStoreDown: options.share ?? 1,
    syncOnSettle: false,
  })
  return { ledger, state }
}

describe('reserve and settle', () => {
  it('holds the estimate, then replaces it with the actual cost', async () => {
    const { ledger } = await ledgerFor({ total: { scope: 'global', limitUsd: 10, window: 'day' } })
    const r = ledger.reserve(ctx, estimate(2), T0)
    expect(ledger.report(T0)[0]).toMatchObject({ spentUsd: 0, reservedUsd: 2 })
    expect(ledger.settle(r, { usage: usage(300_000, 200_000, 100_000), responseStarted: true }, T0)).toBeCloseTo(0.41, 12)
    expect(ledger.report(T0)[0]).toMatchObject({ reservedUsd: 0 })
    expect(ledger.report(T0)[0]?.spentUsd).toBeCloseTo(0.41, 12)
  })

  it.each([
    ['a failed call (no usage, no response) costs nothing', { usage: undefined, responseStarted: false }, 0],
    ['an upstream error with zero usage costs nothing', { usage: usage(0, 0), responseStarted: false }, 0],
    ['an aborted stream is charged the usage seen so far', { usage: usage(500_000, 20_000), responseStarted: true }, 0.52],
    ['a started response without usage is charged the estimate', { usage: undefined, responseStarted: true }, 2],
  ])('%s', async (_name, outcome, cost) => {
    const { ledger } = await ledgerFor({ total: { scope: 'global', limitUsd: 10, window: 'day' } })
    const r = ledger.reserve(ctx, estimate(2), T0)
    expect(ledger.settle(r, outcome, T0)).toBeCloseTo(cost, 12)
    expect(ledger.report(T0)[0]).toMatchObject({ reservedUsd: 0 })
    expect(ledger.report(T0)[0]?.spentUsd).toBeCloseTo(cost, 12)
  })

  it('ignores a second settle of the same reservation', async () => {
    const { ledger } = await ledgerFor({ total: { scope: 'global', limitUsd: 10, window: 'day' } })
    const r = ledger.reserve(ctx, estimate(2), T0)
    ledger.settle(r, { usage: usage(1_000_000, 0), responseStarted: true }, T0)
    expect(ledger.settle(r, { usage: usage(1_000_000, 0), responseStarted: true }, T0)).toBe(0)
    expect(ledger.report(T0)[0]?.spentUsd).toBe(1)
  })

  it('charges a call that spans midnight to the window it ends in', async () => {
    const { ledger } = await ledgerFor({ total: { scope: 'global', limitUsd: 10, window: 'day', timeZone: 'America/New_York' } })
    const r = ledger.reserve(ctx, estimate(1), Date.parse('2025-03-10T03:59:00Z'))
    const next = Date.parse('2025-03-10T04:01:00Z')
    ledger.settle(r, { usage: usage(1_000_000, 0), responseStarted: true }, next)
    expect(ledger.report(next)[0]).toMatchObject({ windowKey: 'd2025-03-10', spentUsd: 1, reservedUsd: 0 })
  })
})

describe('check', () => {
  it('refuses a call whose estimate would pass the limit, counting reservations in flight', async () => {
    const { ledger } = await ledgerFor({ total: { scope: 'global', limitUsd: 5, window: 'day', timeZone: 'America/New_York' } })
    expect(ledger.check(ctx, 3, T0)).toEqual({ kind: 'allow' })
    ledger.reserve(ctx, estimate(3), T0)
    expect(ledger.check(ctx, 2, T0)).toEqual({ kind: 'allow' })
    // Retry-After is the time to local midnight: 2025-03-10T04:00Z (EDT has begun).
    expect(ledger.check(ctx, 2.01, T0)).toEqual({
      kind: 'deny',
      code: 'SLUICE_ERR_BUDGET_EXCEEDED',
      reason: 'limit',
      retryAfterSeconds: 16 * 3600,
      budget: 'total',
      scope: 'global',
      value: '*',
      limitUsd: 5,
      spentUsd: 0,
    })
  })

  it('in monitor mode allows and reports what it would have refused', async () => {
    const { ledger } = await ledgerFor({ total: { scope: 'global', limitUsd: 1, window: 'day' } })
    const decision = ledger.check(ctx, 2, T0, false)
    expect(decision).toMatchObject({ kind: 'allow', wouldDeny: { reason: 'limit', budget: 'total' } })
  })

  it('checks every scope the request counts toward and reports the one that reopens last', async () => {
    const { ledger } = await ledgerFor({
      perUser: { scope: 'user', limitUsd: 1, window: 'rolling', windowSeconds: 3600 },
      shopMonthly: { scope: 'tenant', target: 'shop', limitUsd: 1, window: 'month' },
      otherTenant: { scope: 'tenant', target: 'other', limitUsd: 0, window: 'day' },
    })
    ledger.settle(ledger.reserve(ctx, estimate(1), T0), { usage: usage(1_000_000, 0), responseStarted: true }, T0)
    const denial = ledger.check(ctx, 0.5, T0)
    expect(denial).toMatchObject({ kind: 'deny', budget: 'shopMonthly', scope: 'tenant', value: 'shop' })
    expect(ledger.check({ ...ctx, user: 'bob', tenant: 'third' }, 0.5, T0)).toEqual({ kind: 'allow' })
  })

  it('gives a rolling window the time until enough old spend leaves it', async () => {
    const { ledger } = await ledgerFor({ hourly: { scope: 'user', limitUsd: 3, window: 'rolling', windowSeconds: 3600 } })
    const spend = (usd: number, at: number) => ledger.settle(ledger.reserve(ctx, estimate(usd), at), { usage: usage(usd * 1e6, 0), responseStarted: true }, at)
    spend(1, 0)
    spend(1, 600_000)
    spend(1, 1_200_000)
    // At 30 min the window is full. 1 USD more fits once the first bucket (0–60 s) leaves, at 61 min.
    expect(ledger.check(ctx, 1, 1_800_000)).toMatchObject({ kind: 'deny', retryAfterSeconds: 3660 - 1800 })
    // 2 USD needs the second bucket (600–660 s) gone too, at 71 min.
    expect(ledger.check(ctx, 2, 1_800_000)).toMatchObject({ kind: 'deny', retryAfterSeconds: 4260 - 1800 })
    expect(ledger.check(ctx, 1, 3_660_000)).toEqual({ kind: 'allow' })
  })

  it('keeps shadow traffic in its own scope (and global)', async () => {
    const { ledger } = await ledgerFor({
      shadow: { scope: 'shadow', limitUsd: 1, window: 'day' },
      perUser: { scope: 'user', limitUsd: 1, window: 'day' },
      total: { scope: 'global', limitUsd: 100, window: 'day' },
    })
    const shadow = { ...ctx, shadow: true }
    ledger.settle(ledger.reserve(shadow, estimate(1), T0), { usage: usage(1_000_000, 0), responseStarted: true }, T0)
    expect(ledger.check(shadow, 0.5, T0)).toMatchObject({ kind: 'deny', budget: 'shadow' })
    expect(ledger.check(ctx, 0.5, T0)).toEqual({ kind: 'allow' })
    expect(ledger.report(T0).map((r) => [r.budget, r.spentUsd])).toEqual([['shadow', 1], ['total', 1]])
  })
})

describe('threshold effects', () => {
  const limits = {
    perUser: {
      scope: 'user',
      limitUsd: 10,
      window: 'day',
      thresholds: [
        { atPercent: 50, actions: [{ action: 'throttle', factor: 0.5 }, { action: 'downgrade', toModel: 'gpt-4o-mini' }] },
        { atPercent: 70, actions: [{ action: 'throttle', factor: 0.2 }, { action: 'downgrade', toModel: 'gpt-4.1-nano' }] },
        { atPercent: 90, actions: [{ action: 'disable' }] },
      ],
    },
  }
  const spendTo = async (usd: number) => {
    const { ledger } = await ledgerFor(limits)
    ledger.settle(ledger.reserve(ctx, estimate(0), T0), { usage: usage(usd * 1e6, 0), responseStarted: true }, T0)
    return ledger
  }

  it.each([
    [4, 1, undefined],
    [5, 0.5, 'gpt-4o-mini'],
    [8, 0.2, 'gpt-4.1-nano'],
  ])('at %f USD of 10: throttle %f, downgrade to %s', async (usd, factor, model) => {
    const ledger = await spendTo(usd)
    expect(ledger.throttleFactor(ctx, T0)).toBe(factor)
    expect(ledger.check(ctx, 0.1, T0)).toEqual(model === undefined ? { kind: 'allow' } : { kind: 'allow', downgradeTo: model })
    expect(ledger.throttleFactor({ ...ctx, user: 'bob' }, T0)).toBe(1)
  })

  it('does not downgrade in monitor mode', async () => {
    expect((await spendTo(5)).check(ctx, 0.1, T0, false)).toEqual({ kind: 'allow' })
  })

  it('refuses a disabled scope though the limit is not reached', async () => {
    const ledger = await spendTo(9)
    expect(ledger.check(ctx, 0.1, T0)).toMatchObject({ kind: 'deny', reason: 'disabled', spentUsd: 9 })
    expect(ledger.check({ ...ctx, user: 'bob' }, 0.1, T0)).toEqual({ kind: 'allow' })
  })
})

describe('reconfigure', () => {
  it('keeps spend when a budget changes its limit, starts over when its window changes', async () => {
    const { ledger } = await ledgerFor({ total: { scope: 'global', limitUsd: 10, window: 'day' } })
    ledger.settle(ledger.reserve(ctx, estimate(1), T0), { usage: usage(4e6, 0), responseStarted: true }, T0)
    const parse = (limits: Record<string, unknown>) => compileBudgets(budgetsConfig({ limits }))
    ledger.reconfigure(parse({ total: { scope: 'global', limitUsd: 5, window: 'day' } }))
    expect(ledger.check(ctx, 1, T0)).toEqual({ kind: 'allow' })
    expect(ledger.check(ctx, 1.1, T0)).toMatchObject({ kind: 'deny' })
    ledger.reconfigure(parse({ total: { scope: 'global', limitUsd: 5, window: 'month' } }))
    expect(ledger.check(ctx, 5, T0)).toEqual({ kind: 'allow' })
  })
})
