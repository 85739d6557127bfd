// An A/B experiment across a fleet: two Sluice replicas sharing one real redis-server (state and
// experiment outcomes) and one set of provider emulators, driven with the official openai SDK.
// Proves: (1) assignment is identical on both replicas and equals assign(assignmentTable(...)) —
// users outside the allocation are untagged on both; (2) outcomes add up exactly — N requests
// split across the replicas give success n = N and per-variant users = distinct users, read from
// the results endpoint of either replica once both have flushed (each flushes about once a
// second; a bounded poll waits for it); (3) an application event for a user exposed on replica A
// is accepted by replica B (B learns the exposure from Redis), a never-exposed user is rejected
// with 409 SLUICE_ERR_EVENT_UNASSIGNED, and the metric's n equals the accepted events; (4) stopping
// the experiment on A's admin API stops B tagging responses within 2 s; (5) the replicas share
// bandit statistics through Redis: with Gemini failing, requests for the bandit model `duo` sent
// to A alone show up in B's GET /v1/bandits (Gemini's attempts and errors, OpenAI's larger share),
// and a feedback token B issued is accepted by A (the fleet shares the feedback secret). Every
// loop is bounded.
import OpenAI from 'openai'
import { setTimeout as sleep } from 'node:timers/promises'
import { isDeepStrictEqual } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EMULATOR_CREDENTIALS, startEmulators, type Emulators } from '../../src/emulators/index.js'
import { TRAFFIC_ON_FLAGS } from '../../src/emulators/sluice-config.js'
import { createLogger } from '../../src/log.js'
import { startSluice, type Sluice } from '../../src/main.js'
import { DEFAULT_CONSTRAINTS } from '../../src/steering/bandit/constraints.js'
import { assign, assignmentTable } from '../../src/steering/experiments/assign.js'
import type { ExperimentResults } from '../../src/steering/experiments/results-types.js'
import { startRedis, type RedisServer } from '../support/redis.js'
import { seededRandom } from '../support/random.js'
import { CLIENT, stackConfig } from '../support/stack.js'

const OPERATOR = 'fleet-operator-token-0123456789'
const VIEWER = 'fleet-viewer-token-0123456789'
const KEY = 'fleetab'
const SEED = 'fleet-seed-7'
const ALLOCATION = 90
const VARIANTS = [
  { name: 'control', control: true, weight: 1, target: { provider: 'openai', model: 'gpt-4o-mini' } },
  { name: 'gemini', weight: 1, target: { provider: 'google', model: 'gemini-2.5-flash' } },
]
const VARIANT_NAMES = VARIANTS.map((v) => v.name)
const table = assignmentTable(SEED, VARIANTS, ALLOCATION)
const predicted = (user: string): string | undefined => assign(table, user)
const HELLO = [{ role: 'user' as const, content: 'Say hello.' }]

const POLL_MS = 100
const CONVERGE_MS = 5000

// The bandit model of check 5: its own targets, never in the experiment (which is on `chat`).
const DUO = 'duo'
const OPENAI_ARM = 'openai/gpt-4o-mini'
const GOOGLE_ARM = 'google/gemini-2.5-flash'
const MAX_DUO = 400
const BANDIT_MODE_FLAG = { state: 'ENABLED', variants: { off: 'off', shadow: 'shadow', canary: 'canary', active: 'active' }, defaultVariant: 'active' }

let redis: RedisServer
let emulators: Emulators
let a: Sluice
let b: Sluice

// Every request the experiment counted so far (allocated users, experiment running): the ledger
// the fleet's results must match exactly.
const ledger = { requests: 0, users: new Map<string, string>() }
function counted(user: string): void {
  const variant = predicted(user)
  if (variant === undefined) return
  ledger.requests++
  ledger.users.set(user, variant)
}
function expectedUsers(): Record<string, number> {
  const users = Object.fromEntries(VARIANT_NAMES.map((v) => [v, 0]))
  for (const variant of ledger.users.values()) users[variant]!++
  return users
}

