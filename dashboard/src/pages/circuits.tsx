// Circuits: each upstream target's breaker, its window, and a reset (operators, with a reason).
import { Act, get, Page, Table, usePoll, when } from '../ui.js'

interface Circuit {
  id: string
  state: string
  openedAt?: string | number
  retryAfterSeconds: number
  window: { attempts: number; failures: number; successes: number; rejects: number }
}

export function Circuits() {
  const list = usePoll(get<{ enabled: boolean; circuits: Circuit[] }>('/v1/circuits'), 3000)
  return (
    <Page title="Circuits" error={list.error}>
      {list.data?.enabled === false && <p class="muted">Circuit breakers are off in the config.</p>}
      <Table
        testid="circuits"
        head={['target', 'state', 'opened', 'retry after', 'attempts', 'failures', 'successes', 'rejects', '']}
        empty="No circuit yet."
        rows={(list.data?.circuits ?? []).map((c) => [
          <code>{c.id}</code>,
          <span class={`status ${c.state}`}>{c.state}</span>,
          when(c.openedAt),
          c.retryAfterSeconds > 0 ? `${c.retryAfterSeconds} s` : '',
          c.window.attempts,
          c.window.failures,
          c.window.successes,
          c.window.rejects,
          c.state !== 'closed' || c.window.failures > 0 ? <Act label="Reset" method="POST" path={`/v1/circuits/${encodeURIComponent(c.id)}/reset`} onDone={list.reload} /> : null,
        ])}
      />
    </Page>
  )
}
