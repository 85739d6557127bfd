// `sluice ctl circuits` and `circuits reset` against the admin app on port 0.
import { Value } from '@sinclair/typebox/value'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Snapshot } from '../../pipeline/snapshot.js'
import { buildAdmin } from '../../control/admin.js'
import type { AdminContext } from '../../control/context.js'
import { CircuitRegistry } from '../../resilience/circuits.js'
import { CircuitBreakerSchema, type CircuitBreakerConfig } from '../../resilience/schema.js'
import { createStore, type StateStore } from '../../state/index.js'
import { ctl } from '../ctl.js'
import { circuitsText } from './circuits.js'

const TOKEN = 'operator-token-0123456789'
const HAIKU = 'bedrock/anthropic.claude-3-haiku-20240307-v1:0'

let app: FastifyInstance
let store: StateStore
let circuits: CircuitRegistry
let url: string

beforeAll(async () => {
  store = await createStore({ store: 'memory', path: '' })
  circuits = new CircuitRegistry()
  circuits.configure(Value.Default(CircuitBreakerSchema, { volumeThreshold: 1 }) as CircuitBreakerConfig)
  const snapshot = { config: { admin: { tokens: [{ name: 'oncall', token: TOKEN, role: 'operator' }] } }, circuits } as unknown as Snapshot
  app = buildAdmin({ snapshot: () => snapshot, store } as unknown as AdminContext)
  url = await app.listen({ host: '127.0.0.1', port: 0 })
})
afterAll(async () => {
  circuits.close()
  await app.close()
  await store.close()
})

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const code = await ctl(argv, { env: { SLUICE_ADMIN_URL: url, SLUICE_ADMIN_TOKEN: TOKEN }, out: (t) => (out += t), err: (t) => (err += t) })
  return { code, out, err }
}

describe('sluice ctl circuits', () => {
  it('lists circuits as a table, then resets one by its id', async () => {
    circuits.circuit('openai/*', 'openai', '*')
    circuits.circuit(HAIKU, 'bedrock', 'anthropic.claude-3-haiku-20240307-v1:0')!.acquire()!.failure('connection')
    for (let i = 0; i < 10; i++) await Promise.resolve()

    const listed = await run('circuits')
    expect(listed).toMatchObject({ code: 0, err: '' })
    const lines = listed.out.split('\n')
    expect(lines[0]).toBe(
      'Circuit breakers: on; a circuit opens when more than 50 % of at least 1 attempts in 10s fail (5xx, timeout, connection), and lets one probe through after 30s.',
    )
    expect(lines[1]).toMatch(/^TARGET\s+STATE\s+ATTEMPTS\s+FAILURES\s+REJECTS\s+OPENED AT\s+PROBE IN$/)
    expect(lines[2]).toMatch(new RegExp(`^${HAIKU.replace(/\./g, '\\.')}\\s+open\\s+1\\s+1\\s+0\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ\\s+(30|29)s$`))
    expect(lines[3]).toMatch(/^openai\/\*\s+closed\s+0\s+0\s+0\s+-\s+-$/)

    const reset = await run('circuits', 'reset', HAIKU, '--reason', 'vendor fixed it')
    expect(reset).toEqual({ code: 0, out: `Circuit ${HAIKU} reset: closed, counts cleared (was open; reason: vendor fixed it).\n`, err: '' })
    expect(circuits.find(HAIKU)!.state).toBe('closed')
  })

  it('reports an unknown circuit as the API refusing (exit 1)', async () => {
    const { code, err } = await run('circuits', 'reset', 'openai/gpt-9', '--reason', 'r')
    expect(code).toBe(1)
    expect(err).toMatch(/^SLUICE_ERR_ADMIN_NOT_FOUND: No such admin resource\. No circuit openai\/gpt-9; known: /)
  })

  it.each([
    [['circuits', 'reset', HAIKU], 'circuits reset needs --reason TEXT'],
    [['circuits', 'reset', 'gpt-4o', '--reason', 'r'], 'target is a circuit id, <provider>/<model> or <provider>/* (got gpt-4o)'],
    [['circuits', 'list'], 'usage: sluice ctl circuits'],
  ])('refuses %j before sending anything (exit 2)', async (argv, message) => {
    const { code, err } = await run(...argv)
    expect(code).toBe(2)
    expect(err.split('\n')[0]).toContain(message)
  })
})

describe('circuitsText', () => {
  it.each([
    [{ enabled: false, circuits: [] }, 'Circuit breakers are off (resilience.circuitBreaker.enabled: false).\n'],
    [{ enabled: true, circuits: [] }, 'Circuit breakers are on; no upstream target has a circuit yet.\n'],
  ])('%j', (body, text) => {
    expect(circuitsText(body)).toBe(text)
  })
})
