// An experiment's outcomes end to end, with the official openai SDK through Sluice to the
// emulators: built-in metrics per variant in the results, application events on POST /v1/events
// (accepted, and rejected with a clear error), a forced variant (routed, tagged, audited, left out
// of the statistics), upstream tagging and per-variant params, the lifecycle through the admin API
// (audited, and surviving a restart with the statistics), and a concluded experiment's winner
// taking every request.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EMULATOR_CREDENTIALS, startEmulators, type Emulators } from '../../src/emulators/index.js'
import { createLogger } from '../../src/log.js'
import { startSluice, type Sluice } from '../../src/main.js'
import { assign, assignmentTable } from '../../src/steering/experiments/assign.js'
import { CLIENT, stackConfig } from '../support/stack.js'

const OPERATOR = 'operator-token-0123456789'
const VIEWER = 'viewer-token-0123456789'
const QA = { id: 'qa-bot', credentials: { apiKey: 'sk-qa-bot-key' } }
const VARIANTS = [
  { name: 'control', control: true, weight: 1, target: { provider: 'openai', model: 'gpt-4o-mini' } },
  { name: 'gemini', weight: 1, target: { provider: 'google', model: 'gemini-2.5-flash' } },
]
const PROVIDER_OF: Record<string, string> = { control: 'openai', gemini: 'google' }
const HELLO = [{ role: 'user' as const, content: 'Say hello.' }]
const table = assignmentTable('outcomes', VARIANTS, 100)
const variantOf = (user: string): string => assign(table, user)!

let emulators: Emulators
let sluice: Sluice
let dir: string
let configText: string

async function start(): Promise<void> {
  sluice = await startSluice({ configText, logger: createLogger('warn') })
}

beforeAll(async () => {
  emulators = await startEmulators({ auth: EMULATOR_CREDENTIALS })
  dir = mkdtempSync(join(tmpdir(), 'sluice-outcomes-'))
  const config = stackConfig(emulators, {
    state: { store: 'sqlite', path: dir },
    clients: [CLIENT, QA],
    admin: { host: '127.0.0.1', port: 0, tokens: [{ name: 'oncall', token: OPERATOR, role: 'operator' }, { name: 'dash', token: VIEWER, role: 'viewer' }] },
    models: {
      chat: { targets: [{ provider: 'openai', model: 'gpt-4o-mini' }, { provider: 'google', model: 'gemini-2.5-flash', weight: 0 }] },
      tuned: { targets: [{ provider: 'openai', model: 'gpt-4o-mini' }] },
    },
    experiments: {
      outcomes: {
        status: 'running',
        model: 'chat',
        variants: VARIANTS,
        metrics: { thumbs_up: { kind: 'proportion' }, handling_s: {} },
        forceVariantClients: [QA.id],
      },
      temperature: {
        status: 'running',
        model: 'tuned',
        tagUpstream: true,
        variants: [
          { name: 'warm', control: true, target: { provider: 'openai', model: 'gpt-4o-mini' } },
          { name: 'cool', target: { provider: 'openai', model: 'gpt-4o-mini' }, params: { temperature: 0.1 } },
        ],
      },
    },
  })
  configText = JSON.stringify(config)
  await start()
})
afterAll(async () => {
  await sluice.close()
  await emulators.close()
  rmSync(dir, { recursive: true, force: true })
})

const sdk = (apiKey: string = CLIENT.credentials.apiKey): OpenAI => new OpenAI({ baseURL: `${sluice.dataUrl}/v1`, apiKey, maxRetries: 0 })

async function ask(model: string, user: string, options: { apiKey?: string; headers?: Record<string, string>; stream?: boolean } = {}) {
  const headers = { 'x-sluice-user': user, ...options.headers }
  const client = sdk(options.apiKey)
  if (options.stream === true) {
    const { data, response } = await client.chat.completions.create({ model, messages: HELLO, stream: true }, { headers }).withResponse()
    for await (const _ of data) void _
    return response.headers
  }
  const { response } = await client.chat.completions.create({ model, messages: HELLO }, { headers }).withResponse()
  return response.headers
}

