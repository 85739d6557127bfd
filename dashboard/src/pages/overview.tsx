// Overview: live rates from /metrics scraped every two seconds (requests, failures, p95 latency,
// p95 time to first token, cost per minute), their last two minutes charted, and /v1/status.
import { useEffect, useRef, useState } from 'preact/hooks'
import { TimeChart } from '../charts.js'
import { parseMetrics, providerRates, rates, type ProviderRates, type Rates, type Scrape } from '../metrics.js'
import { fmt, get, Page, Table, usePoll } from '../ui.js'

interface Status {
  version: string
  environment: string
  uptimeSeconds: number
  ready: boolean
  killSwitches: unknown[]
  store: { kind: string; ok: boolean; detail?: string }
  flags: { revision: string; count: number }
  providers: { name: string; type: string; mount: string }[]
}

const KEEP = 60
const EVERY_MS = 2000

export function Overview() {
  const status = usePoll(get<Status>('/v1/status'), 5000)
  const [latest, setLatest] = useState<Rates>()
  const [byProvider, setByProvider] = useState<ProviderRates[]>([])
  const [series, setSeries] = useState<number[][]>([[], [], []])
  const [error, setError] = useState<string>()
  const previous = useRef<{ scrape: Scrape; at: number }>()
  useEffect(() => {
    let stopped = false
    const tick = async () => {
      try {
        const response = await fetch('/metrics')
        const scrape = parseMetrics(await response.text())
        const at = Date.now()
        const before = previous.current
        previous.current = { scrape, at }
        setError(undefined)
        if (before === undefined || stopped) return
        const seconds = (at - before.at) / 1000
        const r = rates(scrape, before.scrape, seconds)
        setLatest(r)
        setByProvider(providerRates(scrape, before.scrape, seconds))
        setSeries((s) => [
          [...s[0]!, at / 1000].slice(-KEEP),
          [...s[1]!, r.requestsPerSecond].slice(-KEEP),
          [...s[2]!, r.failedPerSecond].slice(-KEEP),
        ])
      } catch (err) {
        setError(String(err))
      }
    }
    void tick()
    const timer = setInterval(() => void tick(), EVERY_MS)
    return () => {
      stopped = true
      clearInterval(timer)
    }
  }, [])
  const s = status.data
  const tiles: [string, string][] = [
    ['requests/s', fmt(latest?.requestsPerSecond)],
    ['errors/s', fmt(latest?.failedPerSecond)],
    ['p95 latency', latest?.p95Seconds == null ? '–' : fmt(latest.p95Seconds * 1000, 0, ' ms')],
    ['p95 TTFT', latest?.ttftP95Seconds == null ? '–' : fmt(latest.ttftP95Seconds * 1000, 0, ' ms')],
    ['cost/min', latest === undefined ? '–' : `$${latest.costUsdPerMinute.toFixed(4)}`],
  ]
  return (
    <Page title="Overview" error={status.error ?? error}>
      <div class="tiles">
        {tiles.map(([label, value]) => (
          <div class="tile" key={label} data-metric={label} data-points={series[0]!.length}>
            {label}
            <b>{value}</b>
          </div>
        ))}
      </div>
      <p class="muted">Rates over the last {EVERY_MS / 1000} s, from this instance's /metrics; p95s are bucket upper bounds.</p>
      <Table
        testid="by-provider"
        head={['provider', 'requests/s', 'errors/s']}
        empty="No traffic in the last interval."
        rows={byProvider.map((p) => [p.provider, fmt(p.requestsPerSecond), <span class={p.failedPerSecond > 0 ? 'error' : ''}>{fmt(p.failedPerSecond)}</span>])}
      />
      <TimeChart title="Requests and errors per second (this instance)" labels={['requests/s', 'errors/s']} data={series} testid="overview-chart" />
      {s !== undefined && (
        <p data-testid="status">
          Sluice {s.version} · {s.environment === '' ? 'no environment' : s.environment} · {s.ready ? 'ready' : 'NOT READY'} · store {s.store.kind}{' '}
          {s.store.ok ? 'ok' : `DOWN ${s.store.detail ?? ''}`} · {s.flags.count} flags · up {s.uptimeSeconds} s ·{' '}
          <b class={s.killSwitches.length > 0 ? 'error' : ''}>{s.killSwitches.length} kill switch(es) on</b> · providers{' '}
          {s.providers.map((p) => `${p.name} (${p.type}, ${p.mount})`).join(', ')}
        </p>
      )}
    </Page>
  )
}

