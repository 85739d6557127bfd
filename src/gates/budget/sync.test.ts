// Syncing through a shared store and threshold events, with two ledgers standing in for two
// replicas over one in-memory state store.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BudgetLedger } from './ledger.js'
import type { CostEstimate } from './prices.js'
import { createSqliteSpendStore, type SqliteSpendStore } from './sqlite-spend-store.js'
import { compileBudgets, type BudgetContext } from './scopes.js'
import type { ThresholdEvent } from './thresholds.js'
import { budgetsConfig } from './test-support.js'

const price = { inputPerMTok: 1, outputPerMTok: 1, cachedInputPerMTok: 1, source: 'table', key: 'k' } as const
const estimate: CostEstimate = { price, inputTokens: 0, outputTokens: 0, costUsd: 0 }
const ctx: BudgetContext = { provider: 'openai', model: 'm', route: 'openai', client: 'app', tenant: 'shop', user: 'alice', shadow: false }
/** A spend store of its own per test; replicas in one test share the file, as processes would. */
const freshSpendStore = (): SqliteSpendStore => createSqliteSpendStore(mkdtempSync(join(tmpdir(), 'sluice-spend-')))
const T0 = Date.parse('2025-01-31T12:00:00Z')

function replica(state: SqliteSpendStore, limits: Record<string, unknown>, share = 1, syncOnSettle: boolean | 'crossing' = false) {
  const events: ThresholdEvent[] = []
  const ledger = new BudgetLedger({
    budgets: compileBudgets(budgetsConfig({ limits })),
    store: state,
    localShareWhenStoreDown: share,
    syncOnSettle,
    now: () => T0,
    onThreshold: (event) => events.push(event),
  })
  const spend = (usd: number, at = T0, on = ctx): void => {
    ledger.settle(ledger.reserve(on, estimate, at), { usage: { inputTokens: usd * 1e6, outputTokens: 0, cachedTokens: 0, reasoningTokens: 0 }, responseStarted: true }, at)
  }
  return { ledger, events, spend }
}

const daily = { total: { scope: 'global', limitUsd: 10, window: 'day' } }

describe('sharing spend', () => {
  it('makes each replica see the other\'s spend after a sync, and survives a restart', async () => {
    const state = freshSpendStore()
    const a = replica(state, daily)
    const b = replica(state, daily)
    a.spend(3)
    b.spend(4)
    await a.ledger.sync(T0)
    await b.ledger.sync(T0)
    await a.ledger.sync(T0)
    expect(a.ledger.report(T0)[0]?.spentUsd).toBe(7)
    expect(b.ledger.report(T0)[0]?.spentUsd).toBe(7)
    expect(b.ledger.check(ctx, 3.5, T0)).toMatchObject({ kind: 'deny' })

    const restarted = replica(state, daily)
    await restarted.ledger.load(T0)
    expect(restarted.ledger.report(T0)[0]?.spentUsd).toBe(7)
  })

  it('spends only its share of what remained while the store is down', async () => {
    const state = freshSpendStore()
    const a = replica(state, daily, 0.5)
    a.spend(4)
    await a.ledger.sync(T0)
    state.close()
    a.spend(1)
    await a.ledger.sync(T0)
    expect(a.ledger.health()).toMatchObject({ ok: false, lastSyncAtMs: T0, error: expect.stringMatching(/not open/) })
    // Synced 4, limit 10: this replica may take half of the remaining 6 while it cannot see the others.
    expect(a.ledger.check(ctx, 2, T0)).toEqual({ kind: 'allow' })
    expect(a.ledger.check(ctx, 2.01, T0)).toMatchObject({ kind: 'deny', reason: 'limit' })
  })
})

const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve))
}

describe('the sync loop', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('syncs every interval once started, and sends what is left on stop', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
    const state = freshSpendStore()
    const spend = state
    const a = replica(state, daily)
    a.ledger.start(250)
    a.spend(1)
    await turns(5)
    expect(await spend.get('total/*', 'd2025-01-31')).toBe(0)
    await vi.advanceTimersByTimeAsync(250)
    await turns(5)
    expect(await spend.get('total/*', 'd2025-01-31')).toBe(1)
    a.spend(2)
    await a.ledger.stop()
    expect(await spend.get('total/*', 'd2025-01-31')).toBe(3)
  })

  it('syncs right after a settle when onSettle is on', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
    const state = freshSpendStore()
    const a = replica(state, daily, 1, true)
    a.ledger.start(3_600_000)
    a.spend(1)
    await turns(5)
    expect(await state.get('total/*', 'd2025-01-31')).toBe(1)
    await a.ledger.stop()
  })
})