async function admin(method: string, path: string, body?: unknown, token = OPERATOR): Promise<{ status: number; body: any }> {
  const response = await fetch(`${sluice.adminUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return { status: response.status, body: await response.json() }
}

async function events(body: unknown, apiKey: string = CLIENT.credentials.apiKey): Promise<{ status: number; body: any }> {
  const response = await fetch(`${sluice.dataUrl}/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  return { status: response.status, body: await response.json() }
}

const metricOf = (results: any, name: string): any => results.metrics.find((m: any) => m.name === name)
const variantRow = (metric: any, variant: string): any => metric.variants.find((v: any) => v.variant === variant)

const USERS = Array.from({ length: 30 }, (_, i) => `user-${i}`)
const expected = { control: 0, gemini: 0 }
for (const user of USERS) expected[variantOf(user) as 'control' | 'gemini']++

describe('experiment outcomes', () => {
  it('records every request in its variant: users, success, latency, time to first token, tokens and cost', async () => {
    for (const [i, user] of USERS.entries()) {
      const headers = await ask('chat', user, { stream: i % 2 === 0 })
      expect(headers.get('x-sluice-variant')).toBe(variantOf(user))
      expect(headers.get('x-sluice-provider')).toBe(PROVIDER_OF[variantOf(user)])
    }
    await ask('chat', USERS[0]!) // a second request of one user: one more request, not one more user
    const { status, body } = await admin('GET', '/v1/experiments/outcomes/results', undefined, VIEWER)
    expect(status).toBe(200)
    const first = variantOf(USERS[0]!) as 'control' | 'gemini'
    expect(body.users).toEqual(expected)
    const success = metricOf(body, 'success')
    for (const variant of ['control', 'gemini'] as const) {
      const requests = expected[variant] + (variant === first ? 1 : 0)
      expect(variantRow(success, variant)).toMatchObject({ n: requests, mean: 1 })
      const latency = variantRow(metricOf(body, 'latency_ms'), variant)
      expect(latency.n).toBe(requests)
      expect(latency.p50).toBeGreaterThan(0)
      expect(latency.p95).toBeGreaterThanOrEqual(latency.p50)
      expect(variantRow(metricOf(body, 'ttft_ms'), variant).n).toBe(requests)
      expect(variantRow(metricOf(body, 'output_tokens'), variant).mean).toBeGreaterThan(0)
      // Both models are in the shipped price table.
      expect(variantRow(metricOf(body, 'cost_usd'), variant)).toMatchObject({ n: requests })
      expect(variantRow(metricOf(body, 'cost_usd'), variant).mean).toBeGreaterThan(0)
    }
    expect(body.srm.ok).toBe(true)
    expect(body.decision.decisive).toBe(false)
  })

  it('takes application events for assigned users, single and batched, and rejects the rest with a clear error', async () => {
    const [a, b] = USERS
    const single = await events({ experiment: 'outcomes', targetingKey: a, metric: 'thumbs_up', value: 1 })
    expect(single).toEqual({ status: 200, body: { accepted: 1, rejected: [] } })

    const batch = await events({
      events: [
        { experiment: 'outcomes', targetingKey: b, metric: 'thumbs_up', value: 0 },
        { experiment: 'outcomes', targetingKey: b, metric: 'handling_s', value: 42.5 },
        { experiment: 'nope', targetingKey: b, metric: 'thumbs_up', value: 1 },
        { experiment: 'outcomes', targetingKey: 'never-seen', metric: 'thumbs_up', value: 1 },
        { experiment: 'outcomes', targetingKey: b, metric: 'stars', value: 1 },
        { experiment: 'outcomes', targetingKey: b, metric: 'thumbs_up', value: 0.5 },
      ],
    })
    expect(batch.status).toBe(200)
    expect(batch.body.accepted).toBe(2)
    expect(batch.body.rejected.map((r: any) => [r.index, r.code])).toEqual([
      [2, 'SLUICE_ERR_EVENT_EXPERIMENT_UNKNOWN'],
      [3, 'SLUICE_ERR_EVENT_UNASSIGNED'],
      [4, 'SLUICE_ERR_EVENT_METRIC_UNKNOWN'],
      [5, 'SLUICE_ERR_EVENT_INVALID'],
    ])
    expect(batch.body.rejected[2].message).toMatch(/has no application metric "stars"; it has thumbs_up, handling_s/)

    // A single rejected event is an error in the OpenAI dialect, which the SDK's users know.
    const unassigned = await events({ experiment: 'outcomes', targetingKey: 'never-seen', metric: 'thumbs_up', value: 1 })
    expect(unassigned.status).toBe(409)
    expect(unassigned.body.error).toMatchObject({ code: 'SLUICE_ERR_EVENT_UNASSIGNED' })
    const stranger = await events({ experiment: 'outcomes' }, 'sk-wrong')
    expect([stranger.status, stranger.body.error.code]).toEqual([403, 'SLUICE_ERR_AUTH_INVALID'])

    const { body } = await admin('GET', '/v1/experiments/outcomes/results')
    const thumbs = metricOf(body, 'thumbs_up')
    const rows = { [variantOf(a!)]: { n: 0, sum: 0 }, [variantOf(b!)]: { n: 0, sum: 0 } }
    rows[variantOf(a!)]!.n++
    rows[variantOf(a!)]!.sum += 1
    rows[variantOf(b!)]!.n++
    for (const [variant, { n, sum }] of Object.entries(rows)) expect(variantRow(thumbs, variant)).toMatchObject({ n, mean: sum / n })
    expect(variantRow(metricOf(body, 'handling_s'), variantOf(b!))).toMatchObject({ n: 1, mean: 42.5 })

    const counted = await (await fetch(`${sluice.adminUrl}/metrics`)).text()
    expect(counted).toMatch(/sluice_experiment_events_total\{experiment="outcomes",result="unassigned"\} 2/)
    expect(counted).toMatch(/sluice_experiment_events_total\{experiment="unknown",result="unknown_experiment"\} 1/)
  })

  it('honours x-sluice-force-variant only for allowed clients: routed, tagged, audited, not counted', async () => {
    const user = USERS.find((u) => variantOf(u) === 'control')!
    const before = (await admin('GET', '/v1/experiments/outcomes/results')).body
    const forced = await ask('chat', user, { apiKey: QA.credentials.apiKey, headers: { 'x-sluice-force-variant': 'gemini' } })
    expect(forced.get('x-sluice-variant')).toBe('gemini')
    expect(forced.get('x-sluice-provider')).toBe('google')
    const ignored = await ask('chat', user, { headers: { 'x-sluice-force-variant': 'gemini' } })
    expect(ignored.get('x-sluice-variant')).toBe('control')
    const after = (await admin('GET', '/v1/experiments/outcomes/results')).body
    const n = (results: any, variant: string): number => variantRow(metricOf(results, 'success'), variant).n
    expect(n(after, 'gemini')).toBe(n(before, 'gemini'))
    expect(n(after, 'control')).toBe(n(before, 'control') + 1) // the ignored header: an ordinary request
    const audit = await admin('GET', '/v1/audit')
    expect(audit.body.entries.some((e: any) => e.action === 'experiment.force-variant' && e.actor === 'client:qa-bot' && e.after.variant === 'gemini')).toBe(true)
  })

  it('tags the upstream request when asked, and applies a variant\'s params', async () => {
    const cool = USERS.find((u) => assign(assignmentTable('temperature', [{ name: 'warm', weight: 1 }, { name: 'cool', weight: 1 }], 100), u) === 'cool')!
    const seen = emulators.openai.requests.count
    const headers = await ask('tuned', cool)
    expect(headers.get('x-sluice-variant')).toBe('cool')
    const upstream = emulators.openai.requests.entries.slice(seen)
    expect(upstream).toHaveLength(1)
    expect(upstream[0]!.headers['x-sluice-experiment']).toBe('temperature')
    expect(upstream[0]!.headers['x-sluice-variant']).toBe('cool')
    expect((upstream[0]!.body as { temperature?: number }).temperature).toBe(0.1)
  })

  it('moves through its lifecycle on the admin API, audited, and keeps state and statistics across a restart', async () => {
    expect((await admin('POST', '/v1/experiments/outcomes/stop', { reason: 'x' }, VIEWER)).status).toBe(403)
    expect((await admin('POST', '/v1/experiments/outcomes/stop', {})).status).toBe(400)
    expect((await admin('POST', '/v1/experiments/outcomes/start', { reason: 'again' })).body.message).toMatch(/is running; start needs draft or stopped/)
    const stopped = await admin('POST', '/v1/experiments/outcomes/stop', { reason: 'pause for the launch' })
    expect(stopped).toMatchObject({ status: 200, body: { experiment: { key: 'outcomes', status: 'stopped' } } })
    const untagged = await ask('chat', USERS[1]!)
    expect(untagged.get('x-sluice-experiment')).toBeNull()
    const statsBefore = (await admin('GET', '/v1/experiments/outcomes/results')).body

    await sluice.close()
    await start()
    expect((await admin('GET', '/v1/experiments/outcomes')).body.experiment.status).toBe('stopped')
    const statsAfter = (await admin('GET', '/v1/experiments/outcomes/results')).body
    expect(statsAfter.users).toEqual(statsBefore.users)
    expect(metricOf(statsAfter, 'success').variants).toEqual(metricOf(statsBefore, 'success').variants)

    expect((await admin('POST', '/v1/experiments/outcomes/start', { reason: 'resume' })).body.experiment.status).toBe('running')
    expect((await ask('chat', USERS[1]!)).get('x-sluice-variant')).toBe(variantOf(USERS[1]!))
    const concluded = await admin('POST', '/v1/experiments/outcomes/conclude', { reason: 'gemini is as good and cheaper', winner: 'gemini' })
    expect(concluded.body.experiment).toMatchObject({ status: 'concluded', winner: 'gemini' })
    for (const user of USERS.slice(0, 6)) {
      const headers = await ask('chat', user)
      expect(headers.get('x-sluice-provider')).toBe('google')
      expect(headers.get('x-sluice-experiment')).toBeNull()
    }
    const audit = (await admin('GET', '/v1/audit')).body.entries.map((e: any) => `${e.action} ${e.target} ${e.actor}`)
    expect(audit).toEqual(expect.arrayContaining(['experiment.stop experiments/outcomes oncall', 'experiment.start experiments/outcomes oncall', 'experiment.conclude experiments/outcomes oncall']))
    expect((await admin('POST', '/v1/experiments/outcomes/start', { reason: 'no' })).status).toBe(400)
  })

  it('creates an experiment through the API, refusing one that does not fit the config', async () => {
    const bad = await admin('POST', '/v1/experiments', { key: 'clash', reason: 'try', definition: { status: 'running', model: 'tuned', variants: VARIANTS } })
    expect(bad.status).toBe(400)
    expect(bad.body.problems.join('\n')).toMatch(/not one of tuned's targets|already runs experiment/)
    const good = await admin('POST', '/v1/experiments', {
      key: 'later',
      reason: 'next quarter',
      definition: { model: 'chat', variants: VARIANTS },
    })
    expect(good).toMatchObject({ status: 201, body: { experiment: { key: 'later', status: 'draft', source: 'admin' } } })
    expect((await admin('GET', '/v1/experiments')).body.experiments.map((e: any) => e.key)).toEqual(['outcomes', 'temperature', 'later'])
  })
})
