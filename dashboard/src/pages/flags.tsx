// Flags: every flag with its state, default and origin; evaluate one for a context; override its
// default variant or state, or remove the override (operators, with a reason).
import { useState } from 'preact/hooks'
import { api, enc } from '../api.js'
import { Act, describe, get, json, Page, Table, usePoll, when } from '../ui.js'

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
      {flag !== undefined && <FlagDetail flag={flag} onDone={list.reload} />}
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
    </div>
  )
}