describe('threshold events', () => {
  const limits = {
    total: {
      scope: 'global',
      limitUsd: 10,
      window: 'day',
      timeZone: 'America/New_York',
      thresholds: [
        { atPercent: 50, actions: [{ action: 'alert' }] },
        { atPercent: 80, actions: [{ action: 'alert' }, { action: 'throttle', factor: 0.5 }] },
        { atPercent: 100, actions: [{ action: 'shutdown' }] },
      ],
    },
  }

  it('fire once per window per threshold, lowest first', async () => {
    const { ledger, events, spend } = replica(freshSpendStore(), limits)
    spend(4)
    await ledger.sync(T0)
    expect(events).toEqual([])
    spend(4.5)
    await ledger.sync(T0)
    expect(events.map((e) => e.atPercent)).toEqual([50, 80])
    expect(events[1]).toEqual({
      id: 'total/*|d2025-01-31|80',
      budget: 'total',
      scope: 'global',
      value: '*',
      window: 'day',
      windowKey: 'd2025-01-31',
      windowEndMs: Date.parse('2025-02-01T05:00:00Z'),
      atPercent: 80,
      limitUsd: 10,
      spentUsd: 8.5,
      actions: [{ action: 'alert' }, { action: 'throttle', factor: 0.5 }],
      atMs: T0,
    })
    spend(0.1)
    await ledger.sync(T0)
    expect(events).toHaveLength(2)
    spend(2)
    await ledger.sync(T0)
    expect(events.map((e) => e.atPercent)).toEqual([50, 80, 100])

    // A new day: spend starts from zero and every threshold may fire again.
    const tomorrow = T0 + 86_400_000
    spend(6, tomorrow)
    await ledger.sync(tomorrow)
    expect(events.map((e) => `${e.windowKey}@${e.atPercent}`).slice(3)).toEqual(['d2025-02-01@50'])
  })

  it("with onSettle 'crossing' (a local store), sync after a settle only when it crosses one", async () => {
    const state = freshSpendStore()
    const a = replica(state, limits, 1, 'crossing')
    a.ledger.start(3_600_000)
    a.spend(1)
    await turns(5)
    expect(await state.get('total/*', 'd2025-01-31')).toBe(0)
    a.spend(4.5)
    await turns(5)
    expect(await state.get('total/*', 'd2025-01-31')).toBe(5.5)
    expect(a.events.map((e) => e.atPercent)).toEqual([50])
    a.spend(1)
    await turns(5)
    expect(await state.get('total/*', 'd2025-01-31')).toBe(5.5)
    await a.ledger.stop()
    expect(await state.get('total/*', 'd2025-01-31')).toBe(6.5)
  })

  it('fire once across the fleet', async () => {
    const state = freshSpendStore()
    const a = replica(state, limits)
    const b = replica(state, limits)
    a.spend(6)
    b.spend(6)
    await a.ledger.sync(T0)
    await b.ledger.sync(T0)
    await a.ledger.sync(T0)
    expect([...a.events, ...b.events].map((e) => e.atPercent).sort()).toEqual([100, 50, 80])
  })

  it('re-arm in a rolling window once spend falls back below them', async () => {
    const rolling = { hourly: { scope: 'user', limitUsd: 1, window: 'rolling', windowSeconds: 3600, thresholds: [{ atPercent: 50, actions: [{ action: 'alert' }] }] } }
    const { ledger, events, spend } = replica(freshSpendStore(), rolling)
    spend(0.6, 0)
    await ledger.sync(0)
    spend(0.1, 1_000_000)
    await ledger.sync(1_000_000)
    expect(events).toHaveLength(1)
    // At 61 min the first spend has left the window: 0.1 USD counts, below 50 %.
    spend(0, 3_660_000)
    await ledger.sync(3_660_000)
    spend(0.5, 3_700_000)
    await ledger.sync(3_700_000)
    expect(events.map((e) => [e.value, e.spentUsd])).toEqual([['alice', 0.6], ['alice', 0.6]])
  })
})
