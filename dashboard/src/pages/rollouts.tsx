// Rollouts: each canary's status and step, each health metric's observed difference against its
// threshold with the judge's verdict, and the actions (each two clicks: the action, then Confirm
// with the reason).
import { Act, fmt, get, Page, pct, Table, usePoll, when } from '../ui.js'

interface Arm {
  requests: number
  errors: number
  errorRate: number | null
  latencyMsGeometricMean: number | null
  costUsdMean: number | null
}
interface Rollout {
  id: string
  model: string | null
  mount: string | null
  stable: string
  canary: string
  status: string
  reason: string | null
  run: number
  step: { number: number; of: number; percent: number; minDurationSeconds?: number; minSamplesPerArm?: number; startedAt: string } | null
  canaryPercent: number
  updatedAt: string | null
  arms: { stable: Arm; canary: Arm }
  judgement: {
    decision: string
    reasons: string[]
    metrics: { metric: string; verdict: string; threshold: number | null; reason?: string }[]
    hardStop: unknown
  } | null
}

const ACTIONS: Record<string, string[]> = {
  pending: ['start'],
  progressing: ['promote', 'pause', 'rollback', 'stop', 'complete'],
  paused: ['resume', 'promote', 'rollback', 'stop', 'complete'],
  'rolled-back': ['start'],
  stopped: ['start'],
  completed: ['start'],
}

/** The canary − stable difference each metric is judged on (docs/rollouts.md, health tests). */
function observed(metric: string, arms: Rollout['arms']): number | null {
  const { stable, canary } = arms
  if (metric === 'error-rate') return stable.errorRate === null || canary.errorRate === null ? null : canary.errorRate - stable.errorRate
  if (metric === 'latency')
    return stable.latencyMsGeometricMean && canary.latencyMsGeometricMean ? Math.log(canary.latencyMsGeometricMean / stable.latencyMsGeometricMean) : null
  if (metric === 'cost') return stable.costUsdMean && canary.costUsdMean !== null ? canary.costUsdMean / stable.costUsdMean - 1 : null
  return null
}

function Meter(props: { value: number | null; threshold: number | null }) {
  if (props.value === null || props.threshold === null || props.threshold <= 0) return <span class="muted">–</span>
  const share = Math.max(0, Math.min(1, props.value / (props.threshold * 2)))
  return (
    <span class="meter" title="the threshold is the middle mark">
      <span class={props.value > props.threshold ? 'fill over' : 'fill'} style={{ width: `${share * 100}%` }} />
      <span class="mark" />
    </span>
  )
}

function RolloutCard(props: { rollout: Rollout; onDone: () => void }) {
  const r = props.rollout
  const arms = Object.entries(r.arms) as [string, Arm][]
  return (
    <div class="card" data-rollout={r.id}>
      <h3>
        {r.id} <span class={`status ${r.status}`} data-testid="rollout-status">{r.status}</span>
      </h3>
      <p>
        {r.model !== null ? `virtual model ${r.model}` : `${r.mount} native`}: stable <code>{r.stable}</code> → canary <code>{r.canary}</code> · run {r.run} ·{' '}
        {r.step === null ? 'no step' : `step ${r.step.number} of ${r.step.of} (${r.step.percent} %) since ${when(r.step.startedAt)}`} · canary gets{' '}
        <b data-testid="canary-percent">{r.canaryPercent} %</b>
        {r.reason !== null && ` · last: ${r.reason}`}
      </p>
      <div class="row">
        {(ACTIONS[r.status] ?? []).map((action) => (
          <Act
            key={action}
            label={action[0]!.toUpperCase() + action.slice(1)}
            method="POST"
            path={`/v1/rollouts/${encodeURIComponent(r.id)}/${action}`}
            danger={action === 'rollback' || action === 'stop'}
            onDone={props.onDone}
          />
        ))}
      </div>
      <Table
        testid={`arms-${r.id}`}
        head={['arm', 'requests', 'errors', 'error rate', 'latency (geo. mean)', 'cost / request']}
        rows={arms.map(([name, a]) => [name, a.requests, a.errors, pct(a.errorRate, 2), fmt(a.latencyMsGeometricMean, 1, ' ms'), a.costUsdMean === null ? '–' : `$${a.costUsdMean.toPrecision(3)}`])}
      />
      {r.judgement !== null && (
        <>
          <h4>
            Health: the judge would <b>{r.judgement.decision}</b>
          </h4>
          <Table
            testid={`health-${r.id}`}
            head={['metric', 'canary − stable', 'threshold', '', 'verdict', 'why']}
            rows={r.judgement.metrics.map((m) => {
              const value = observed(m.metric, r.arms)
              return [m.metric, fmt(value, 4), fmt(m.threshold, 4), <Meter value={value} threshold={m.threshold} />, <span class={`verdict ${m.verdict}`}>{m.verdict}</span>, m.reason ?? '']
            })}
          />
          <ul class="muted">
            {r.judgement.reasons.map((reason) => <li key={reason}>{reason}</li>)}
          </ul>
        </>
      )}
    </div>
  )
}

export function Rollouts() {
  const list = usePoll(get<{ rollouts: Rollout[] }>('/v1/rollouts'), 3000)
  return (
    <Page title="Rollouts" error={list.error}>
      {(list.data?.rollouts ?? []).map((r) => <RolloutCard key={r.id} rollout={r} onDone={list.reload} />)}
      {list.data?.rollouts.length === 0 && <p class="muted">No rollout is configured.</p>}
    </Page>
  )
}
