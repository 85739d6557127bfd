// The overview's reading of /metrics (dashboard/src/metrics.ts), on text prom-client writes: rates
// from two scrapes, failures by HTTP status or SLUICE_ERR_* code, p95 from the buckets between them.
import { Counter, Histogram, Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { parseMetrics, p95, providerRates, rates } from '../../dashboard/src/metrics.js'

function registry() {
  const registry = new Registry()
  const requests = new Counter({ name: 'sluice_requests_total', help: 'h', labelNames: ['provider', 'status', 'code'], registers: [registry] })
  const cost = new Counter({ name: 'sluice_cost_usd_total', help: 'h', labelNames: ['provider'], registers: [registry] })
  const duration = new Histogram({ name: 'sluice_request_duration_seconds', help: 'h', labelNames: ['provider'], buckets: [0.01, 0.05, 0.1, 0.5, 1], registers: [registry] })
  const ttft = new Histogram({ name: 'sluice_time_to_first_token_seconds', help: 'h', labelNames: ['provider'], buckets: [0.01, 0.05, 0.1], registers: [registry] })
  return { registry, requests, cost, duration, ttft }
}

describe('the overview metrics', () => {
  it('turns two scrapes into rates, counting refusals and upstream failures as errors', async () => {
    const m = registry()
    m.requests.inc({ provider: 'openai', status: '200', code: 'none' }, 100)
    m.cost.inc({ provider: 'openai' }, 1)
    const before = parseMetrics(await m.registry.metrics())
    m.requests.inc({ provider: 'openai', status: '200', code: 'none' }, 16)
    m.requests.inc({ provider: 'google', status: '200', code: 'none' }, 4)
    m.requests.inc({ provider: 'openai', status: '503', code: 'SLUICE_ERR_KILL_PROVIDER' }, 3)
    m.requests.inc({ provider: 'google', status: '429', code: 'SLUICE_ERR_RATE_LIMITED' }, 1)
    m.cost.inc({ provider: 'openai' }, 0.25)
    m.cost.inc({ provider: 'google' }, 0.15)
    const now = parseMetrics(await m.registry.metrics())
    const r = rates(now, before, 2)
    expect(r.requestsPerSecond).toBe(12)
    expect(r.failedPerSecond).toBe(2)
    expect(r.costUsdPerMinute).toBeCloseTo(12, 9)
    expect(r.p95Seconds).toBeNull() // nothing observed
    expect(r.ttftP95Seconds).toBeNull()
    expect(providerRates(now, before, 2)).toEqual([
      { provider: 'openai', requestsPerSecond: 9.5, failedPerSecond: 1.5 },
      { provider: 'google', requestsPerSecond: 2.5, failedPerSecond: 0.5 },
    ])
  })

  it('reads the code label when there is no status label (older series)', () => {
    const text = ['sluice_requests_total{provider="openai",code="200"} 5', 'sluice_requests_total{provider="openai",code="SLUICE_ERR_KILL_MODEL"} 2', 'sluice_requests_total{provider="x",code="none"} 1'].join('\n')
    const r = rates(parseMetrics(text), new Map(), 1)
    expect(r).toMatchObject({ requestsPerSecond: 8, failedPerSecond: 2 })
  })

  it('takes the p95 of what was observed between the scrapes only, as a bucket bound', async () => {
    const m = registry()
    for (let i = 0; i < 1000; i++) m.duration.observe({ provider: 'openai' }, 0.8) // before: slow
    const before = parseMetrics(await m.registry.metrics())
    for (let i = 0; i < 96; i++) m.duration.observe({ provider: 'openai' }, 0.02)
    for (let i = 0; i < 4; i++) m.duration.observe({ provider: 'google' }, 0.3)
    for (let i = 0; i < 10; i++) m.ttft.observe({ provider: 'openai' }, 5) // beyond the last bucket
    const now = parseMetrics(await m.registry.metrics())
    expect(p95(now, before, 'sluice_request_duration_seconds')).toBe(0.05)
    expect(p95(now, new Map(), 'sluice_request_duration_seconds')).toBe(1)
    // Past the largest finite bucket: the largest finite bound is the best the buckets can say.
    expect(p95(now, before, 'sluice_time_to_first_token_seconds')).toBe(0.1)
  })

  it('skips comments, blank lines and values that are not numbers', () => {
    const scrape = parseMetrics('# HELP x y\n# TYPE x counter\n\nx 3\nx{a="b"} NaN\nbroken line\n')
    expect(scrape.get('x')).toBe(3)
  })
})
