// /v1/circuits on the admin app: roles, reason, the percent-encoded circuit id, audit, 404s.
import { Value } from '@sinclair/typebox/value'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Snapshot } from '../../pipeline/snapshot.js'
import { CircuitRegistry } from '../../resilience/circuits.js'
import { CircuitBreakerSchema, type CircuitBreakerConfig } from '../../resilience/schema.js'
import { createStore, type StateStore } from '../../state/index.js'
import { buildAdmin } from '../admin.js'
import type { AdminContext } from '../context.js'

const OPERATOR = 'operator-token-0123456789'
const VIEWER = 'viewer-token-0123456789ab'
const HAIKU = 'bedrock/anthropic.claude-3-haiku-20240307-v1:0'
const settings = Value.Default(CircuitBreakerSchema, { volumeThreshold: 1 }) as CircuitBreakerConfig

let app: FastifyInstance
let store: StateStore
let circuits: CircuitRegistry

beforeAll(async () => {
  store = await createStore({ store: 'memory', path: '' })
  circuits = new CircuitRegistry()
  const snapshot = {
    config: {
      admin: {
        tokens: [
          { name: 'oncall', token: OPERATOR, role: 'operator' },
          { name: 'grafana', token: VIEWER, role: 'viewer' },
        ],
      },
    },
    circuits,
  } as unknown as Snapshot
  // Only what these routes and the auth check read.
  app = buildAdmin({ snapshot: () => snapshot, store } as unknown as AdminContext)
  await app.ready()
})
afterAll(async () => {
  circuits.close()
  await app.close()
  await store.close()
})

beforeEach(async () => {
  circuits.configure(settings)
  circuits.retain(new Set())
  circuits.circuit('openai/*', 'openai', '*')
  const haiku = circuits.circuit(HAIKU, 'bedrock', 'anthropic.claude-3-haiku-20240307-v1:0')!
  haiku.acquire()!.failure('5xx')
  for (let i = 0; i < 10; i++) await Promise.resolve()
  expect(haiku.state).toBe('open')
})

async function call(method: string, url: string, token: string | undefined, body?: unknown) {
  const res = await app.inject({
    method: method as 'GET',
    url,
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    ...(body === undefined ? {} : { payload: body as object }),
  })
  return { status: res.statusCode, body: res.json() as any }
}

const resetUrl = (id: string) => `/v1/circuits/${encodeURIComponent(id)}/reset`

describe('GET /v1/circuits', () => {
  it('lists every circuit for a viewer', async () => {
    const { status, body } = await call('GET', '/v1/circuits', VIEWER)
    expect(status).toBe(200)
    expect(body.enabled).toBe(true)
    expect(body.circuits.map((c: { id: string; state: string }) => [c.id, c.state])).toEqual([
      [HAIKU, 'open'],
      ['openai/*', 'closed'],
    ])
    expect(body.circuits[0]).toMatchObject({
      provider: 'bedrock',
      model: 'anthropic.claude-3-haiku-20240307-v1:0',
      retryAfterSeconds: 30,
      window: { attempts: 1, failures: 1, successes: 0, rejects: 0 },
      settings: { errorThresholdPercent: 50, volumeThreshold: 1, windowMs: 10_000, windowBuckets: 10, resetTimeoutMs: 30_000, failOn: ['5xx', 'timeout', 'connection'] },
    })
    expect(typeof body.circuits[0].openedAt).toBe('string')
  })

  it('says when breakers are disabled', async () => {
    circuits.configure({ ...settings, enabled: false })
    expect((await call('GET', '/v1/circuits', VIEWER)).body).toEqual({ enabled: false, circuits: [] })
  })

  it('needs a token', async () => {
    expect((await call('GET', '/v1/circuits', undefined)).status).toBe(401)
  })
})

describe('POST /v1/circuits/{target}/reset', () => {
  it('decodes the percent-encoded id, closes the circuit and audits the reset', async () => {
    expect(resetUrl(HAIKU)).toBe('/v1/circuits/bedrock%2Fanthropic.claude-3-haiku-20240307-v1%3A0/reset')
    const { status, body } = await call('POST', resetUrl(HAIKU), OPERATOR, { reason: 'upstream fixed' })
    expect(status).toBe(200)
    expect(body).toMatchObject({ before: 'open', circuit: { id: HAIKU, state: 'closed', retryAfterSeconds: 0, window: { attempts: 0, failures: 0 } } })
    expect(circuits.find(HAIKU)!.state).toBe('closed')
    const [entry] = await store.listAudit({ limit: 1 })
    expect(entry).toMatchObject({
      actor: 'oncall',
      action: 'circuit.reset',
      target: HAIKU,
      before: { state: 'open', window: { attempts: 1, failures: 1, successes: 0, rejects: 0 } },
      after: { state: 'closed' },
      reason: 'upstream fixed',
    })
  })

  it('takes a provider-wide id (`*` encoded or not)', async () => {
    expect((await call('POST', '/v1/circuits/openai%2F*/reset', OPERATOR, { reason: 'r' })).body.circuit.id).toBe('openai/*')
    expect((await call('POST', '/v1/circuits/openai%2f%2A/reset?reason=r', OPERATOR)).status).toBe(200)
  })

  it('needs the operator role and a reason', async () => {
    const viewer = await call('POST', resetUrl(HAIKU), VIEWER, { reason: 'r' })
    expect(viewer.status).toBe(403)
    expect(viewer.body.code).toBe('SLUICE_ERR_ADMIN_FORBIDDEN')
    const noReason = await call('POST', resetUrl(HAIKU), OPERATOR, { reason: ' ' })
    expect(noReason.status).toBe(400)
    expect(noReason.body.code).toBe('SLUICE_ERR_ADMIN_INVALID')
    expect(circuits.find(HAIKU)!.state).toBe('open')
  })

  it('answers 404 in the admin shape for an unknown circuit', async () => {
    const { status, body } = await call('POST', resetUrl('openai/gpt-9'), OPERATOR, { reason: 'r' })
    expect(status).toBe(404)
    expect(body).toMatchObject({ statusCode: 404, code: 'SLUICE_ERR_ADMIN_NOT_FOUND', error: 'Not Found' })
    expect(body.message).toContain(`No circuit openai/gpt-9; known: ${HAIKU}, openai/*.`)
  })

  it('answers 404 with a hint when the `/` in the id was not encoded', async () => {
    const { status, body } = await call('POST', '/v1/circuits/openai/gpt-4o/reset', OPERATOR, { reason: 'r' })
    expect(status).toBe(404)
    expect(body.code).toBe('SLUICE_ERR_ADMIN_NOT_FOUND')
    expect(body.message).toContain('Percent-encode the circuit id')
  })
})
