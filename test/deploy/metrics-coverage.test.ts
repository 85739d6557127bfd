// The dashboard and the alert rules against a running Sluice: Sluice on the compose example's own
// config (docker/sluice-compose.yaml: a budget, a rollout, a shadow, guardrails in block mode,
// circuit breakers), its state in a real Redis, the provider emulators upstream, and the example
// application (docker/example-app/app.mjs, the official OpenAI SDK) making its calls. Then a
// rollout is started and rolled back and a kill switch is set through the admin API, /metrics is
// scraped, and the test fails if any panel or rule names a metric Sluice does not export (a
// family counts from its `# TYPE` line, so one prom-client declares but has no sample yet counts),
// or if a rule's label matchers or groupings use a label that metric does not have.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { registry } from '../../src/core/metrics.js'
import { EMULATOR_CREDENTIALS, startEmulators, type Emulators } from '../../src/emulators/index.js'
import { createLogger } from '../../src/log.js'
import { startSluice, type Sluice } from '../../src/main.js'
import { startRedis, type RedisServer } from '../support/redis.js'
import { familyOf, interpolateGrafana, metricFamilies, parsePromQL, read, readYaml, REPO, type Family, type ParsedQuery } from './support.js'

const ADMIN_TOKEN = 'coverage-admin-token-0123456789'
const CLIENT_KEY = 'sk-coverage-app-key'
const ROUNDS = 5

let redis: RedisServer
let emulators: Emulators
let sluice: Sluice
let families: Map<string, Family>
let appLines: Record<string, unknown>[]
const logLines: string[] = []

/** The example application, as compose runs it, for a bounded number of rounds. */
function runApp(dataUrl: string): Promise<Record<string, unknown>[]> {
  const child = spawn(process.execPath, [join(REPO, 'docker/example-app/app.mjs')], {
    cwd: join(REPO, 'docker/example-app'),
    env: { PATH: process.env.PATH ?? '', SLUICE_URL: dataUrl, SLUICE_API_KEY: CLIENT_KEY, APP_ROUNDS: String(ROUNDS), APP_INTERVAL_MS: '0', APP_USERS: '4' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    child.once('exit', (code) => {
      clearTimeout(timer)
      if (code !== 0) reject(new Error(`example app exited ${code}: ${stderr}\n${stdout}`))
      else resolve(stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>))
    })
  })
}

