// The audit log, newest first: who changed what, when and why, with the before and after.
import { useState } from 'preact/hooks'
import { get, json, Page, Table, usePoll, when } from '../ui.js'

interface Entry {
  id: string
  at: string
  actor: string
  action: string
  target: string
  before: unknown
  after: unknown
  reason: string
}

export function Audit() {
  const [limit, setLimit] = useState(100)
  const log = usePoll(get<{ entries: Entry[] }>(`/v1/audit?limit=${limit}`), 5000, String(limit))
  return (
    <Page title="Audit log" error={log.error}>
      <label>
        Show the last{' '}
        <select name="limit" value={String(limit)} onChange={(e) => setLimit(Number(e.currentTarget.value))}>
          {[50, 100, 500, 1000].map((n) => <option key={n} value={String(n)}>{n}</option>)}
        </select>
      </label>
      <Table
        testid="audit"
        head={['at', 'actor', 'action', 'target', 'reason', 'before → after']}
        empty="Nothing has been changed yet."
        rows={(log.data?.entries ?? []).map((e) => [when(e.at), e.actor, <code>{e.action}</code>, <code>{e.target}</code>, e.reason, <code class="small">{`${json(e.before)} → ${json(e.after)}`}</code>])}
      />
    </Page>
  )
}
