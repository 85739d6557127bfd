// The Sluice dashboard: sign in with an admin-API token, then one page per concern, picked by the
// URL's #fragment. Viewers read; operators and admins also get the actions, each with a reason.
import 'uplot/dist/uPlot.min.css'
import '../static/style.css'
import type { FunctionComponent } from 'preact'
import { render } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { api, SIGNED_OUT, storedToken, storeToken, type Session } from './api.js'
import { Activation } from './pages/activation.js'
import { Audit } from './pages/audit.js'
import { Bandits } from './pages/bandits.js'
import { Budgets, RateLimits } from './pages/limits.js'
import { Circuits } from './pages/circuits.js'
import { Experiments } from './pages/experiments.js'
import { Flags } from './pages/flags.js'
import { Guardrails } from './pages/guardrails.js'
import { KillSwitches } from './pages/kill.js'
import { Overview } from './pages/overview.js'
import { Rollouts } from './pages/rollouts.js'
import { Shadows } from './pages/shadows.js'
import { describe, SessionContext } from './ui.js'

const PAGES: [string, string, FunctionComponent][] = [
  ['overview', 'Overview', Overview],
  ['kill', 'Kill switches', KillSwitches],
  ['flags', 'Flags', Flags],
  ['activation', 'Activation', Activation],
  ['budgets', 'Budgets', Budgets],
  ['limits', 'Rate limits', RateLimits],
  ['circuits', 'Circuits', Circuits],
  ['experiments', 'Experiments', Experiments],
  ['rollouts', 'Rollouts', Rollouts],
  ['bandits', 'Bandits', Bandits],
  ['shadows', 'Shadows', Shadows],
  ['guardrails', 'Guardrails', Guardrails],
  ['audit', 'Audit log', Audit],
]

const pageOf = (): string => /^#\/([a-z]+)/.exec(location.hash)?.[1] ?? 'overview'

function SignIn(props: { onSession: (session: Session) => void; error?: string | undefined }) {
  const [token, setToken] = useState('')
  const [error, setError] = useState(props.error)
  const submit = async (event: Event) => {
    event.preventDefault()
    try {
      const session = await api<Session>('/v1/whoami', { token: token.trim() })
      storeToken(token.trim())
      props.onSession(session)
    } catch (err) {
      setError(describe(err))
    }
  }
  return (
    <form class="signin" onSubmit={submit}>
      <h1>Sluice</h1>
      <p>Sign in with an admin-API token (from <code>admin.tokens</code>). It stays in this tab only and is sent as a Bearer header.</p>
      <input type="password" name="token" autoComplete="off" placeholder="admin token" value={token} onInput={(e) => setToken(e.currentTarget.value)} autoFocus size={40} />
      <button type="submit">Sign in</button>
      {error !== undefined && <p class="error" role="alert">{error}</p>}
    </form>
  )
}

function App() {
  const [session, setSession] = useState<Session | null>()
  const [page, setPage] = useState(pageOf())
  const [error, setError] = useState<string>()
  useEffect(() => {
    const token = storedToken()
    if (token === null) setSession(null)
    else
      api<Session>('/v1/whoami').then(setSession, (err: unknown) => {
        storeToken(null)
        setError(describe(err))
        setSession(null)
      })
    const onHash = () => setPage(pageOf())
    const onSignedOut = (event: Event) => {
      setError((event as CustomEvent<string>).detail)
      setSession(null)
    }
    addEventListener('hashchange', onHash)
    addEventListener(SIGNED_OUT, onSignedOut)
    return () => {
      removeEventListener('hashchange', onHash)
      removeEventListener(SIGNED_OUT, onSignedOut)
    }
  }, [])
  if (session === undefined) return <p>Loading…</p>
  if (session === null) return <SignIn onSession={setSession} error={error} />
  const Current = (PAGES.find(([id]) => id === page) ?? PAGES[0]!)[2]
  const signOut = () => {
    storeToken(null)
    setSession(null)
  }
  return (
    <SessionContext.Provider value={session}>
      <header>
        <b>Sluice</b>
        <nav>
          {PAGES.map(([id, title]) => (
            <a key={id} href={`#/${id}`} class={id === page ? 'current' : ''}>
              {title}
            </a>
          ))}
        </nav>
        <span class="who" data-testid="who">
          {session.name} ({session.role}){session.role === 'viewer' ? ' · read-only' : ''}
        </span>
        <button type="button" onClick={signOut}>Sign out</button>
      </header>
      <main key={page}>
        <Current />
      </main>
    </SessionContext.Provider>
  )
}

render(<App />, document.getElementById('app')!)
