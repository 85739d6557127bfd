// Shadows: each mirror's pairs and errors, and per metric the paired shadow − primary difference
// with its 95 % interval drawn.
import { IntervalPlot } from '../charts.js'
import { fmt, get, Page, Table, usePoll } from '../ui.js'

interface Difference {
  n: number
  mean?: number
  ci95?: number
  primaryMean?: number
  shadowMean?: number
}
interface Shadow {
  id: string
  model: string | null
  mount: string | null
  target: string
  percent: number
  maxConcurrent: number
  inFlight: number
  pairs: number
  primaryErrors: number
  shadowErrors: number
  skipped: Record<string, number>
  differences: Record<string, Difference>
}

export function Shadows() {
  const list = usePoll(get<{ shadows: Shadow[] }>('/v1/shadows'), 5000)
  const shadows = list.data?.shadows ?? []
  return (
    <Page title="Shadows" error={list.error}>
      {shadows.length === 0 && <p class="muted">No shadow is configured.</p>}
      {shadows.map((s) => (
        <div class="card" key={s.id} data-shadow={s.id}>
          <h3>{s.id}</h3>
          <p>
            {s.model ?? `${s.mount} native`} mirrored to <code>{s.target}</code> at {s.percent} % (at most {s.maxConcurrent} at once, {s.inFlight} in flight) · pairs{' '}
            <b>{s.pairs}</b> · errors: primary {s.primaryErrors}, shadow {s.shadowErrors} · skipped {Object.entries(s.skipped).map(([k, v]) => `${k} ${v}`).join(', ')}
          </p>
          {Object.entries(s.differences).map(([metric, d]) => (
            <div key={metric} class="metric">
              <h4>
                {metric}: shadow − primary <span class="muted">(primary {fmt(d.primaryMean, 4)}, shadow {fmt(d.shadowMean, 4)}, n {d.n})</span>
              </h4>
              <IntervalPlot
                testid={`shadow-${s.id}-${metric}`}
                intervals={[{ label: metric, estimate: d.mean ?? null, low: d.mean === undefined || d.ci95 === undefined ? null : d.mean - d.ci95, high: d.mean === undefined || d.ci95 === undefined ? null : d.mean + d.ci95 }]}
              />
            </div>
          ))}
          <Table head={['metric', 'pairs', 'mean difference', '± 95 %']} rows={Object.entries(s.differences).map(([m, d]) => [m, d.n, fmt(d.mean, 5), fmt(d.ci95, 5)])} />
        </div>
      ))}
    </Page>
  )
}
