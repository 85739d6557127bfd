// Shared pieces: polling, tables, the reason-gated action button, error lines.
import type { ComponentChildren } from 'preact'
import { createContext } from 'preact'
import { useCallback, useContext, useEffect, useRef, useState } from 'preact/hooks'
import { api, ApiError, canAct, type Role, type Session } from './api.js'

export const SessionContext = createContext<Session>({ name: '', role: 'viewer' })
export const useSession = (): Session => useContext(SessionContext)

export interface Polled<T> {
  readonly data: T | undefined
  readonly error: string | undefined
  readonly reload: () => void
}

/** Loads now and every `ms` (0: once); `reload` loads again at once (after an action). */
export function usePoll<T>(load: () => Promise<T>, ms = 3000, key = ''): Polled<T> {
  const [data, setData] = useState<T>()
  const [error, setError] = useState<string>()
  const loader = useRef(load)
  loader.current = load
  const run = useCallback(() => {
    loader.current().then(
      (value) => {
        setData(value)
        setError(undefined)
      },
      (err: unknown) => setError(describe(err)),
    )
  }, [])
  useEffect(() => {
    run()
    if (ms <= 0) return undefined
    const timer = setInterval(run, ms)
    return () => clearInterval(timer)
  }, [run, ms, key])
  return { data, error, reload: run }
}

export const describe = (err: unknown): string => (err instanceof ApiError ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err))

export const get = <T,>(path: string) => (): Promise<T> => api<T>(path)

export function Page(props: { title: string; error?: string | undefined; children?: ComponentChildren }) {
  return (
    <section>
      <h2>{props.title}</h2>
      {props.error !== undefined && <p class="error" role="alert">{props.error}</p>}
      {props.children}
    </section>
  )
}

export function Table(props: { head: readonly string[]; rows: readonly ComponentChildren[][]; empty?: string; testid?: string }) {
  if (props.rows.length === 0) return <p class="muted">{props.empty ?? 'Nothing here.'}</p>
  return (
    <table data-testid={props.testid}>
      <thead>
        <tr>{props.head.map((h) => <th key={h}>{h}</th>)}</tr>
      </thead>
      <tbody>
        {props.rows.map((row, i) => (
          <tr key={i}>{row.map((cell, j) => <td key={j}>{cell}</td>)}</tr>
        ))}
      </tbody>
    </table>
  )
}

export interface ActProps {
  readonly label: string
  readonly method: string
  readonly path: string
  readonly body?: Record<string, unknown>
  readonly needs?: Role
  readonly danger?: boolean
  readonly onDone?: () => void
}

/**
 * An action for operators (or admins, with needs="admin"): the first click asks for the reason the
 * audit log records, the second (Confirm) sends it. Viewers never see the button.
 */
export function Act(props: ActProps) {
  const session = useSession()
  const [open, setOpen] = useState(false)
  const [reason, setReason] = useState('')
  const [error, setError] = useState<string>()
  const [busy, setBusy] = useState(false)
  if (!canAct(session, props.needs)) return null
  const submit = async (event: Event) => {
    event.preventDefault()
    if (reason.trim() === '') return setError('A reason is required (it goes into the audit log).')
    setBusy(true)
    try {
      await api(props.path, { method: props.method, body: { ...props.body, reason: reason.trim() } })
      setOpen(false)
      setReason('')
      setError(undefined)
      props.onDone?.()
    } catch (err) {
      setError(describe(err))
    } finally {
      setBusy(false)
    }
  }
  if (!open)
    return (
      <button type="button" class={props.danger ? 'act danger' : 'act'} data-action={props.label} onClick={() => setOpen(true)}>
        {props.label}
      </button>
    )
  return (
    <form class="reason" onSubmit={submit} data-action-form={props.label}>
      <input name="reason" placeholder={`Why ${props.label.toLowerCase()}? (audited)`} value={reason} onInput={(e) => setReason(e.currentTarget.value)} autoFocus size={30} />
      <button type="submit" class={props.danger ? 'danger' : ''} disabled={busy}>
        Confirm {props.label.toLowerCase()}
      </button>
      <button type="button" onClick={() => setOpen(false)}>Cancel</button>
      {error !== undefined && <span class="error" role="alert">{error}</span>}
    </form>
  )
}

export const fmt = (value: number | null | undefined, digits = 2, unit = ''): string =>
  value === null || value === undefined || !Number.isFinite(value) ? '–' : `${value.toFixed(digits)}${unit}`
export const pct = (value: number | null | undefined, digits = 1): string => (value === null || value === undefined ? '–' : `${(value * 100).toFixed(digits)} %`)
export const when = (iso: string | number | null | undefined): string => (iso === null || iso === undefined ? '–' : new Date(iso).toLocaleString())
export const json = (value: unknown): string => (value === undefined ? '' : JSON.stringify(value))