beforeAll(async () => {
  redis = await startRedis()
  emulators = await startEmulators({ auth: EMULATOR_CREDENTIALS })
  const configText = JSON.stringify(
    stackConfig(emulators, {
      state: { store: 'redis', redis: { url: redis.url } },
      admin: {
        host: '127.0.0.1',
        port: 0,
        tokens: [
          { name: 'oncall', token: OPERATOR, role: 'operator' },
          { name: 'dash', token: VIEWER, role: 'viewer' },
        ],
      },
      flags: { ...TRAFFIC_ON_FLAGS, 'ai.bandit.mode': BANDIT_MODE_FLAG },
      // No retries and no circuit: every Gemini failure in check 5 is the bandit's to see (the
      // earlier checks never see a failure, so this changes nothing for them).
      resilience: { retries: { maxRetries: 0 }, circuitBreaker: { enabled: false } },
      models: {
        chat: { targets: [{ provider: 'openai', model: 'gpt-4o-mini' }, { provider: 'google', model: 'gemini-2.5-flash', weight: 0 }] },
        [DUO]: {
          targets: [
            { provider: 'openai', model: 'gpt-4o-mini' },
            { provider: 'google', model: 'gemini-2.5-flash' },
          ],
          bandit: { feedbackSecret: 'fleet-bandit-secret-0123456789ab', syncMs: 100, reward: { success: 0.8, quality: 0.2 } },
        },
      },
      experiments: {
        [KEY]: { status: 'running', model: 'chat', seed: SEED, allocationPercent: ALLOCATION, variants: VARIANTS, metrics: { thumbs_up: { kind: 'proportion' } } },
      },
    }),
  )
  a = await startSluice({ configText, logger: createLogger('warn') })
  b = await startSluice({ configText, logger: createLogger('warn') })
}, 30_000)
afterAll(async () => {
  await a?.close()
  await b?.close()
  await emulators?.close()
  await redis?.stop()
})

async function ask(replica: Sluice, user: string): Promise<Headers> {
  const client = new OpenAI({ baseURL: `${replica.dataUrl}/v1`, apiKey: CLIENT.credentials.apiKey, maxRetries: 0 })
  const { response } = await client.chat.completions.create({ model: 'chat', messages: HELLO }, { headers: { 'x-sluice-user': user } }).withResponse()
  return response.headers
}

async function askDuo(replica: Sluice, user: string): Promise<Headers> {
  const client = new OpenAI({ baseURL: `${replica.dataUrl}/v1`, apiKey: CLIENT.credentials.apiKey, maxRetries: 0 })
  const { response } = await client.chat.completions.create({ model: DUO, messages: HELLO }, { headers: { 'x-sluice-user': user } }).withResponse()
  return response.headers
}

