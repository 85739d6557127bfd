// Bandits: each model's arms (chance of being picked, reward, exclusions) and the shares over time
// while this page is open.
import { useEffect, useState } from 'preact/hooks'
import { TimeChart } from '../charts.js'
import { fmt, get, Page, pct, Table, usePoll } from '../ui.js'

interface Bandit {
  model: string
  mode: string
  arms: { arm: string; share: number; mean: number; successes: number; failures: number; attempts: number; errors: number; excluded: string | null }[]
}

const KEEP = 120

export function Bandits() {
  const list = usePoll(get<{ bandits: Bandit[] }>('/v1/bandits'), 2000)
  const [history, setHistory] = useState<Record<string, number[][]>>({})
  useEffect(() => {
    if (list.data === undefined) return
    const at = Date.now() / 1000
    setHistory((old) => {
      const next: Record<string, number[][]> = {}
      for (const b of list.data!.bandits) {
        const before = old[b.model] ?? [[], ...b.arms.map(() => [])]
        next[b.model] = [[...before[0]!, at].slice(-KEEP), ...b.arms.map((a, i) => [...(before[i + 1] ?? []), a.share].slice(-KEEP))]
      }
      return next
    })
  }, [list.data])
  const bandits = list.data?.bandits ?? []
  return (
    <Page title="Bandits" error={list.error}>
      {bandits.length === 0 && <p class="muted">No model has a bandit.</p>}
      {bandits.map((b) => (
        <div class="card" key={b.model} data-bandit={b.model} data-points={history[b.model]?.[0]?.length ?? 0}>
          <h3>
            {b.model} <span class="status">{b.mode}</span>
          </h3>
          <TimeChart title="Arm shares over time" labels={b.arms.map((a) => a.arm)} data={history[b.model] ?? [[], ...b.arms.map(() => [])]} yRange={[0, 1]} testid={`bandit-${b.model}`} />
          <Table
            testid={`arms-${b.model}`}
            head={['arm', 'share', 'mean reward', 'successes', 'failures', 'attempts', 'errors', 'excluded']}
            rows={b.arms.map((a) => [<code>{a.arm}</code>, pct(a.share), fmt(a.mean, 3), fmt(a.successes, 1), fmt(a.failures, 1), fmt(a.attempts, 1), fmt(a.errors, 1), a.excluded ?? ''])}
          />
        </div>
      ))}
    </Page>
  )
}
