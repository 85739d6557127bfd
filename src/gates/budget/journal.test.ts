// The crash journal: a process that dies (simulated by dropping its ledger without stop or close)
// loses no call's spend — settled calls count their cost, calls in flight their reservation — and
// what the spend store already has is not counted twice. The kill -9 of a real process is in
// test/e2e/durability.test.ts.
import { appendFileSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { SpendJournal } from './journal.js'
import { BudgetLedger } from './ledger.js'
import type { CostEstimate, ResolvedPrice } from './prices.js'
import { compileBudgets, type BudgetContext } from './scopes.js'
import type { SpendStore } from './spend-store.js'
import { createSqliteSpendStore } from './sqlite-spend-store.js'
import { budgetsConfig } from './test-support.js'

const price: ResolvedPrice = { inputPerMTok: 1, outputPerMTok: 1, cachedInputPerMTok: 1, source: 'table', key: 'openai/test' }
const estimate = (costUsd: number): CostEstimate => ({ price, inputTokens: 0, outputTokens: costUsd * 1e6, costUsd })
const usage = (usd: number) => ({ inputTokens: usd * 1e6, outputTokens: 0, cachedTokens: 0, reasoningTokens: 0 })
const ctx: BudgetContext = { provider: 'openai', model: 'gpt-4o', route: 'openai', client: 'app', tenant: 'shop', user: 'alice', shadow: false }
const T0 = Date.parse('2025-01-31T12:00:00Z')
const limits = {
  total: { scope: 'global', limitUsd: 100, window: 'day' },
  'per-user': { scope: 'user', limitUsd: 100, window: 'rolling', windowSeconds: 3600 },
}

/** One process on `dir`: its spend store (budgets.db) and journal, as runtime.ts opens them. */
function processOn(dir: string, store: SpendStore = createSqliteSpendStore(dir), compactBytes?: number) {
  const journal = SpendJournal.open(dir, compactBytes === undefined ? {} : { compactBytes })
  const ledger = new BudgetLedger({ budgets: compileBudgets(budgetsConfig({ limits })), store, journal, localShareWhenStoreDown: 1, syncOnSettle: false, now: () => T0 })
  const spent = async (): Promise<Record<string, number>> => {
    await ledger.sync(T0)
    return Object.fromEntries(ledger.report(T0).map((s) => [`${s.budget}/${s.value}`, Math.round(s.spentUsd * 1e9) / 1e9]))
  }
  return { journal, ledger, spent }
}

const freshDir = (): string => mkdtempSync(join(tmpdir(), 'sluice-journal-'))
/** The journal writes what an event-loop iteration committed when the iteration ends. */
const iterationEnds = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

describe('the crash journal', () => {
  it('recovers settled spend that was never synced', async () => {
    const dir = freshDir()
    const first = processOn(dir)
    await first.ledger.load(T0)
    first.ledger.settle(first.ledger.reserve(ctx, estimate(2), T0), { usage: usage(0.75), responseStarted: true }, T0)
    first.ledger.settle(first.ledger.reserve(ctx, estimate(2), T0), { usage: usage(0.5), responseStarted: true }, T0)
    await iterationEnds()
    // Crash: no sync, no stop, no close.

    const second = processOn(dir)
    await second.ledger.load(T0)
    second.ledger.reserve(ctx, estimate(0), T0) // brings the per-user scope into the report
    expect(await second.spent()).toEqual({ 'total/*': 1.25, 'per-user/alice': 1.25 })
    // The old journal is gone; the new one holds nothing once the store has it all.
    expect(readdirSync(dir).filter((n) => n.startsWith('budgets-journal-'))).toEqual([second.journal.path.slice(dir.length + 1)])
    expect(second.journal.amounts()).toEqual([])
  })

  it('counts a call in flight at the crash as its reservation', async () => {
    const dir = freshDir()
    const first = processOn(dir)
    await first.ledger.load(T0)
    first.ledger.reserve(ctx, estimate(2), T0)
    await iterationEnds()
    const second = processOn(dir)
    await second.ledger.load(T0)
    expect(await second.spent()).toEqual({ 'total/*': 2 })
  })

  it('does not count twice what the store already had', async () => {
    const dir = freshDir()
    const first = processOn(dir)
    await first.ledger.load(T0)
    first.ledger.settle(first.ledger.reserve(ctx, estimate(2), T0), { usage: usage(1), responseStarted: true }, T0)
    await first.ledger.sync(T0)
    expect(first.journal.amounts()).toEqual([])
    first.ledger.settle(first.ledger.reserve(ctx, estimate(2), T0), { usage: usage(0.25), responseStarted: true }, T0)
    const inFlight = first.ledger.reserve(ctx, estimate(3), T0)
    void inFlight
    await iterationEnds()

    const second = processOn(dir)
    await second.ledger.load(T0)
    expect(await second.spent()).toEqual({ 'total/*': 4.25 })
    // A third start finds nothing more to add.
    await iterationEnds()
    const third = processOn(dir)
    await third.ledger.load(T0)
    expect(await third.spent()).toEqual({ 'total/*': 4.25 })
  })

  it('a failed call releases its reservation (nothing to recover)', async () => {
    const dir = freshDir()
    const first = processOn(dir)
    await first.ledger.load(T0)
    first.ledger.settle(first.ledger.reserve(ctx, estimate(2), T0), { usage: undefined, responseStarted: false }, T0)
    expect(first.journal.amounts()).toEqual([])
    const second = processOn(dir)
    await second.ledger.load(T0)
    expect(await second.spent()).toEqual({ 'total/*': 0 })
  })

  it('keeps its sum when it compacts, and skips a torn last line', async () => {
    const dir = freshDir()
    const first = processOn(dir, undefined, 200)
    await first.ledger.load(T0)
    for (let i = 0; i < 50; i++) first.ledger.settle(first.ledger.reserve(ctx, estimate(2), T0), { usage: usage(0.01), responseStarted: true }, T0)
    first.ledger.reserve(ctx, estimate(1), T0)
    await iterationEnds()
    // Never synced: everything is still in the journal, one line per reserve and per settle.
    const lines = (): number => readFileSync(first.journal.path, 'utf8').split('\n').filter(Boolean).length
    expect(lines()).toBe(101)
    first.journal.compact(T0)
    expect(lines()).toBe(1)
    appendFileSync(first.journal.path, '["total/*","d2025-01-31",99')

    const second = processOn(dir)
    await second.ledger.load(T0)
    expect(await second.spent()).toEqual({ 'total/*': 1.5 })
  })

  it('keeps recovered spend while the store is down and sends it when it is back', async () => {
    const dir = freshDir()
    const first = processOn(dir)
    await first.ledger.load(T0)
    first.ledger.settle(first.ledger.reserve(ctx, estimate(2), T0), { usage: usage(0.5), responseStarted: true }, T0)
    await iterationEnds()

    const sqlite = createSqliteSpendStore(dir)
    let down = true
    const flaky: SpendStore = {
      add: (...args) => (down ? Promise.reject(new Error('store down')) : sqlite.add(...args)),
      get: (...args) => sqlite.get(...args),
      claim: (...args) => sqlite.claim(...args),
    }
    const second = processOn(dir, flaky)
    await second.ledger.load(T0)
    expect(second.ledger.health()).toMatchObject({ ok: false, error: expect.stringMatching(/store down/) })
    // Still in the journal, so a crash now would not lose it either.
    expect(second.journal.amounts()).toEqual(expect.arrayContaining([expect.objectContaining({ scopeKey: 'total/*', nanos: 500_000_000 })]))
    down = false
    expect(await second.spent()).toEqual({ 'total/*': 0.5 })
    expect(second.ledger.health()).toMatchObject({ ok: true, journal: { ok: true, path: second.journal.path } })
    expect(second.journal.amounts()).toEqual([])
  })

  it('writes the lines an iteration committed when it ends', async () => {
    const dir = freshDir()
    const first = processOn(dir)
    await first.ledger.load(T0)
    first.ledger.settle(first.ledger.reserve(ctx, estimate(2), T0), { usage: usage(0.25), responseStarted: true }, T0)
    const lines = (): string[] => readFileSync(first.journal.path, 'utf8').split('\n').filter(Boolean)
    expect(lines()).toEqual([])
    await iterationEnds()
    expect(lines()).toHaveLength(2)
  })

  it('compacting drops the committed lines not written yet: the sum it writes already counts them', async () => {
    const dir = freshDir()
    const first = processOn(dir, undefined, 1)
    await first.ledger.load(T0)
    first.ledger.settle(first.ledger.reserve(ctx, estimate(2), T0), { usage: usage(0.25), responseStarted: true }, T0)
    await iterationEnds()
    first.ledger.settle(first.ledger.reserve(ctx, estimate(2), T0), { usage: usage(0.25), responseStarted: true }, T0)
    first.journal.compact(T0)
    await iterationEnds()
    expect(readFileSync(first.journal.path, 'utf8').split('\n').filter(Boolean)).toHaveLength(1)
    const second = processOn(dir)
    await second.ledger.load(T0)
    expect(await second.spent()).toEqual({ 'total/*': 0.5 })
  })

  it('removes its file on a clean close with nothing owed, keeps it otherwise', async () => {
    const dir = freshDir()
    const clean = processOn(dir)
    await clean.ledger.load(T0)
    clean.ledger.settle(clean.ledger.reserve(ctx, estimate(2), T0), { usage: usage(1), responseStarted: true }, T0)
    await clean.ledger.stop()
    clean.journal.close()
    expect(readdirSync(dir).filter((n) => n.startsWith('budgets-journal-'))).toEqual([])

    const owing = processOn(dir)
    await owing.ledger.load(T0)
    owing.ledger.reserve(ctx, estimate(2), T0) // still in flight at shutdown
    await owing.ledger.stop()
    owing.journal.close()
    const next = processOn(dir)
    await next.ledger.load(T0)
    expect(await next.spent()).toEqual({ 'total/*': 3 })
  })
})