async function admin(replica: Sluice, method: string, path: string, body?: unknown, token = OPERATOR): Promise<{ status: number; body: any }> {
  const response = await fetch(`${replica.adminUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return { status: response.status, body: await response.json() }
}

async function postEvent(replica: Sluice, body: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${replica.dataUrl}/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${CLIENT.credentials.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  return { status: response.status, body: await response.json() }
}

async function results(replica: Sluice): Promise<ExperimentResults> {
  const { status, body } = await admin(replica, 'GET', `/v1/experiments/${KEY}/results`, undefined, VIEWER)
  if (status !== 200) throw new Error(`results answered ${status}: ${JSON.stringify(body)}`)
  return body as ExperimentResults
}

/** Per metric: n summed over variants. */
function totalN(body: ExperimentResults, metric: string): number {
  const found = body.metrics.find((m) => m.name === metric)
  if (found === undefined) throw new Error(`no metric ${metric} in ${JSON.stringify(body.metrics.map((m) => m.name))}`)
  return found.variants.reduce((sum, v) => sum + v.n, 0)
}

interface Totals {
  success: number
  users: Record<string, number>
  [metric: string]: unknown
}
function totalsOf(body: ExperimentResults, metrics: readonly string[]): Totals {
  const totals: Totals = { success: totalN(body, 'success'), users: { ...body.users } }
  for (const metric of metrics) totals[metric] = totalN(body, metric)
  return totals
}

/**
 * Polls `replica`'s results (every 100 ms, at most `timeoutMs`) until `expected` matches; fails
 * with the last body. Returns how long it took.
 */
async function converge(replica: Sluice, expected: Totals, metrics: readonly string[] = [], timeoutMs = CONVERGE_MS): Promise<number> {
  const started = Date.now()
  let last: ExperimentResults | undefined
  for (let i = 0; i < Math.ceil(timeoutMs / POLL_MS) + 1; i++) {
    last = await results(replica)
    if (isDeepStrictEqual(totalsOf(last, metrics), expected)) return Date.now() - started
    if (Date.now() - started >= timeoutMs) break
    await sleep(POLL_MS)
  }
  throw new Error(
    `${replica === a ? 'replica A' : 'replica B'} did not reach ${JSON.stringify(expected)} within ${timeoutMs} ms; ` +
      `last totals ${last === undefined ? 'none' : JSON.stringify(totalsOf(last, metrics))}; last body ${JSON.stringify(last)}`,
  )
}

describe('an experiment across a fleet of two replicas on one Redis', () => {
  it('assigns every user the same variant on either replica, as assign() predicts', async () => {
    const users = Array.from({ length: 40 }, (_, i) => `fleet-user-${i}`)
    const seen: string[] = []
    for (const user of users) {
      const fromA = await ask(a, user)
      counted(user)
      const fromB = await ask(b, user)
      counted(user)
      const expected = predicted(user) ?? null
      expect({ user, a: fromA.get('x-sluice-variant'), b: fromB.get('x-sluice-variant') }).toEqual({ user, a: expected, b: expected })
      const tag = expected === null ? null : KEY
      expect([fromA.get('x-sluice-experiment'), fromB.get('x-sluice-experiment')]).toEqual([tag, tag])
      seen.push(expected ?? '(none)')
    }
    // The sample covers both variants and, at 90 % allocation, someone outside it.
    for (const v of [...VARIANT_NAMES, '(none)']) expect(seen).toContain(v)
  })

  it('adds up outcomes exactly: N requests split across the replicas, read from either one', async () => {
    // Converge first, so what follows measures this test's requests on top of a settled state.
    await converge(a, { success: ledger.requests, users: expectedUsers() })
    const before = ledger.requests
    const pool = Array.from({ length: 200 }, (_, i) => `agg-user-${i}`).filter((u) => predicted(u) !== undefined).slice(0, 30)
    expect(pool).toHaveLength(30)
    const N = 120
    const random = seededRandom(20240611)
    const plan = Array.from({ length: N }, (_, i) => ({ user: pool[Math.floor(random() * pool.length)]!, replica: random() < 0.5 ? a : b, i }))
    const onA = plan.filter((p) => p.replica === a).length
    expect(onA).toBeGreaterThan(20)
    expect(N - onA).toBeGreaterThan(20)
    // Four workers over the plan: small, bounded concurrency.
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < plan.length) {
        const { user, replica } = plan[next++]!
        const headers = await ask(replica, user)
        expect(headers.get('x-sluice-variant')).toBe(predicted(user))
        counted(user)
      }
    }
    const sentAt = Date.now()
    await Promise.all(Array.from({ length: 4 }, worker))
    const sendMs = Date.now() - sentAt
    expect(ledger.requests - before).toBe(N)
    const expected = { success: ledger.requests, users: expectedUsers() }
    const tookB = await converge(b, expected)
    const tookA = await converge(a, expected)
    // Both report the same totals, and the success rows say every request succeeded.
    const [ra, rb] = [await results(a), await results(b)]
    expect(totalsOf(ra, [])).toEqual(totalsOf(rb, []))
    for (const row of ra.metrics.find((m) => m.name === 'success')!.variants) if (row.n > 0) expect(row.mean).toBe(1)
    console.info(`aggregation: ${N} requests (${onA} on A) sent in ${sendMs} ms; B converged in ${tookB} ms, A in ${tookA} ms more`)
  })

  it('takes an event on replica B for a user exposed only on replica A, and rejects a never-exposed user', async () => {
    const fresh = Array.from({ length: 200 }, (_, i) => `event-user-${i}`).filter((u) => predicted(u) !== undefined).slice(0, 6)
    expect(fresh).toHaveLength(6)
    for (const user of fresh) {
      expect((await ask(a, user)).get('x-sluice-variant')).toBe(predicted(user))
      counted(user)
    }
    // B knows these users only once A has flushed their exposures to Redis.
    const learnedMs = await converge(b, { success: ledger.requests, users: expectedUsers() })
    const values = [1, 0, 1, 1, 0, 1]
    const perVariant = Object.fromEntries(VARIANT_NAMES.map((v) => [v, { n: 0, sum: 0 }]))
    for (const [i, user] of fresh.entries()) {
      const accepted = await postEvent(b, { experiment: KEY, targetingKey: user, metric: 'thumbs_up', value: values[i] })
      expect({ user, ...accepted }).toEqual({ user, status: 200, body: { accepted: 1, rejected: [] } })
      perVariant[predicted(user)!]!.n++
      perVariant[predicted(user)!]!.sum += values[i]!
    }
    const stranger = await postEvent(b, { experiment: KEY, targetingKey: 'never-exposed-anywhere', metric: 'thumbs_up', value: 1 })
    expect(stranger.status).toBe(409)
    expect(stranger.body.error).toMatchObject({ code: 'SLUICE_ERR_EVENT_UNASSIGNED' })
    const strangerOnA = await postEvent(a, { experiment: KEY, targetingKey: 'never-exposed-anywhere', metric: 'thumbs_up', value: 1 })
    expect([strangerOnA.status, strangerOnA.body.error?.code]).toEqual([409, 'SLUICE_ERR_EVENT_UNASSIGNED'])

    const expected = { success: ledger.requests, users: expectedUsers(), thumbs_up: fresh.length }
    const tookA = await converge(a, expected, ['thumbs_up'])
    await converge(b, expected, ['thumbs_up'])
    const thumbs = (await results(a)).metrics.find((m) => m.name === 'thumbs_up')!
    for (const [variant, { n, sum }] of Object.entries(perVariant)) {
      const row = thumbs.variants.find((v) => v.variant === variant)!
      expect(row.n).toBe(n)
      if (n > 0) expect(row.mean).toBeCloseTo(sum / n, 12)
    }
    console.info(`events: B learned A's exposures in ${learnedMs} ms; A saw B's events in ${tookA} ms`)
  })

  it('stops the experiment on replica A and replica B stops tagging within 2 s', async () => {
    const user = Array.from({ length: 50 }, (_, i) => `stop-user-${i}`).find((u) => predicted(u) !== undefined)!
    expect((await ask(b, user)).get('x-sluice-experiment')).toBe(KEY)
    const stopped = await admin(a, 'POST', `/v1/experiments/${KEY}/stop`, { reason: 'fleet-wide pause' })
    expect(stopped).toMatchObject({ status: 200, body: { experiment: { key: KEY, status: 'stopped' } } })
    const stoppedAt = Date.now()
    let tag: string | null = KEY
    for (let i = 0; i < 40 && Date.now() - stoppedAt < 2000; i++) {
      tag = (await ask(b, user)).get('x-sluice-experiment')
      if (tag === null) break
      await sleep(50)
    }
    const tookMs = Date.now() - stoppedAt
    expect(tag, `replica B still tags responses ${tookMs} ms after the stop on A`).toBeNull()
    expect(tookMs).toBeLessThanOrEqual(2000)
    expect((await ask(b, user)).get('x-sluice-variant')).toBeNull()
    expect((await admin(b, 'GET', `/v1/experiments/${KEY}`, undefined, VIEWER)).body.experiment.status).toBe('stopped')
    console.info(`lifecycle: replica B stopped tagging ${tookMs} ms after the stop on A`)
  })

  it('shares bandit statistics through Redis: B reports what A learned, and A accepts B\'s feedback token', async () => {
    const duoArm = (report: any[], id: string): any => report.find((r) => r.model === DUO)?.arms.find((x: any) => x.arm === id)
    const bandits = async (replica: Sluice): Promise<any[]> => {
      const { status, body } = await admin(replica, 'GET', '/v1/bandits', undefined, VIEWER)
      if (status !== 200) throw new Error(`bandits answered ${status}: ${JSON.stringify(body)}`)
      return body.bandits as any[]
    }
    // Nothing has been sent to `duo` anywhere yet: whatever B reports below came from A.
    const initial = await bandits(b)
    expect(initial.find((r) => r.model === DUO)?.mode).toBe('active')
    expect(duoArm(initial, GOOGLE_ARM)).toMatchObject({ attempts: 0, errors: 0 })

    // Gemini fails every request it gets (no retries, no circuit); the OpenAI fallback answers,
    // and the arm tried first (x-sluice-arm) is credited with the outcome.
    emulators.gemini.script.enqueue(...Array.from({ length: MAX_DUO }, () => ({ status: 500 })))
    try {
      // About 60 requests; after one Gemini failure the bandit picks Gemini only about 2 % of the
      // time, and in about 9 % of runs the first 60 never try it, so it goes on (at most MAX_DUO
      // requests) until at least one did — otherwise there would be nothing for B to learn.
      const arms: string[] = []
      const sentAt = Date.now()
      while (arms.length < MAX_DUO && (arms.length < 60 || !arms.includes(GOOGLE_ARM))) {
        const headers = await askDuo(a, `bandit-user-${arms.length}`)
        expect(headers.get('x-sluice-bandit')).toBe(DUO)
        arms.push(headers.get('x-sluice-arm')!)
      }
      const sendMs = Date.now() - sentAt
      const N = arms.length
      const googleOnA = arms.filter((x) => x === GOOGLE_ARM).length
      expect(googleOnA).toBeGreaterThan(0)
      expect(arms.filter((x) => x === OPENAI_ARM).length + googleOnA).toBe(N)

      // B never served `duo`: Gemini's attempts there can only be A's, read from Redis. Attempt
      // counts decay (half-life constraints.halfLifeMs, 60 s by default), so B reports A's count
      // times at most 2^(−elapsed / half-life) less — never less than that bound, never more than
      // the count.
      const atLeast = (): number => googleOnA * 2 ** (-(Date.now() - sentAt) / DEFAULT_CONSTRAINTS.halfLifeMs) - 1e-9
      const polledAt = Date.now()
      let seen: any
      let bound = googleOnA
      for (let i = 0; i < 3000 / POLL_MS + 1; i++) {
        seen = duoArm(await bandits(b), GOOGLE_ARM)
        bound = atLeast()
        if (seen.attempts >= bound && seen.errors > 0) break
        if (Date.now() - polledAt >= 3000) break
        await sleep(POLL_MS)
      }
      const learnedMs = Date.now() - polledAt
      expect(seen.attempts, `B's Gemini statistics after ${learnedMs} ms: ${JSON.stringify(seen)}; A sent ${googleOnA} to Gemini first`).toBeGreaterThanOrEqual(bound)
      expect(seen.attempts).toBeLessThanOrEqual(googleOnA + 1e-9)
      expect(seen.errors).toBeGreaterThan(0)
      // Every one of them failed: errors equal attempts (both decayed alike).
      expect(seen.errors).toBeCloseTo(seen.attempts, 9)
      expect(learnedMs).toBeLessThanOrEqual(3000)
      const report = await bandits(b)
      expect(duoArm(report, OPENAI_ARM).share).toBeGreaterThan(duoArm(report, GOOGLE_ARM).share)

      // One request to B; A credits its feedback token (same secret across the fleet).
      const token = (await askDuo(b, 'bandit-feedback-user')).get('x-sluice-feedback')
      expect(token).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/)
      expect(await postEvent(a, { events: [{ feedback: token, value: 1 }] })).toEqual({ status: 200, body: { accepted: 1, rejected: [] } })
      console.info(
        `bandits: ${N} requests on A (${googleOnA} tried Gemini first) in ${sendMs} ms; B saw ${seen.attempts.toFixed(4)} Gemini attempts, ` +
          `${seen.errors.toFixed(4)} errors after ${learnedMs} ms; B's shares openai ${duoArm(report, OPENAI_ARM).share} vs gemini ${duoArm(report, GOOGLE_ARM).share}; ` +
          `A accepted B's feedback token`,
      )
    } finally {
      emulators.gemini.script.reset()
    }
  })
})
