// The Grafana dashboard (deploy/grafana/sluice-dashboard.json) and the Prometheus alert rules
// (deploy/prometheus/sluice-alerts.yaml) as files: their shape, and every query parsed with
// Prometheus' grammar. That they name only metrics and labels Sluice exports is checked against a
// running Sluice in metrics-coverage.test.ts.
import { describe, expect, it } from 'vitest'
import { interpolateGrafana, parsePromQL, read, readYaml } from './support.js'

interface Target { refId: string; expr: string; datasource?: { type: string; uid: string } }
interface Panel {
  id: number
  type: string
  title: string
  description?: string
  datasource?: { type: string; uid: string }
  gridPos: { x: number; y: number; w: number; h: number }
  targets?: Target[]
}
interface Variable { name: string; type: string; query: unknown; datasource?: { uid: string } }
interface Dashboard { uid: string; title: string; schemaVersion: number; panels: Panel[]; templating: { list: Variable[] } }
interface Rule { alert?: string; record?: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> }

const dashboard = JSON.parse(read('deploy/grafana/sluice-dashboard.json')) as Dashboard
const rules = readYaml<{ groups: { name: string; rules: Rule[] }[] }>('deploy/prometheus/sluice-alerts.yaml')
const alerts = rules.groups.flatMap((g) => g.rules)

/** What each alert is for: the list, each by the metric its rule must read. */
const REQUIRED_ALERTS: Record<string, string> = {
  SluiceBudgetNearLimit: 'sluice_budget_spend_usd',
  SluiceCircuitOpen: 'sluice_circuit_state',
  SluiceKillSwitchOn: 'sluice_kill_switches_active',
  SluiceEmergencyShutdown: 'sluice_kill_switches_active',
  SluiceHighErrorRate: 'sluice_requests_total',
  SluiceRolloutRolledBack: 'sluice_rollout_decisions_total',
  SluiceGuardrailBlocks: 'sluice_guardrail_checks_total',
}

/** What the dashboard must show, each by a metric some panel reads. */
const REQUIRED_PANELS: Record<string, string> = {
  'requests per second by decision': 'sluice_requests_total',
  'p95 latency': 'sluice_request_duration_seconds_bucket',
  overhead: 'sluice_overhead_seconds_bucket',
  'time to first token': 'sluice_time_to_first_token_seconds_bucket',
  tokens: 'sluice_tokens_total',
  'GenAI token usage': 'gen_ai_client_token_usage_sum',
  cost: 'sluice_cost_usd_total',
  'budget spend': 'sluice_budget_spend_usd',
  'budget limit': 'sluice_budget_limit_usd',
  circuits: 'sluice_circuit_state',
  'kill switches': 'sluice_kill_switches_active',
  rollouts: 'sluice_rollout_weight',
  'rollout decisions': 'sluice_rollout_decisions_total',
  'guardrail blocks': 'sluice_guardrail_checks_total',
  shadows: 'sluice_shadow_requests_total',
  'process CPU': 'process_cpu_seconds_total',
  'heap used': 'nodejs_heap_size_used_bytes',
}

const panels = dashboard.panels.filter((p) => p.type !== 'row')
const panelQueries = panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })))

describe('alert rules', () => {
  it('is a Prometheus rule file: named groups, each rule an alert with an expression, a severity and a summary', () => {
    expect(rules.groups.length).toBeGreaterThan(0)
    for (const group of rules.groups) {
      expect(group.name).toMatch(/\S/)
      for (const rule of group.rules) {
        expect(Object.keys(rule).filter((k) => !['alert', 'expr', 'for', 'labels', 'annotations', 'keep_firing_for'].includes(k)), rule.alert).toEqual([])
        expect(rule.alert, JSON.stringify(rule)).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/)
        expect(typeof rule.expr).toBe('string')
        if (rule.for !== undefined) expect(rule.for).toMatch(/^\d+[smh]$/)
        expect(['critical', 'warning', 'info']).toContain(rule.labels?.severity)
        expect(rule.annotations?.summary, rule.alert).toMatch(/\S/)
        expect(rule.annotations?.description, rule.alert).toMatch(/\S/)
      }
    }
    const names = alerts.map((r) => r.alert)
    expect(new Set(names).size).toBe(names.length)
  })

  it('covers budget near limit, circuit open, kill switch on, error rate, rollout rolled back and guardrail blocks', () => {
    for (const [alert, metric] of Object.entries(REQUIRED_ALERTS)) {
      const rule = alerts.find((r) => r.alert === alert)
      expect(rule, alert).toBeDefined()
      expect(parsePromQL(rule!.expr).selectors.map((s) => s.metric), alert).toContain(metric)
    }
  })

  it('every expression parses as PromQL, and every selector names its metric', () => {
    for (const rule of alerts) {
      const parsed = parsePromQL(rule.expr)
      expect(parsed.errors, `${rule.alert}: ${rule.expr}`).toEqual([])
      expect(parsed.selectors.length, rule.alert).toBeGreaterThan(0)
      for (const s of parsed.selectors) expect(s.metric, rule.alert).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/)
    }
  })

  it("annotations name only labels the alert's expression keeps (its by/on groupings)", () => {
    for (const rule of alerts) {
      const kept = new Set(parsePromQL(rule.expr).grouping)
      for (const text of Object.values(rule.annotations ?? {})) {
        for (const [, label] of text.matchAll(/\$labels\.(\w+)/g)) expect(kept.has(label!), `${rule.alert}: $labels.${label}`).toBe(true)
      }
    }
  })

  it('the parser used here does reject broken PromQL (so the test above can fail)', () => {
    expect(parsePromQL('sum(rate(sluice_requests_total[5m])').errors).not.toEqual([])
    expect(parsePromQL('sluice_requests_total{code=}').errors).not.toEqual([])
  })
})

