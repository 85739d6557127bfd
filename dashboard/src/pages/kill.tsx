// Kill switches: those set (each with Revive), setting one by scope and target, and the emergency
// shutdown (the global switch: admins only).
import { useState } from 'preact/hooks'
import { enc } from '../api.js'
import { Act, get, Page, Table, usePoll, useSession, when } from '../ui.js'

interface KillSwitch {
  scope: string
  target: string
  reason: string
  actor: string
  setAt: string
}
interface Status {
  providers: { name: string; type: string; mount: string }[]
}
const SCOPES = ['provider', 'model', 'route', 'client'] as const

export function KillSwitches() {
  const session = useSession()
  const list = usePoll(get<{ killSwitches: KillSwitch[] }>('/v1/kill-switches'), 3000)
  const status = usePoll(get<Status>('/v1/status'), 0)
  const [scope, setScope] = useState<string>('provider')
  const [target, setTarget] = useState('')
  const switches = list.data?.killSwitches ?? []
  const global = switches.find((s) => s.scope === 'global')
  const others = switches.filter((s) => s.scope !== 'global')
  return (
    <Page title="Kill switches" error={list.error}>
      <div class={global === undefined ? 'banner' : 'banner alarm'} data-testid="emergency">
        {global === undefined ? (
          <>
            Emergency shutdown is <b>off</b>{session.role !== 'admin' && ' (turning it on needs an admin token)'}. <Act label="Emergency shutdown" method="POST" path="/v1/emergency-shutdown" needs="admin" danger onDone={list.reload} />
          </>
        ) : (
          <>
            EMERGENCY SHUTDOWN IS ON: every AI request is refused (set by {global.actor}: {global.reason}, {when(global.setAt)}).{' '}
            <Act label="Lift emergency shutdown" method="DELETE" path="/v1/emergency-shutdown" needs="admin" onDone={list.reload} />
          </>
        )}
      </div>
      <Table
        testid="kill-switches"
        head={['scope', 'target', 'reason', 'by', 'since', '']}
        empty="No kill switch is on."
        rows={others.map((s) => [
          s.scope,
          <code>{s.target}</code>,
          s.reason,
          s.actor,
          when(s.setAt),
          <Act label="Revive" method="DELETE" path={`/v1/kill-switches/${enc(s.scope)}/${enc(s.target)}`} onDone={list.reload} />,
        ])}
      />
      <h3>Providers</h3>
      <Table
        testid="providers"
        head={['provider', 'type', 'mount', '']}
        rows={(status.data?.providers ?? []).map((p) => [
          p.name,
          p.type,
          <code>{p.mount}</code>,
          others.some((s) => s.scope === 'provider' && s.target === p.name) ? <b class="error">killed</b> : <Act label={`Kill ${p.name}`} method="PUT" danger path={`/v1/kill-switches/provider/${enc(p.name)}`} onDone={list.reload} />,
        ])}
      />
      <h3>Set a kill switch</h3>
      <div class="row">
        <select value={scope} onChange={(e) => setScope(e.currentTarget.value)} name="scope">
          {SCOPES.map((s) => <option key={s} value={s}>{s}</option>)}
        </select>
        <input name="target" list="kill-targets" placeholder="target (provider, model id, route, client id or tenant:<name>)" size={64} value={target} onInput={(e) => setTarget(e.currentTarget.value)} />
        <datalist id="kill-targets">
          {(status.data?.providers ?? []).map((p) => <option key={p.name} value={p.name} />)}
        </datalist>
        {target.trim() !== '' && (
          <Act
            label="Kill"
            method="PUT"
            danger
            path={`/v1/kill-switches/${enc(scope)}/${enc(target.trim())}`}
            onDone={() => {
              setTarget('')
              list.reload()
            }}
          />
        )}
      </div>
    </Page>
  )
}
