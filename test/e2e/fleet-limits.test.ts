// Fleet rate limits hold their bound. Two replicas — two limiters built the
// way the runtime builds them (createRateLimiter over connectRateLimitRedis), each with its own
// connection — share one real redis-server. A slow Redis (a TCP proxy holding every chunk for
// 150–300 ms each way, beyond the 100 ms commandTimeoutMs) must not count as an absent one:
// across both replicas at 80 concurrent requests the admitted count stays within the GCRA bound.
// When Redis really goes away (killed, or hung past deadlineMs), the local shares of the replicas
// add up to at most the limit. Every load is bounded in time and count; traffic stays on 127.0.0.1.
import { once } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { connectRateLimitRedis, createRateLimiter, type Backend, type RateLimiter, type RateLimitContext } from '../../src/gates/rate-limit/index.js'
import { rateLimitsConfig } from '../../src/gates/rate-limit/schema.js'
import { startLatencyProxy, startRedis, type LatencyProxy, type RedisServer } from '../support/redis.js'

const ctx: RateLimitContext = { client: 'app', tenant: 'shop', targetingKey: 'u1', route: 'openai', provider: 'openai', model: 'gpt-4o-mini' }
const none = { inputTokens: 0, maxOutputTokens: 0 }

let redis: RedisServer
let slow: LatencyProxy
let jittery: LatencyProxy
let clients: Redis[] = []

beforeAll(async () => {
  redis = await startRedis()
  slow = await startLatencyProxy(redis.port, 150, 300)
  jittery = await startLatencyProxy(redis.port, 20, 200) // round trips from 40 ms to 400 ms, around the 100 ms commandTimeoutMs
})
afterAll(async () => {
  await slow?.close()
  await jittery?.close()
  await redis?.stop()
})
afterEach(() => {
  // Each test's replicas leave (their heartbeats stop with their connections).
  for (const client of clients) client.disconnect()
  clients = []
})
beforeEach(async () => {
  // The latency proxies may still hold the last test's commands (a heartbeat among them) for up
  // to 300 ms each way after its clients left: let them arrive before the flush, so no replica of
  // an earlier test is counted in this one.
  await sleep(800)
  const admin = connectRateLimitRedis(redis.url, rateLimitsConfig({}).redis)
  await once(admin, 'ready')
  await admin.flushall()
  admin.disconnect()
})

interface Replica {
  readonly name: string
  readonly limiter: RateLimiter & { stats?: () => unknown }
  readonly switches: Backend[]
}

async function replica(name: string, url: string, settings: object): Promise<Replica> {
  const config = rateLimitsConfig(settings)
  const client = connectRateLimitRedis(url, config.redis)
  clients.push(client)
  client.on('error', () => undefined) // connection errors are what the limiter reports; keep the log quiet
  await ready(client)
  const switches: Backend[] = []
  const limiter = createRateLimiter(config, client, { onSwitch: (to) => switches.push(to) })
  return { name, limiter, switches }
}

/** Waits (bounded) for the connection to come up; a connection that cannot is the limiter's problem, not the test's. */
async function ready(client: Redis, timeoutMs = 3000): Promise<void> {
  for (const started = Date.now(); client.status !== 'ready' && Date.now() - started < timeoutMs; ) await sleep(20)
}

interface Load {
  readonly admitted: number[]
  readonly local: number[]
  readonly requests: number
  readonly spanMs: number
}

/**
 * `workers` clients in a closed loop, spread evenly over the replicas, each sending its next
 * request 5 ms after the last answer, for `durationMs` (and at most `maxPerWorker` requests).
 * `spanMs` runs from the first request sent to the last answer: every decision, on Redis or
 * local, happened inside it.
 */
async function load(replicas: readonly Replica[], workers: number, durationMs: number, maxPerWorker = 1000): Promise<Load> {
  const admitted = replicas.map(() => 0)
  const local = replicas.map(() => 0)
  let requests = 0
  const started = Date.now()
  let lastAnswer = started
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      const r = w % replicas.length
      const { limiter } = replicas[r]!
      for (let i = 0; i < maxPerWorker && Date.now() - started < durationMs; i++) {
        const decision = await limiter.acquire(ctx, none, true, Date.now())
        lastAnswer = Math.max(lastAnswer, Date.now())
        requests++
        if (decision.allowed) {
          admitted[r]!++
          if (decision.lease.backend === 'local') local[r]!++
        }
        await limiter.settle(decision.lease, 0, Date.now())
        await sleep(5)
      }
    }),
  )
  return { admitted, local, requests, spanMs: lastAnswer - started }
}

