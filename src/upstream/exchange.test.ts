// The exchange's retry, backoff and fallback decisions (docs/resilience.md) against scripted upstreams on
// real sockets, with the client replaced by a recording channel and randomness injected (zero
// jitter: no waiting). Table rows say what the upstreams answer and what the client must get.
import pino from 'pino'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { RecordingChannel } from '../../test/support/channel.js'
import { snapshotOf } from '../../test/support/snapshot.js'
import type { Outcome } from '../core/facts.js'
import { startEmulator, type Behaviour, type Emulator } from '../emulators/index.js'
import { TRAFFIC_ON_FLAGS } from '../emulators/sluice-config.js'
import { identifyNative, type Arrival } from '../pipeline/identify.js'
import { findMount, type Snapshot } from '../pipeline/snapshot.js'
import { steer } from '../steering/plan.js'
import type { ClientChannel, Sink } from '../core/channel.js'
import { DiscardChannel } from './channel.js'
import { Exchange } from './exchange.js'
import { NativeLegs } from './native-legs.js'

const KEY = 'sk-upstream-exchange'
let primary: Emulator
let backup: Emulator
let snapshot: Snapshot

beforeAll(async () => {
  primary = await startEmulator('openai', { auth: { apiKey: KEY } })
  backup = await startEmulator('openai', { auth: { apiKey: KEY } })
  snapshot = snapshotOf({
    providers: {
      primary: { type: 'openai', mount: '/primary', endpoint: primary.url, apiKey: KEY, auth: 'none', alternates: { 'gpt-4o': [{ provider: 'backup', model: 'gpt-4o-mini' }] } },
      backup: { type: 'openai', mount: '/backup', endpoint: backup.url, apiKey: KEY, auth: 'none' },
      nowhere: { type: 'openai', mount: '/nowhere', endpoint: 'http://127.0.0.1:1', apiKey: KEY, auth: 'none', connectTimeoutMs: 500 },
    },
    resilience: { retries: { maxRetries: 1, backoffMs: 50, maxRetryAfterMs: 1_000 }, circuitBreaker: { enabled: false } },
    flags: TRAFFIC_ON_FLAGS,
  })
})
afterAll(async () => {
  await Promise.all([primary.close(), backup.close()])
  await Promise.all(snapshot.pools.map((p) => p.close()))
})
beforeEach(() => {
  primary.script.reset()
  backup.script.reset()
})

const arrival: Arrival = { requestId: 'req-1', arrivedAt: 0, bodyReadAt: performance.now(), client: undefined, sluiceHeaders: { user: undefined, attributes: undefined, forceVariant: undefined }, environment: 'test' }

function exchange<C extends ClientChannel = RecordingChannel>(
  mountPath: string,
  model: string,
  channel: C = new RecordingChannel() as unknown as C,
  wrapSink: (sink: Sink) => Sink = (sink) => sink,
  logAttempts = false,
): { channel: C; outcome: Promise<Outcome> } {
  const mount = findMount(snapshot, mountPath)!
  const request = {
    method: 'POST',
    path: '/v1/chat/completions',
    query: '',
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], max_tokens: 8 })),
  }
  const recognised = mount.adapter.recognise(request)
  if (!recognised.ok) throw new Error(recognised.detail)
  const facts = identifyNative(snapshot, { ...arrival, bodyReadAt: performance.now() }, mount, request, recognised.operation)
  const outcome = new Promise<Outcome>((done) =>
    new Exchange({
      facts,
      plan: steer(facts, () => 0),
      legs: new NativeLegs(facts),
      channel,
      resilience: snapshot.config.resilience,
      logger: pino({ level: 'silent' }),
      now: () => performance.now(),
      random: () => 0,
      wrapSink,
      done,
      logAttempts,
    }).start(),
  )
  return { channel, outcome }
}

interface Row {
  name: string
  primary: Behaviour[]
  backup: Behaviour[]
  status: number
  attempts: number
  calls: [number, number]
  served: string | undefined
  fallback?: string
}

