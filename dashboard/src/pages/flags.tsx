// Flags: every flag with its state, default and origin; evaluate one for a context; override its
// default variant or state, or remove the override (operators, with a reason).
import { useState } from 'preact/hooks'
import { api, canAct, enc } from '../api.js'
import { Act, describe, get, json, Page, Table, usePoll, useSession, when } from '../ui.js'

interface Flag {
  key: string
  type: string
  state: 'ENABLED' | 'DISABLED'
  defaultVariant: string | null
  variants: Record<string, unknown>
  origin: string
  override: { actor: string; reason: string; setAt: string } | null
}

export function Flags() {
  const list = usePoll(get<{ revision: string; flags: Flag[] }>('/v1/flags'), 5000)
  const [selected, setSelected] = useState<string>()
  const [filter, setFilter] = useState('')
  const flags = (list.data?.flags ?? []).filter((f) => f.key.includes(filter.trim()))
  const flag = list.data?.flags.find((f) => f.key === selected)
  return (
    <Page title="Flags" error={list.error}>
      <p class="muted">Revision {list.data?.revision ?? '…'}.</p>
      <input placeholder="filter by key" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} name="filter" />
      <Table
        testid="flags"
        head={['key', 'type', 'state', 'default', 'variants', 'origin', 'override']}
        rows={flags.map((f) => [
          <a href={`#/flags`} data-flag={f.key} onClick={(e) => (e.preventDefault(), setSelected(f.key))}>{f.key}</a>,
          f.type,
          f.state,
          f.defaultVariant ?? '–',
          <code>{Object.keys(f.variants).join(' · ')}</code>,
          f.origin,
          f.override === null ? '' : `${f.override.actor}: ${f.override.reason} (${when(f.override.setAt)})`,
        ])}
      />
      {flag !== undefined && <FlagDetail key={flag.key} flag={flag} onDone={list.reload} />}
    </Page>
  )
}

function FlagDetail(props: { flag: Flag; onDone: () => void }) {
  const { flag } = props
  const [context, setContext] = useState('{"targetingKey": "user-1"}')
  const [answer, setAnswer] = useState<string>()
  const [variant, setVariant] = useState(flag.defaultVariant ?? Object.keys(flag.variants)[0] ?? '')
  const evaluate = async (event: Event) => {
    event.preventDefault()
    try {
      const body = { context: JSON.parse(context) as unknown }
      setAnswer(json(await api(`/v1/flags/${enc(flag.key)}/evaluate`, { method: 'POST', body })))
    } catch (err) {
      setAnswer(describe(err))
    }
  }
  return (
    <div class="detail" data-testid="flag-detail">
      <h3>{flag.key}</h3>
      <form onSubmit={evaluate} class="row">
        <label>
          Evaluation context (JSON) <textarea name="context" rows={2} cols={50} value={context} onInput={(e) => setContext(e.currentTarget.value)} />
        </label>
        <button type="submit">Evaluate</button>
      </form>
      {answer !== undefined && <pre data-testid="evaluation">{answer}</pre>}
      <div class="row">
        <label>
          Default variant{' '}
          <select name="variant" value={variant} onChange={(e) => setVariant(e.currentTarget.value)}>
            {Object.keys(flag.variants).map((v) => <option key={v} value={v}>{v}</option>)}
          </select>
        </label>
        <Act label="Override default" method="PATCH" path={`/v1/flags/${enc(flag.key)}`} body={{ defaultVariant: variant }} onDone={props.onDone} />
        <Act
          label={flag.state === 'ENABLED' ? 'Disable' : 'Enable'}
          method="PATCH"
          path={`/v1/flags/${enc(flag.key)}`}
          body={{ state: flag.state === 'ENABLED' ? 'DISABLED' : 'ENABLED' }}
          onDone={props.onDone}
        />
        {flag.override !== null && <Act label="Remove override" method="DELETE" path={`/v1/flags/${enc(flag.key)}/override`} onDone={props.onDone} />}
      </div>
      <Definition flagKey={flag.key} version={flag.override?.setAt ?? 'file'} onDone={props.onDone} />
    </div>
  )
}

/** The whole flagd definition (reloaded when the override changes), editable by operators and stored as the override (PUT). */
function Definition(props: { flagKey: string; version: string; onDone: () => void }) {
  const session = useSession()
  const loaded = usePoll(get<{ definition: unknown }>(`/v1/flags/${enc(props.flagKey)}`), 0, `${props.flagKey} ${props.version}`)
  const [text, setText] = useState<string>()
  const shown = text ?? (loaded.data === undefined ? '' : JSON.stringify(loaded.data.definition, null, 2))
  let parsed: unknown
  let problem: string | undefined
  try {
    parsed = JSON.parse(shown)
  } catch (err) {
    problem = `Not JSON: ${describe(err)}`
  }
  if (!canAct(session)) return <pre data-testid="definition">{shown}</pre>
  return (
    <div>
      <label>
        Definition (flagd JSON; saved whole as the override)
        <textarea name="definition" rows={8} cols={80} value={shown} onInput={(e) => setText(e.currentTarget.value)} />
      </label>
      {problem !== undefined ? <p class="error">{problem}</p> : <Act label="Save definition" method="PUT" path={`/v1/flags/${enc(props.flagKey)}`} body={{ definition: parsed }} onDone={() => (setText(undefined), loaded.reload(), props.onDone())} />}
    </div>
  )
}
