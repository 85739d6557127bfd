// Experiments: each one's status and variants; its results with every metric's per-variant effect
// against control drawn as a confidence interval, the sample-ratio-mismatch check, and progress
// toward the sample size the primary metric needs.
import { useState } from 'preact/hooks'
import { IntervalPlot } from '../charts.js'
import { Act, fmt, get, Page, pct, Table, usePoll } from '../ui.js'

interface Summary {
  key: string
  status: string
  model: string | null
  mount: string | null
  allocationPercent: number
  variants: { name: string; weight: number; control: boolean; target: string }[]
  primaryMetric: string
  winner: string | null
  source: string
}
type Estimate = { ok: true; estimate: number; interval: [number, number]; pValue?: number } | { ok: false; reason: string; message: string }
interface Results {
  control: string
  confidence: number
  users: Record<string, number>
  srm: { ok: boolean; chiSquare?: number; pValue?: number; mismatch: boolean; message?: string }
  primaryMetric: string
  decision?: unknown
  metrics: {
    name: string
    kind: string
    lowerIsBetter: boolean
    guardrail: boolean
    primary: boolean
    variants: { variant: string; n: number; mean: number | null }[]
    comparisons: { variant: string; relative: Estimate; absolute: Estimate; chanceToBeatControl: number | null; verdict: string }[]
    sampleSize: { ok: true; requiredPerVariant: number; smallestVariantN: number; progress: number } | { ok: false; message: string }
  }[]
}

const ACTIONS: Record<string, string[]> = { draft: ['start'], running: ['stop', 'conclude'], stopped: ['start', 'conclude'] }

function ResultsView(props: { experiment: string }) {
  const results = usePoll(get<Results>(`/v1/experiments/${encodeURIComponent(props.experiment)}/results`), 5000, props.experiment)
  const r = results.data
  if (results.error !== undefined) return <p class="error">{results.error}</p>
  if (r === undefined) return <p>Loading…</p>
  const primary = r.metrics.find((m) => m.primary)
  return (
    <div data-testid="experiment-results">
      <p>
        Users: {Object.entries(r.users).map(([v, n]) => `${v} ${n}`).join(' · ')} · SRM:{' '}
        <b class={r.srm.mismatch ? 'error' : ''} data-testid="srm">
          {r.srm.mismatch ? 'MISMATCH' : 'ok'}
          {r.srm.pValue !== undefined && ` (p = ${r.srm.pValue.toPrecision(3)})`}
        </b>
        {primary !== undefined && (
          <>
            {' '}
            · sample size for {primary.name}:{' '}
            {primary.sampleSize.ok ? (
              <span data-testid="progress">
                <progress max={1} value={Math.min(1, primary.sampleSize.progress)} /> {primary.sampleSize.smallestVariantN} of {primary.sampleSize.requiredPerVariant} per variant
              </span>
            ) : (
              <span class="muted">{primary.sampleSize.message}</span>
            )}
          </>
        )}
      </p>
      {r.metrics.map((m) => (
        <div key={m.name} class="metric">
          <h4>
            {m.name} {m.primary && '(primary)'} {m.guardrail && '(guardrail)'} <span class="muted">relative to {r.control}, {Math.round(r.confidence * 100)} % interval; {m.lowerIsBetter ? 'lower' : 'higher'} is better</span>
          </h4>
          <p class="muted" data-testid={`sample-${m.name}`}>
            Sample size:{' '}
            {m.sampleSize.ok ? (
              <>
                <progress max={1} value={Math.min(1, m.sampleSize.progress)} /> {m.sampleSize.smallestVariantN} of {m.sampleSize.requiredPerVariant} per variant ({pct(Math.min(1, m.sampleSize.progress), 0)})
              </>
            ) : (
              m.sampleSize.message
            )}
          </p>
          <IntervalPlot
            testid={`ci-${m.name}`}
            format={(value) => pct(value, 0)}
            intervals={m.comparisons.map((c) => ({
              label: `${c.variant}: ${c.verdict}`,
              estimate: c.relative.ok ? c.relative.estimate : null,
              low: c.relative.ok ? c.relative.interval[0] : null,
              high: c.relative.ok ? c.relative.interval[1] : null,
            }))}
          />
          <Table
            head={['variant', 'n', 'mean', 'relative effect', 'chance to beat control', 'verdict']}
            rows={m.variants.map((v) => {
              const c = m.comparisons.find((x) => x.variant === v.variant)
              return [v.variant, v.n, fmt(v.mean, 4), c === undefined ? 'control' : c.relative.ok ? `${pct(c.relative.estimate)} [${pct(c.relative.interval[0])}, ${pct(c.relative.interval[1])}]` : c.relative.message, pct(c?.chanceToBeatControl), c?.verdict ?? '']
            })}
          />
        </div>
      ))}
    </div>
  )
}

export function Experiments() {
  const list = usePoll(get<{ experiments: Summary[] }>('/v1/experiments'), 5000)
  const [open, setOpen] = useState<string>()
  const [winner, setWinner] = useState('')
  const experiments = list.data?.experiments ?? []
  const selected = open ?? experiments[0]?.key
  return (
    <Page title="Experiments" error={list.error}>
      <Table
        testid="experiments"
        head={['key', 'status', 'on', 'allocation', 'variants', 'primary metric', 'winner', '']}
        empty="No experiment is configured."
        rows={experiments.map((e) => [
          <a href="#/experiments" onClick={(ev) => (ev.preventDefault(), setOpen(e.key))}>{e.key}</a>,
          e.status,
          e.model ?? e.mount ?? '',
          `${e.allocationPercent} %`,
          e.variants.map((v) => `${v.name}${v.control ? ' (control)' : ''} → ${v.target}`).join(', '),
          e.primaryMetric,
          e.winner ?? '',
          <span class="row">
            {(ACTIONS[e.status] ?? []).map((action) => (
              <Act key={action} label={action[0]!.toUpperCase() + action.slice(1)} method="POST" path={`/v1/experiments/${encodeURIComponent(e.key)}/${action}`} body={action === 'conclude' && winner !== '' ? { winner } : {}} onDone={list.reload} />
            ))}
          </span>,
        ])}
      />
      <p class="muted">
        Conclude with winner (optional): <input name="winner" value={winner} onInput={(e) => setWinner(e.currentTarget.value)} placeholder="variant name" />
      </p>
      {selected !== undefined && (
        <>
          <h3>Results: {selected}</h3>
          <ResultsView experiment={selected} />
        </>
      )}
    </Page>
  )
}
