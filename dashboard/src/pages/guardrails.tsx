// Guardrails: the mode, each detector's settings, and what they found since start, with what they
// would have blocked in log-only mode.
import { get, json, Page, Table, usePoll } from '../ui.js'

interface Guardrails {
  mode: { value: string; reason: string }
  detectors: Record<string, { enabled: boolean; action: string; failMode: string; on: string[] } & Record<string, unknown>>
  size: { action: string }
  counters: {
    checks: { detector: string; action: string; mode: string; outcome: string; count: number }[]
    wouldBlock: ({ count: number } & Record<string, unknown>)[]
  }
}

export function Guardrails() {
  const g = usePoll(get<Guardrails>('/v1/guardrails'), 5000)
  const d = g.data
  return (
    <Page title="Guardrails" error={g.error}>
      {d !== undefined && (
        <>
          <p>
            Mode <b data-testid="guardrails-mode">{d.mode.value}</b> ({d.mode.reason}) · oversized bodies: {d.size.action}
          </p>
          <h3>Would have blocked (log-only mode)</h3>
          <Table
            testid="would-block"
            head={['what', 'count']}
            empty="Nothing would have been blocked."
            rows={d.counters.wouldBlock.map((w) => {
              const { count, ...rest } = w
              return [<code>{json(rest)}</code>, count]
            })}
          />
          <h3>Checks since start</h3>
          <Table testid="guardrail-checks" head={['detector', 'action', 'mode', 'outcome', 'count']} rows={d.counters.checks.map((c) => [c.detector, c.action, c.mode, c.outcome, c.count])} />
          <h3>Detectors</h3>
          <Table
            head={['detector', 'enabled', 'action', 'fail mode', 'on', 'settings']}
            rows={Object.entries(d.detectors).map(([name, x]) => {
              const { enabled, action, failMode, on, ...rest } = x
              return [name, enabled ? 'yes' : 'no', action, failMode, on.join(', '), <code>{json(rest)}</code>]
            })}
          />
        </>
      )}
    </Page>
  )
}