/** GCRA admits at most `limit + t / interval` over any span t (docs/rate-limits.md, Algorithm). */
const gcraBound = (limit: number, windowSeconds: number, spanMs: number): number => limit + Math.floor(spanMs / ((windowSeconds * 1000) / limit))
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0)

const urlOf = (path: string): string => (path === 'slow' ? slow.url : path === 'jittery' ? jittery.url : redis.url)

describe('a fleet limit on a slow Redis', () => {
  const rules = [{ name: 'fleet', requests: { limit: 100, windowSeconds: 60 }, concurrent: 1000 }]

  it.each([
    ['A behind the slow proxy, B direct', ['slow', 'direct']],
    ['both behind the slow proxy', ['slow', 'slow']],
    ['both behind the jittery proxy', ['jittery', 'jittery']],
  ])('admits at most the GCRA bound across two replicas at 80 concurrent requests: %s', async (_, paths) => {
    const replicas = await Promise.all(paths.map((path, i) => replica(`r${i}`, urlOf(path), { rules })))
    const result = await load(replicas, 80, 3000)
    const bound = gcraBound(100, 60, result.spanMs)
    const total = sum(result.admitted)
    console.log(JSON.stringify({ paths, ...result, total, bound, switches: replicas.map((r) => r.switches), stats: replicas.map((r) => r.limiter.stats?.()) }))
    expect(total).toBeLessThanOrEqual(bound)
    expect(total).toBeGreaterThanOrEqual(100) // the limit is used, not starved
    expect(sum(result.local)).toBe(0) // slow, never down: every decision came from Redis
    expect(replicas.flatMap((r) => r.switches)).toEqual([])
  })
})

describe('a fleet limit when Redis goes away', () => {
  // A long window, so the outage's few seconds refill nothing: the bound is the limit itself.
  const rules = [{ name: 'fleet', requests: { limit: 100, windowSeconds: 3600 }, concurrent: 1000 }]

  it.each([
    ['killed, localShare 1 (the replica count decides)', 2, 1, 'kill'],
    ['killed, localShare 0.5 (the default)', 2, 0.5, 'kill'],
    ['killed, three replicas', 3, 1, 'kill'],
    ['hung past deadlineMs (connections stay up)', 2, 1, 'hang'],
  ] as const)('the local shares across the replicas never exceed the limit: %s', async (_, count, localShare, how) => {
    const settings = { rules, redis: { localShare } }
    const replicas = await Promise.all(Array.from({ length: count }, (_, i) => replica(`r${i}`, how === 'hang' ? slow.url : redis.url, settings)))
    try {
      // Every replica has seen the others' heartbeats (beats every second).
      await vi.waitFor(() => expect(replicas.map((r) => (r.limiter.stats?.() as { replicas: number | null }).replicas)).toEqual(replicas.map(() => count)), {
        timeout: 5000,
        interval: 50,
      })
      if (how === 'kill') await redis.kill()
      else slow.setDelay(10_000, 10_000) // chunks now arrive long after deadlineMs (1 s)
      const result = await load(replicas, 80, how === 'kill' ? 1500 : 3000)
      const total = sum(result.admitted)
      const share = Math.floor(Math.min(localShare, 1 / count) * 100)
      console.log(JSON.stringify({ how, count, localShare, ...result, total, limit: 100, share, stats: replicas.map((r) => r.limiter.stats?.()) }))
      expect(sum(result.local)).toBe(total) // every admission was local
      for (const admitted of result.admitted) expect(admitted).toBeLessThanOrEqual(share)
      expect(total).toBeLessThanOrEqual(100)
      expect(total).toBe(share * count) // and each replica used its share
    } finally {
      slow.setDelay(150, 300)
      if (how === 'kill') await redis.restart()
    }
  })
})
