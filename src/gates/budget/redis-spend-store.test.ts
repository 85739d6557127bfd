// Against a real redis-server on an ephemeral port: exact sums across clients, expiry, claims,
// and the ledger's fail mode when Redis goes away and comes back empty.
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BudgetLedger } from './ledger.js'
import type { CostEstimate } from './prices.js'
import { createRedisSpendStore } from './redis-spend-store.js'
import { compileBudgets, type BudgetContext } from './scopes.js'
import { toNanos } from './spend-store.js'
import { calendarSlot } from './windows.js'
import { fastFailClients, startRedis, type RedisServer } from '../../../test/support/redis.js'
import { budgetsConfig } from './test-support.js'

let server: RedisServer
const { client, clients, disconnectAll } = fastFailClients(() => server.url)

beforeAll(async () => {
  server = await startRedis()
})
afterAll(async () => {
  disconnectAll()
  await server.stop()
})

// Redis expires keys by its own clock, so these tests live in the present.
const T0 = Date.now()
const HOUR = 3_600_000

describe('redis spend store', () => {
  it('sums concurrent adds from two clients exactly', async () => {
    const a = createRedisSpendStore(await client())
    const b = createRedisSpendStore(await client())
    // Amounts that do not add up exactly in binary floating point.
    const amounts = Array.from({ length: 400 }, (_, i) => 0.1 + i * 0.000_000_7 + (i % 3) * 0.01)
    const totals = await Promise.all(amounts.map((usd, i) => (i % 2 === 0 ? a : b).add('exact/*', 'd1', usd, T0 + HOUR, 0)))
    const expectedNanos = amounts.reduce((sum, usd) => sum + toNanos(usd), 0)
    expect(toNanos(await a.get('exact/*', 'd1'))).toBe(expectedNanos)
    expect(toNanos(Math.max(...totals))).toBe(expectedNanos)
    // Each add saw a distinct running total: no two were applied together.
    expect(new Set(totals).size).toBe(amounts.length)
  })

  it('lets the key expire with its window, never sooner than a minute', async () => {
    const redis = await client()
    const store = createRedisSpendStore(redis, { keyPrefix: 'test:' })
    const expiresAtMs = Date.now() + HOUR
    expect(await store.add('ttl/*', 'd1', 1.5, expiresAtMs, 0)).toBe(1.5)
    expect(await redis.get('test:spend:ttl/*|d1')).toBe('1500000000')
    expect(Math.abs((await redis.pexpiretime('test:spend:ttl/*|d1')) - expiresAtMs)).toBeLessThanOrEqual(1)
    expect(await store.get('ttl/*', 'never')).toBe(0)
    await store.add('ttl/*', 'past', 1, 0, 0)
    expect(await redis.pttl('test:spend:ttl/*|past')).toBeGreaterThan(59_000)
  })

  it('raises a lost total to the largest one a client saw, not to the sum', async () => {
    const a = createRedisSpendStore(await client())
    const b = createRedisSpendStore(await client())
    // Both saw 4 USD before Redis lost the key; a adds 1, b adds 0.25.
    const [ta, tb] = await Promise.all([a.add('lost/*', 'd1', 1, T0 + HOUR, 4), b.add('lost/*', 'd1', 0.25, T0 + HOUR, 4)])
    expect(await a.get('lost/*', 'd1')).toBe(5.25)
    expect(Math.max(ta, tb)).toBe(5.25)
  })

  it('grants a claim to one client only', async () => {
    const a = createRedisSpendStore(await client())
    const b = createRedisSpendStore(await client())
    const results = await Promise.all([a.claim('m|d1|80', Date.now() + HOUR), b.claim('m|d1|80', Date.now() + HOUR)])
    expect(results.sort()).toEqual([false, true])
  })
})

describe('ledgers sharing redis', () => {
  const ctx: BudgetContext = { provider: 'openai', model: 'm', route: 'openai', client: 'app', tenant: 't', user: 'u', shadow: false }
  const price = { inputPerMTok: 1, outputPerMTok: 1, cachedInputPerMTok: 1, source: 'table', key: 'k' } as const
  const estimate: CostEstimate = { price, inputTokens: 0, outputTokens: 0, costUsd: 0.5 }
  const usage = (usd: number) => ({ inputTokens: usd * 1e6, outputTokens: 0, cachedTokens: 0, reasoningTokens: 0 })

  async function replica(prefix: string, share = 1) {
    const ledger = new BudgetLedger({
      budgets: compileBudgets(budgetsConfig({ limits: { total: { scope: 'global', limitUsd: 10, window: 'day' } } })),
      store: createRedisSpendStore(await client(), { keyPrefix: prefix }),
      localShareWhenStoreDown: share,
      syncOnSettle: false,
    })
    const spend = (usd: number) => ledger.settle(ledger.reserve(ctx, estimate, T0), { usage: usage(usd), responseStarted: true }, T0)
    return { ledger, spend }
  }

  it('share one budget', async () => {
    const a = await replica('share:')
    const b = await replica('share:')
    a.spend(6)
    await a.ledger.sync(T0)
    b.spend(1)
    await b.ledger.sync(T0)
    expect(b.ledger.check(ctx, 3, T0)).toEqual({ kind: 'allow' })
    expect(b.ledger.check(ctx, 3.01, T0)).toMatchObject({ kind: 'deny', spentUsd: 7 })
  })

  it('keep a local ledger while redis is down and reconcile, repairing lost totals, when it is back', async () => {
    const a = await replica('outage:', 0.5)
    const b = await replica('outage:', 0.5)
    a.spend(2)
    b.spend(2)
    await a.ledger.sync(T0)
    await b.ledger.sync(T0)
    await a.ledger.sync(T0)
    expect(a.ledger.report(T0)[0]?.spentUsd).toBe(4)

    await server.stop()
    a.spend(1)
    await a.ledger.sync(T0)
    expect(a.ledger.health().ok).toBe(false)
    // Each replica may now spend half of the 6 USD left at the last sync: 3, of which 1 is spent.
    expect(a.ledger.check(ctx, 2, T0)).toEqual({ kind: 'allow' })
    expect(a.ledger.check(ctx, 2.01, T0)).toMatchObject({ kind: 'deny' })

    // Redis comes back empty (no persistence). Both replicas re-send what they know was spent.
    // Not events.once: it rejects on the connection errors emitted while reconnecting.
    const ready = Promise.all(clients.map((c) => new Promise((resolve) => c.once('ready', resolve))))
    await server.restart()
    await ready
    await a.ledger.sync(T0)
    await b.ledger.sync(T0)
    await a.ledger.sync(T0)
    expect(a.ledger.health().ok).toBe(true)
    expect(a.ledger.report(T0)[0]?.spentUsd).toBe(5)
    expect(b.ledger.report(T0)[0]?.spentUsd).toBe(5)
    const store = createRedisSpendStore(await client(), { keyPrefix: 'outage:' })
    expect(await store.get('total/*', calendarSlot('day', 'UTC', T0).key)).toBe(5)
    expect(a.ledger.check(ctx, 5, T0)).toEqual({ kind: 'allow' })
  })
})
