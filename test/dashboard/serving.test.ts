// The dashboard's files on the admin port (npm run build writes them to dist/dashboard): open,
// with a strict Content-Security-Policy; GET /v1/whoami; POST /v1/flags/{key}/evaluate.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Stack } from '../support/stack.js'
import { startDashboardStack, TOKENS } from './fixture.js'

let stack: Stack
beforeAll(async () => {
  stack = await startDashboardStack()
})
afterAll(async () => {
  await stack?.close()
})

const admin = (path: string, init: RequestInit & { token?: string } = {}) =>
  fetch(`${stack.sluice.adminUrl}${path}`, { ...init, headers: { ...(init.token === undefined ? {} : { authorization: `Bearer ${init.token}` }), ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) } })

describe('the dashboard files', () => {
  it('GET / is the page, without a token, with a CSP that allows only this origin and no inline script', async () => {
    const res = await admin('/')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8')
    const csp = res.headers.get('content-security-policy')!
    expect(csp).toContain("default-src 'none'")
    expect(csp).toContain("script-src 'self'")
    expect(csp).toContain("connect-src 'self'")
    expect(csp).not.toContain('unsafe-inline')
    expect(csp).not.toContain('unsafe-eval')
    expect(res.headers.get('x-frame-options')).toBe('DENY')
    expect(res.headers.get('set-cookie')).toBeNull()
    const html = await res.text()
    expect(html).toContain('<script type="module" src="/dashboard/main.js"></script>')
    // Every script and stylesheet the page names is served from here: nothing from a network.
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!)
    expect(refs.sort()).toEqual(['/dashboard/main.css', '/dashboard/main.js'])
  })

  it('serves the bundle with its type, and no other file', async () => {
    const js = await admin('/dashboard/main.js')
    expect(js.status).toBe(200)
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(js.headers.get('x-content-type-options')).toBe('nosniff')
    const code = await js.text()
    expect(code.length).toBeGreaterThan(10_000)
    expect(code).not.toMatch(/https?:\/\/(?!www\.w3\.org)[a-z0-9.-]+\.[a-z]{2,}\/[^\s"'`]*\.(js|css)\b/i) // no CDN script or stylesheet
    expect((await admin('/dashboard/main.css')).headers.get('content-type')).toBe('text/css; charset=utf-8')
    const missing = await admin('/dashboard/..%2Fpackage.json')
    expect(missing.status).toBe(404)
    expect(((await missing.json()) as { code: string }).code).toBe('SLUICE_ERR_ADMIN_NOT_FOUND')
    expect((await admin('/dashboard/nope.js')).status).toBe(404)
  })
})

describe('GET /v1/whoami', () => {
  it("answers each token's name and role, 401 without one", async () => {
    for (const [role, name] of [['admin', 'root'], ['operator', 'oncall'], ['viewer', 'grafana']] as const) {
      const res = await admin('/v1/whoami', { token: TOKENS[role] })
      expect(res.status).toBe(200)
      expect(await res.json()).toEqual({ name, role })
    }
    expect((await admin('/v1/whoami')).status).toBe(401)
    expect((await admin('/v1/whoami', { token: 'not-a-token-at-all' })).status).toBe(401)
  })
})

describe('POST /v1/flags/{key}/evaluate', () => {
  const evaluate = (key: string, body: unknown, token: string = TOKENS.viewer) => admin(`/v1/flags/${encodeURIComponent(key)}/evaluate`, { method: 'POST', token, body: JSON.stringify(body) })

  it('answers what the flag gives for the context, for a viewer', async () => {
    const beta = await evaluate('ui.new-composer', { context: { plan: 'beta' } })
    expect(beta.status).toBe(200)
    expect(await beta.json()).toMatchObject({ key: 'ui.new-composer', value: true, variant: 'on', reason: 'TARGETING_MATCH' })
    expect(await (await evaluate('ui.new-composer', { context: { plan: 'free' } })).json()).toMatchObject({ value: false, variant: 'off' })
    expect(await (await evaluate('ui.new-composer', {})).json()).toMatchObject({ value: false })
  })

  it('404 for an unknown flag, 400 for a context that is not an object, 401 without a token', async () => {
    expect((await evaluate('no.such.flag', { context: {} })).status).toBe(404)
    const bad = await evaluate('ui.new-composer', { context: [1, 2] })
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { code: string }).code).toBe('SLUICE_ERR_ADMIN_INVALID')
    expect((await admin('/v1/flags/ui.new-composer/evaluate', { method: 'POST', body: '{}' })).status).toBe(401)
  })
})