describe('Exchange: retries on the same target, then the fallbacks, before the first byte', () => {
  it.each<Row>([
    { name: 'a clean answer', primary: [], backup: [], status: 200, attempts: 1, calls: [1, 0], served: 'primary/gpt-4o' },
    { name: 'one 503, then retried on the same target', primary: [{ status: 503 }], backup: [], status: 200, attempts: 2, calls: [2, 0], served: 'primary/gpt-4o' },
    {
      name: 'retries spent: the alternate serves, with its own model',
      primary: [{ status: 503 }, { status: 503 }],
      backup: [],
      status: 200,
      attempts: 3,
      calls: [2, 1],
      served: 'backup/gpt-4o-mini',
      fallback: 'backup/gpt-4o-mini',
    },
    {
      name: 'a Retry-After beyond maxRetryAfterMs moves on at once',
      primary: [{ status: 429, retryAfterSeconds: 60 }],
      backup: [],
      status: 200,
      attempts: 2,
      calls: [1, 1],
      served: 'backup/gpt-4o-mini',
      fallback: 'backup/gpt-4o-mini',
    },
    {
      name: 'everything fails: the last held upstream answer is passed on',
      primary: [{ status: 503 }, { status: 503 }],
      backup: [{ status: 502 }, { status: 502 }],
      status: 502,
      attempts: 4,
      calls: [2, 2],
      served: 'backup/gpt-4o-mini',
      fallback: 'backup/gpt-4o-mini',
    },
    { name: 'a 400 is final: never retried', primary: [{ status: 400 }], backup: [], status: 400, attempts: 1, calls: [1, 0], served: 'primary/gpt-4o' },
    {
      name: 'a reset before the head is retried',
      primary: [{ reset: true }],
      backup: [],
      status: 200,
      attempts: 2,
      calls: [2, 0],
      served: 'primary/gpt-4o',
    },
  ])('$name', async (row) => {
    primary.script.enqueue(...row.primary)
    backup.script.enqueue(...row.backup)
    const before = [primary.requests.count, backup.requests.count]
    const { channel, outcome } = exchange('/primary', 'gpt-4o')
    const done = await outcome
    expect(channel.status).toBe(row.status)
    expect(done.status).toBe(row.status)
    expect(done.attempts).toBe(row.attempts)
    expect([primary.requests.count - before[0]!, backup.requests.count - before[1]!]).toEqual(row.calls)
    expect(done.served?.target.id).toBe(row.served)
    expect(channel.headers['x-sluice-fallback']).toBe(row.fallback)
    expect(channel.headers['x-sluice-attempts']).toBe(row.attempts > 1 ? String(row.attempts) : undefined)
    if (row.status === 200) expect(JSON.parse(channel.body)).toMatchObject({ object: 'chat.completion' })
  })

  it('an upstream that cannot be reached: Sluice\'s own error in the dialect, after the retry', async () => {
    const { channel, outcome } = exchange('/nowhere', 'gpt-4o')
    const done = await outcome
    expect(done).toMatchObject({ status: 502, decision: 'error', code: 'SLUICE_ERR_UPSTREAM_UNREACHABLE', attempts: 2 })
    expect(JSON.parse(channel.body)).toMatchObject({ error: { code: 'SLUICE_ERR_UPSTREAM_UNREACHABLE' } })
  })

  it('the client gone before the answer: nothing is written and the outcome says so', async () => {
    primary.script.enqueue({ latencyMs: 200 })
    const { channel, outcome } = exchange('/primary', 'gpt-4o')
    setTimeout(() => channel.closeNow(), 20)
    const done = await outcome
    expect(done.clientAborted).toBe(true)
    expect(channel.started).toBe(false)
  })
})

describe('Exchange: the channel and the response-side hook', () => {
  it('runs the same exchange with nobody listening (a discarding channel): the outcome still has the usage', async () => {
    const { outcome } = exchange('/primary', 'gpt-4o', new DiscardChannel())
    const done = await outcome
    expect(done).toMatchObject({ status: 200, decision: 'allow', clientAborted: false, served: { target: { id: 'primary/gpt-4o' } } })
    expect(done.usage?.outputTokens).toBeGreaterThan(0)
  })

  it('wraps every committed sink with the gates\' response-side hook', async () => {
    const seen: string[] = []
    const wrap = (sink: Sink): Sink => ({
      head: (status, headers) => (seen.push(`head ${status}`), sink.head(status, headers)),
      write: (chunk) => (seen.push('chunk'), sink.write(chunk)),
      end: () => (seen.push('end'), sink.end()),
      broken: () => sink.broken(),
      refuse: (error) => sink.refuse(error),
      get failed() {
        return sink.failed
      },
    })
    const { channel, outcome } = exchange('/primary', 'gpt-4o', new RecordingChannel(), wrap)
    await outcome
    expect(seen[0]).toBe('head 200')
    expect(seen.at(-1)).toBe('end')
    expect(JSON.parse(channel.body)).toMatchObject({ object: 'chat.completion' })
  })
})

describe('Exchange: the attempt log (tracing on only)', () => {
  it('times each attempt with its target, status and failure, in order', async () => {
    primary.script.enqueue({ status: 503 }, { status: 503 })
    const { outcome } = exchange('/primary', 'gpt-4o', new RecordingChannel(), undefined, true)
    const done = await outcome
    const log = done.attemptLog!
    expect(log.map((a) => [a.leg.target.id, a.leg.operation.model, a.status, a.failure])).toEqual([
      ['primary/gpt-4o', 'gpt-4o', 503, '5xx'],
      ['primary/gpt-4o', 'gpt-4o', 503, '5xx'],
      ['backup/gpt-4o-mini', 'gpt-4o-mini', 200, undefined],
    ])
    for (let i = 0; i < log.length; i++) {
      expect(log[i]!.endedAt).toBeGreaterThanOrEqual(log[i]!.startedAt)
      if (i > 0) expect(log[i]!.startedAt).toBeGreaterThanOrEqual(log[i - 1]!.endedAt)
    }
  })

  it('keeps none when tracing is off (the default)', async () => {
    primary.script.enqueue({ status: 503 })
    const done = await exchange('/primary', 'gpt-4o').outcome
    expect(done.attempts).toBe(2)
    expect(done.attemptLog).toBeUndefined()
  })
})