describe('Grafana dashboard', () => {
  it('is a current dashboard JSON model: uid, title, schemaVersion 41 (Grafana 12), unique panel ids', () => {
    expect(dashboard.uid).toBe('sluice')
    expect(dashboard.title).toBe('Sluice')
    expect(dashboard.schemaVersion).toBe(41)
    const ids = dashboard.panels.map((p) => p.id)
    expect(new Set(ids).size).toBe(ids.length)
    for (const p of dashboard.panels) expect(Number.isInteger(p.id), p.title).toBe(true)
  })

  it('picks its Prometheus through a data source variable, used by every panel and query', () => {
    const variable = dashboard.templating.list.find((v) => v.type === 'datasource')
    expect(variable).toMatchObject({ name: 'datasource', query: 'prometheus' })
    for (const p of panels) {
      expect(p.datasource, p.title).toEqual({ type: 'prometheus', uid: '${datasource}' })
      for (const t of p.targets ?? []) expect(t.datasource, p.title).toEqual({ type: 'prometheus', uid: '${datasource}' })
    }
    for (const v of dashboard.templating.list.filter((v) => v.type === 'query')) expect(v.datasource?.uid, v.name).toBe('${datasource}')
  })

  it('lays its panels out on the 24-column grid without overlaps', () => {
    const cells = new Set<string>()
    for (const p of dashboard.panels) {
      const { x, y, w, h } = p.gridPos
      expect(x >= 0 && w > 0 && x + w <= 24 && h > 0 && y >= 0, `${p.title} ${JSON.stringify(p.gridPos)}`).toBe(true)
      for (let i = x; i < x + w; i++) {
        for (let j = y; j < y + h; j++) {
          expect(cells.has(`${i},${j}`), `${p.title} overlaps at ${i},${j}`).toBe(false)
          cells.add(`${i},${j}`)
        }
      }
    }
  })

  it('every panel has a title, a description and queries; every query parses as PromQL once Grafana interpolates it', () => {
    for (const p of panels) {
      expect(p.title, String(p.id)).toMatch(/\S/)
      expect(p.description, p.title).toMatch(/\S/)
      expect(p.targets?.length, p.title).toBeGreaterThan(0)
      const refIds = (p.targets ?? []).map((t) => t.refId)
      expect(new Set(refIds).size, p.title).toBe(refIds.length)
    }
    for (const { panel, expr } of panelQueries) {
      const parsed = parsePromQL(interpolateGrafana(expr))
      expect(parsed.errors, `${panel}: ${expr}`).toEqual([])
      for (const s of parsed.selectors) expect(s.metric, panel).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/)
    }
  })

  it('shows traffic, errors, latency, overhead, TTFT, tokens, cost against budget, circuits, kill switches, rollouts, guardrail blocks, shadows', () => {
    const read = new Set(panelQueries.flatMap(({ expr }) => parsePromQL(interpolateGrafana(expr)).selectors.map((s) => s.metric)))
    for (const [topic, metric] of Object.entries(REQUIRED_PANELS)) expect(read.has(metric), `${topic}: no panel reads ${metric}`).toBe(true)
    const decision = panelQueries.find(({ expr }) => /sluice_requests_total/.test(expr) && parsePromQL(interpolateGrafana(expr)).grouping.includes('decision'))
    expect(decision, 'a panel of requests by decision').toBeDefined()
    const byCode = panelQueries.find(({ expr }) => /sluice_requests_total/.test(expr) && parsePromQL(interpolateGrafana(expr)).grouping.includes('code'))
    expect(byCode, 'a panel of errors by code').toBeDefined()
  })

  it('legends name only labels an aggregated query keeps', () => {
    for (const p of panels) {
      for (const t of (p.targets ?? []) as (Target & { legendFormat?: string })[]) {
        const parsed = parsePromQL(interpolateGrafana(t.expr))
        if (parsed.grouping.length === 0) continue
        for (const [, label] of (t.legendFormat ?? '').matchAll(/\{\{\s*(\w+)\s*\}\}/g)) expect(parsed.grouping, `${p.title}: {{${label}}}`).toContain(label)
      }
    }
  })

  it('its variables query metrics the panels read', () => {
    for (const v of dashboard.templating.list.filter((v) => v.type === 'query')) {
      const query = (v.query as { query: string }).query
      const inner = /^label_values\((.*),\s*([a-zA-Z_]\w*)\)$/.exec(query)
      expect(inner, v.name).not.toBeNull()
      expect(parsePromQL(interpolateGrafana(inner![1]!)).errors, v.name).toEqual([])
    }
  })
})