async function admin(method: string, path: string, body: unknown): Promise<number> {
  const response = await fetch(`${sluice.adminUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  await response.arrayBuffer()
  return response.status
}

const scrape = async (): Promise<Map<string, Family>> => metricFamilies(await (await fetch(`${sluice.adminUrl}/metrics`)).text())
const samples = (all: Map<string, Family>, name: string): number => all.get(name)?.samples ?? 0

beforeAll(async () => {
  redis = await startRedis()
  emulators = await startEmulators({ auth: EMULATOR_CREDENTIALS })
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(...chunk.toString('utf8').split('\n').filter((l) => l !== ''))
      done()
    },
  })
  sluice = await startSluice({
    configPath: join(REPO, 'docker/sluice-compose.yaml'),
    env: 'emulators',
    watch: false,
    dataPort: 0,
    adminPort: 0,
    logger: createLogger('info', sink),
    environ: {
      SLUICE_HOST: '127.0.0.1',
      SLUICE_ADMIN_HOST: '127.0.0.1',
      SLUICE_ADMIN_TOKEN: ADMIN_TOKEN,
      SLUICE_CLIENT_API_KEY: CLIENT_KEY,
      OPENAI_ENDPOINT: emulators.openai.url,
      REDIS_URL: redis.url,
    },
  })
  appLines = await runApp(sluice.dataUrl)
  expect(await admin('POST', '/v1/rollouts', { id: 'chat-canary', reason: 'coverage test' })).toBe(201)
  expect(await admin('POST', '/v1/rollouts/chat-canary/rollback', { reason: 'coverage test' })).toBe(200)
  expect(await admin('PUT', '/v1/kill-switches/provider/canary', { reason: 'coverage test' })).toBe(200)
  // Settle (and the shadows' mirrored calls) run after the answers: scrape until they show, bounded.
  for (let i = 0; i < 200; i++) {
    families = await scrape()
    if (samples(families, 'sluice_shadow_requests_total') > 0 && samples(families, 'sluice_cost_usd_total') > 0 && samples(families, 'sluice_budget_spend_usd') > 0) break
    await new Promise((r) => setTimeout(r, 50))
  }
}, 120_000)

afterAll(async () => {
  await sluice?.close()
  await emulators?.close()
  await redis?.stop()
})

// --- what the dashboard and the rules read ----------------------------------------------------

interface Query { readonly where: string; readonly expr: string; readonly parsed: ParsedQuery }

const dashboard = JSON.parse(read('deploy/grafana/sluice-dashboard.json')) as {
  panels: { title: string; targets?: { expr: string }[] }[]
  templating: { list: { name: string; type: string; query: unknown }[] }
}
const dashboardQueries: Query[] = [
  ...dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: `panel "${p.title}"`, expr: t.expr }))),
  ...dashboard.templating.list
    .filter((v) => v.type === 'query')
    .map((v) => ({ where: `variable $${v.name}`, expr: /^label_values\((.*),\s*\w+\)$/.exec((v.query as { query: string }).query)![1]! })),
].map((q) => ({ ...q, parsed: parsePromQL(interpolateGrafana(q.expr)) }))

const rules = readYaml<{ groups: { rules: { alert: string; expr: string }[] }[] }>('deploy/prometheus/sluice-alerts.yaml')
const ruleQueries: Query[] = rules.groups.flatMap((g) => g.rules).map((r) => ({ where: `alert ${r.alert}`, expr: r.expr, parsed: parsePromQL(r.expr) }))

/** Labels Prometheus adds to every series it scrapes (the dashboard filters replicas by `instance`). */
const TARGET_LABELS = ['job', 'instance']

/** A family's label names: those on its samples, and those prom-client declares for it (a family with no sample yet). */
function labelNames(family: Family): Set<string> {
  const declared = registry.getMetricsAsArray().find((m) => (m as unknown as { name: string }).name === family.name) as unknown as { labelNames?: string[] } | undefined
  return new Set([...family.labels, ...(declared?.labelNames ?? []), ...(family.type === 'histogram' ? ['le'] : [])])
}

/** Every selector's metric must be an exported family (or a histogram's _bucket/_sum/_count). */
function unknownMetrics(queries: Query[]): string[] {
  return queries.flatMap((q) => q.parsed.selectors.filter((s) => familyOf(families, s.metric) === undefined).map((s) => `${q.where}: ${s.metric}`))
}

/**
 * Label names a query uses that its metrics do not have: a selector's matchers against its own
 * metric, a grouping (by, on, …) against the union over the query's metrics.
 */
function unknownLabels(queries: Query[], extra: string[] = []): string[] {
  const problems: string[] = []
  for (const q of queries) {
    const all = new Set(extra)
    for (const s of q.parsed.selectors) {
      const family = familyOf(families, s.metric)
      if (family === undefined) continue
      const names = labelNames(family)
      for (const n of names) all.add(n)
      for (const m of s.matchers) if (!names.has(m) && !extra.includes(m)) problems.push(`${q.where}: ${s.metric} has no label "${m}" (it has ${[...names].join(', ')})`)
    }
    for (const g of q.parsed.grouping) if (!all.has(g)) problems.push(`${q.where}: groups by "${g}", which none of its metrics has`)
  }
  return problems
}

describe('the example application through Sluice on the compose config', () => {
  it('makes its calls with the official SDK: answers, a stream on the rolled-out model, a guardrail refusal', () => {
    const byCall = (call: string) => appLines.filter((l) => l.call === call)
    expect(byCall('chat')).toHaveLength(ROUNDS)
    expect(byCall('stream')).toHaveLength(ROUNDS)
    expect(byCall('native-stream')).toHaveLength(ROUNDS)
    for (const line of [...byCall('chat'), ...byCall('native-stream'), ...byCall('stream')]) expect(line, JSON.stringify(line)).toMatchObject({ status: 200, decision: 'allow' })
    for (const line of [...byCall('native-stream'), ...byCall('stream')]) expect(String(line.answer).length).toBeGreaterThan(0)
    expect(byCall('leaky')).toEqual([expect.objectContaining({ status: 400, code: 'SLUICE_ERR_GUARDRAIL_CREDENTIALS' })])
  })
})

describe('/metrics of that Sluice', () => {
  it('exports every metric a dashboard panel or variable names', () => {
    expect(unknownMetrics(dashboardQueries)).toEqual([])
  })

  it('exports every metric an alert rule names', () => {
    expect(unknownMetrics(ruleQueries)).toEqual([])
  })

  it("the alert rules match and group only on labels of the metrics they read", () => {
    expect(unknownLabels(ruleQueries)).toEqual([])
  })

  it("the dashboard's queries use only labels of their metrics (and Prometheus' job and instance)", () => {
    expect(unknownLabels(dashboardQueries, TARGET_LABELS)).toEqual([])
  })

  it('the checks above do catch a metric or label Sluice does not export', () => {
    const bad = (expr: string): Query[] => [{ where: 'probe', expr, parsed: parsePromQL(expr) }]
    expect(unknownMetrics(bad('rate(sluice_process_cpu_seconds_total[5m])'))).toHaveLength(1)
    expect(unknownMetrics(bad('sluice_requests_total_bucket'))).toHaveLength(1)
    expect(unknownLabels(bad('sluice_circuit_state{provider="openai"}'))).toHaveLength(1)
    expect(unknownLabels(bad('sum by (tenant) (rate(sluice_requests_total[5m]))'))).toHaveLength(1)
  })

  it('after that traffic, the series every alert reads have samples (so the rules evaluate on data), bar two that need an event', () => {
    // Not produced by this scenario: a budget crossing a threshold (the limit is dollars, the
    // emulated calls cost fractions of a cent) and log-only guardrails (this config blocks).
    const eventOnly = new Set(['sluice_budget_alerts_total', 'sluice_guardrail_would_block_total'])
    const empty = [...new Set(ruleQueries.flatMap((q) => q.parsed.selectors.map((s) => familyOf(families, s.metric)!.name)))].filter(
      (name) => !eventOnly.has(name) && samples(families, name) === 0,
    )
    expect(empty).toEqual([])
  })

  it('the panels of each feature the compose config turns on have data', () => {
    for (const name of [
      'sluice_requests_total',
      'sluice_request_duration_seconds',
      'sluice_time_to_first_token_seconds',
      'sluice_upstream_first_byte_seconds',
      'sluice_overhead_seconds',
      'sluice_tokens_total',
      'gen_ai_client_token_usage',
      'gen_ai_client_operation_duration_seconds',
      'sluice_cost_usd_total',
      'sluice_budget_spend_usd',
      'sluice_budget_limit_usd',
      'sluice_circuit_state',
      'sluice_kill_switches_active',
      'sluice_rollout_weight',
      'sluice_rollout_step',
      'sluice_rollout_decisions_total',
      'sluice_guardrail_checks_total',
      'sluice_shadow_requests_total',
      'sluice_denials_total',
      'process_cpu_seconds_total',
      'nodejs_heap_size_used_bytes',
    ]) {
      expect(samples(families, name), name).toBeGreaterThan(0)
    }
  })
})
