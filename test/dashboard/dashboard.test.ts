// The dashboard in a real browser (Debian's chromium through playwright-core) against a real
// Sluice and the emulators: sign in; a viewer sees no action and is refused (403) when forcing
// one; an operator flips a kill switch and the official OpenAI SDK is refused through Sluice,
// then revives it; flags are evaluated and overridden; a rollout is started, promoted and rolled
// back; an admin sets and lifts the emergency shutdown; every change is in the audit log. The
// screenshots docs/dashboard.md shows are taken here, and no page may break its CSP.
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import OpenAI from 'openai'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLIENT, type Stack } from '../support/stack.js'
import { launchBrowser, watch, type Watched } from './browser.js'
import { startDashboardStack, TOKENS } from './fixture.js'

const SHOTS = fileURLToPath(new URL('../../docs/dashboard/', import.meta.url))
const LONG = 60_000
let stack: Stack
let browser: Browser

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true })
  stack = await startDashboardStack()
  browser = await launchBrowser()
  await traffic()
}, 120_000)
afterAll(async () => {
  await browser?.close()
  await stack?.close()
})

const openai = (mount = '/openai/v1') => new OpenAI({ baseURL: `${stack.sluice.dataUrl}${mount}`, apiKey: CLIENT.credentials.apiKey, maxRetries: 0 })

/** A call with the official SDK straight to the OpenAI mount: its status and Sluice's error code. */
async function directCall(): Promise<{ ok: true } | { ok: false; status: number | undefined; code: unknown }> {
  try {
    await openai().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi.' }] })
    return { ok: true }
  } catch (err) {
    if (!(err instanceof OpenAI.APIError)) throw err
    return { ok: false, status: err.status, code: err.code }
  }
}

/** `n` calls to the rollout's virtual model, each from its own user. */
async function chat(n: number, prefix: string): Promise<void> {
  for (let i = 0; i < n; i++) await openai('/v1').chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'Hi.' }] }, { headers: { 'x-sluice-user': `${prefix}-${i}` } })
}

/** Something for every page to show: the rollout's, the experiment's and the bandit's models, with an email for the guardrails. */
async function traffic(rounds = 12): Promise<void> {
  const client = openai('/v1')
  for (let i = 0; i < rounds; i++)
    for (const model of ['chat', 'support-chat', 'duo'])
      await client.chat.completions.create({ model, messages: [{ role: 'user', content: `Hello, I am user${i}@example.com.` }] }, { headers: { 'x-sluice-user': `user-${i}` } })
}

interface Session {
  readonly context: BrowserContext
  readonly page: Page
  readonly watched: Watched
}

async function signIn(token: string): Promise<Session> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
  context.setDefaultTimeout(LONG)
  const page = await context.newPage()
  const watched = await watch(page, new URL(stack.sluice.adminUrl).origin)
  await page.goto(`${stack.sluice.adminUrl}/`)
  await page.locator('input[name=token]').fill(token)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByTestId('who').waitFor()
  return { context, page, watched }
}

async function open(page: Page, id: string, heading: string): Promise<void> {
  await page.goto(`${stack.sluice.adminUrl}/#/${id}`)
  await page.getByRole('heading', { name: heading, exact: true }).waitFor()
}

const shot = (page: Page, name: string) => page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true })

/** Clicks an action, types the reason, confirms: the two clicks every action takes. */
async function act(page: Page, scope: ReturnType<Page['locator']>, label: string, reason: string): Promise<void> {
  await scope.locator(`button[data-action="${label}"]`).click()
  const form = page.locator(`form[data-action-form="${label}"]`)
  await form.locator('input[name=reason]').fill(reason)
  await form.getByRole('button', { name: `Confirm ${label.toLowerCase()}` }).click()
  await form.waitFor({ state: 'detached' })
}

describe('signing in', () => {
  it('refuses a wrong token, then shows the live overview; the token is in sessionStorage, never a cookie', async () => {
    const context = await browser.newContext()
    context.setDefaultTimeout(LONG)
    const page = await context.newPage()
    const watched = await watch(page, new URL(stack.sluice.adminUrl).origin)
    await page.goto(`${stack.sluice.adminUrl}/`)
    await page.locator('input[name=token]').fill('not-a-token-at-all')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: LONG }).toContain('SLUICE_ERR_ADMIN_UNAUTHENTICATED')
    await page.locator('input[name=token]').fill(TOKENS.viewer)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await expect.poll(() => page.getByTestId('who').textContent(), { timeout: LONG }).toBe('grafana (viewer) · read-only')
    expect(await page.evaluate("sessionStorage.getItem('sluice.adminToken')")).toBe(TOKENS.viewer)
    expect(await context.cookies()).toEqual([])
    // Live: traffic while the page is open shows up as a rate.
    await page.getByTestId('status').waitFor()
    const rate = page.locator('[data-metric="requests/s"] b')
    await expect
      .poll(
        async () => {
          await traffic(2)
          return Number(await rate.textContent())
        },
        { timeout: LONG, interval: 500 },
      )
      .toBeGreaterThan(0)
    await expect.poll(() => page.locator('[data-metric="p95 latency"] b').textContent(), { timeout: LONG }).toMatch(/^\d+ ms$/)
    // A few points on the chart before the picture is taken.
    await expect
      .poll(
        async () => {
          await traffic(1)
          return Number(await page.locator('[data-metric="requests/s"]').getAttribute('data-points'))
        },
        { timeout: LONG, interval: 500 },
      )
      .toBeGreaterThanOrEqual(6)
    await shot(page, 'overview')
    // A reload keeps the session (same tab); a new tab has to sign in again.
    await page.reload()
    await page.getByTestId('who').waitFor()
    const other = await context.newPage()
    await other.goto(`${stack.sluice.adminUrl}/`)
    await other.locator('input[name=token]').waitFor()
    expect(watched.problems).toEqual([])
    await context.close()
  }, 180_000)
})

describe('a viewer', () => {
  it('sees every page without one action button, and is refused (403) when forcing an action', async () => {
    const { context, page, watched } = await signIn(TOKENS.viewer)
    const pages: [string, string][] = [
      ['overview', 'Overview'],
      ['kill', 'Kill switches'],
      ['flags', 'Flags'],
      ['activation', 'Activation sequences'],
      ['budgets', 'Budgets'],
      ['limits', 'Rate limits'],
      ['circuits', 'Circuits'],
      ['experiments', 'Experiments'],
      ['rollouts', 'Rollouts'],
      ['bandits', 'Bandits'],
      ['shadows', 'Shadows'],
      ['guardrails', 'Guardrails'],
      ['audit', 'Audit log'],
    ]
    for (const [id, heading] of pages) {
      await open(page, id, heading)
      await page.waitForLoadState('networkidle')
      expect(await page.locator('button.act').count(), id).toBe(0)
    }
    // The data is there for a viewer all the same.
    await open(page, 'rollouts', 'Rollouts')
    await page.locator('[data-rollout="next"]').waitFor()
    await open(page, 'flags', 'Flags')
    await page.locator('[data-flag="ui.new-composer"]').click()
    await page.getByTestId('flag-detail').waitFor()
    expect(await page.locator('button.act').count()).toBe(0)
    // Forcing the operator's call from the page, with the page's own token: the server refuses it.
    const forced = await page.evaluate(`(async () => {
      const response = await fetch('/v1/kill-switches/provider/openai', {
        method: 'PUT',
        headers: { authorization: 'Bearer ' + sessionStorage.getItem('sluice.adminToken'), 'content-type': 'application/json' },
        body: JSON.stringify({ reason: 'forced by a viewer' }),
      })
      return { status: response.status, body: await response.json() }
    })()`)
    expect(forced).toMatchObject({ status: 403, body: { code: 'SLUICE_ERR_ADMIN_FORBIDDEN' } })
    expect(await directCall()).toEqual({ ok: true })
    // A token that stops working (removed from admin.tokens) sends the page back to sign-in at its next poll.
    await open(page, 'kill', 'Kill switches')
    await page.evaluate("sessionStorage.setItem('sluice.adminToken', 'a-token-no-longer-configured')")
    await page.locator('input[name=token]').waitFor()
    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: LONG }).toContain('SLUICE_ERR_ADMIN_UNAUTHENTICATED')
    expect(await page.evaluate("sessionStorage.getItem('sluice.adminToken')")).toBeNull()
    expect(watched.problems).toEqual([])
    await context.close()
  }, 240_000)
})

describe('an operator', () => {
  let session: Session
  beforeAll(async () => {
    session = await signIn(TOKENS.operator)
  }, LONG)
  afterAll(async () => {
    expect(session.watched.problems).toEqual([])
    await session.context.close()
  })

  it('flips a provider kill switch (the OpenAI SDK is refused through Sluice), then revives it', async () => {
    const { page } = session
    expect(await directCall()).toEqual({ ok: true })
    await open(page, 'kill', 'Kill switches')
    // Emergency shutdown is the admin's: not offered to an operator.
    expect(await page.locator('button[data-action="Emergency shutdown"]').count()).toBe(0)
    await page.locator('select[name=scope]').selectOption('provider')
    await page.locator('input[name=target]').fill('openai')
    // A reason is required before anything is sent.
    await page.locator('button[data-action="Kill"]').click()
    await page.getByRole('button', { name: 'Confirm kill' }).click()
    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: LONG }).toContain('A reason is required')
    expect(await directCall()).toEqual({ ok: true })
    await page.locator('form[data-action-form="Kill"] input[name=reason]').fill('openai returns garbage')
    await page.getByRole('button', { name: 'Confirm kill' }).click()
    const row = page.getByTestId('kill-switches').locator('tr', { hasText: 'openai returns garbage' })
    await row.waitFor()
    expect(await row.textContent()).toContain('oncall')
    expect(await directCall()).toEqual({ ok: false, status: 503, code: 'SLUICE_ERR_KILL_PROVIDER' })
    await shot(page, 'kill-switches')
    await act(page, row, 'Revive', 'vendor fixed it')
    await page.getByText('No kill switch is on.').waitFor()
    expect(await directCall()).toEqual({ ok: true })
  }, 180_000)

  it('evaluates a flag for a context and overrides its default variant', async () => {
    const { page } = session
    await open(page, 'flags', 'Flags')
    await page.locator('[data-flag="ui.new-composer"]').click()
    const detail = page.getByTestId('flag-detail')
    await detail.locator('textarea[name=context]').fill('{"targetingKey": "u-1", "plan": "beta"}')
    await detail.getByRole('button', { name: 'Evaluate' }).click()
    await expect.poll(async () => JSON.parse((await page.getByTestId('evaluation').textContent()) ?? '{}'), { timeout: LONG }).toMatchObject({ value: true, variant: 'on', reason: 'TARGETING_MATCH' })
    await detail.locator('select[name=variant]').selectOption('on')
    await act(page, detail, 'Override default', 'launch the composer to everyone')
    const row = page.getByTestId('flags').locator('tr', { has: page.locator('[data-flag="ui.new-composer"]') })
    await expect.poll(() => row.textContent(), { timeout: LONG }).toContain('oncall: launch the composer to everyone')
    const flag = await (await fetch(`${stack.sluice.adminUrl}/v1/flags/ui.new-composer`, { headers: { authorization: `Bearer ${TOKENS.viewer}` } })).json()
    expect(flag).toMatchObject({ defaultVariant: 'on', override: { actor: 'oncall' } })
    await shot(page, 'flags')
    await act(page, detail, 'Remove override', 'back to the file')
    await expect.poll(() => row.textContent(), { timeout: LONG }).not.toContain('oncall')
  }, 180_000)

  it('starts, promotes and rolls back a rollout, each in two clicks', async () => {
    const { page } = session
    await open(page, 'rollouts', 'Rollouts')
    const card = page.locator('[data-rollout="next"]')
    const status = card.getByTestId('rollout-status')
    const percent = card.getByTestId('canary-percent')
    await expect.poll(() => status.textContent(), { timeout: LONG }).toBe('pending')
    await act(page, card, 'Start', 'canary the next upstream')
    await expect.poll(() => status.textContent(), { timeout: LONG }).toBe('progressing')
    expect(await percent.textContent()).toBe('10 %')
    await chat(20, 'step-1')
    await expect.poll(async () => (await card.getByTestId('arms-next').textContent()) ?? '', { timeout: LONG }).toMatch(/stable\s*[1-9]/)
    await card.getByTestId('health-next').waitFor()
    await act(page, card, 'Promote', 'looks healthy')
    await expect.poll(() => percent.textContent(), { timeout: LONG }).toBe('50 %')
    expect(await status.textContent()).toBe('progressing')
    // Enough on both arms at 50 % for the judge to read each metric against its threshold.
    await chat(90, 'step-2')
    await expect.poll(() => card.getByTestId('health-next').textContent(), { timeout: LONG }).not.toContain('0 requests on an arm')
    await expect.poll(() => card.getByTestId('health-next').textContent(), { timeout: LONG }).toMatch(/not-worse|worse|inconclusive/)
    await shot(page, 'rollouts')
    await act(page, card, 'Rollback', 'latency regressed')
    await expect.poll(() => status.textContent(), { timeout: LONG }).toBe('rolled-back')
    expect(await percent.textContent()).toBe('0 %')
    // Sluice agrees: every call is stable's now.
    for (let i = 0; i < 6; i++) {
      const { response } = await openai('/v1').chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'Hi.' }] }, { headers: { 'x-sluice-user': `after-${i}` } }).withResponse()
      expect(response.headers.get('x-sluice-rollout-arm')).toBe('stable')
    }
  }, 240_000)

  it('finds every change in the audit log, with actor and reason', async () => {
    const { page } = session
    await open(page, 'audit', 'Audit log')
    const audit = page.getByTestId('audit')
    await audit.waitFor()
    const text = (await audit.textContent()) ?? ''
    for (const [action, reason] of [
      ['kill-switch.set', 'openai returns garbage'],
      ['rollout.start', 'canary the next upstream'],
      ['rollout.promote', 'looks healthy'],
      ['rollout.rollback', 'latency regressed'],
      ['flag.override', 'launch the composer to everyone'],
    ]) {
      expect(text, action).toContain(reason)
    }
    expect(text).toContain('oncall')
    await shot(page, 'audit')
  }, LONG)
})

describe('an admin', () => {
  it('sets the emergency shutdown (every call refused) and lifts it', async () => {
    const { context, page, watched } = await signIn(TOKENS.admin)
    await open(page, 'kill', 'Kill switches')
    const banner = page.getByTestId('emergency')
    await act(page, banner, 'Emergency shutdown', 'incident 42: stop all AI traffic')
    await expect.poll(() => banner.textContent(), { timeout: LONG }).toContain('EMERGENCY SHUTDOWN IS ON')
    expect(await directCall()).toEqual({ ok: false, status: 503, code: 'SLUICE_ERR_KILL_GLOBAL' })
    await act(page, banner, 'Lift emergency shutdown', 'incident 42 over')
    await expect.poll(() => banner.textContent(), { timeout: LONG }).toContain('Emergency shutdown is off')
    expect(await directCall()).toEqual({ ok: true })
    expect(watched.problems).toEqual([])
    await context.close()
  }, 180_000)
})

describe('the other pages', () => {
  it('draw what the admin API reports, and are captured for the docs', async () => {
    const { context, page, watched } = await signIn(TOKENS.operator)
    await traffic(6)
    await open(page, 'experiments', 'Experiments')
    await page.getByTestId('experiment-results').waitFor()
    await page.getByTestId('srm').waitFor()
    // Confidence intervals drawn for the metrics that have one (latency, cost…).
    await expect.poll(() => page.locator('svg.intervals line.ci').count(), { timeout: LONG }).toBeGreaterThan(0)
    // Progress toward the sample size, for a metric with variance (latency).
    await expect.poll(() => page.getByTestId('sample-latency_ms').textContent(), { timeout: LONG }).toMatch(/\d+ of \d+ per variant/)
    expect(await page.getByTestId('sample-latency_ms').locator('progress').count()).toBe(1)
    await shot(page, 'experiments')
    const trial = page.getByTestId('experiments').locator('tr', { hasText: 'gemini-trial' })
    await act(page, trial, 'Stop', 'pause the trial over the weekend')
    await expect.poll(() => trial.textContent(), { timeout: LONG }).toContain('stopped')
    await act(page, trial, 'Start', 'resume the trial')
    await expect.poll(() => trial.textContent(), { timeout: LONG }).toContain('running')
    await open(page, 'shadows', 'Shadows')
    await expect.poll(() => page.locator('[data-shadow="mirror"] svg.intervals circle.estimate').count(), { timeout: LONG }).toBeGreaterThan(0)
    await shot(page, 'shadows')
    await open(page, 'bandits', 'Bandits')
    await page.locator('[data-bandit="duo"] canvas').waitFor()
    await expect.poll(() => page.getByTestId('arms-duo').locator('tbody tr').count(), { timeout: LONG }).toBe(2)
    await page.waitForTimeout(4500) // a few polls, so the shares have a history to draw
    await shot(page, 'bandits')
    await open(page, 'budgets', 'Budgets')
    await expect.poll(() => page.getByTestId('budgets').textContent(), { timeout: LONG }).toContain('shop')
    expect(await page.getByTestId('budgets').textContent()).toContain('80 %')
    // The small budget's spend is past its first threshold: drawn, and listed as crossed.
    const mini = page.getByTestId('budgets').locator('tr', { hasText: 'mini-daily' })
    await expect.poll(() => mini.textContent(), { timeout: LONG }).toContain('50')
    await expect.poll(async () => Number(/width:\s*([\d.]+)%/.exec((await mini.locator('.spend .fill').getAttribute('style')) ?? '')?.[1]), { timeout: LONG }).toBeGreaterThan(50)
    await shot(page, 'budgets')
    await open(page, 'limits', 'Rate limits')
    await expect.poll(() => page.getByTestId('rate-limits').textContent(), { timeout: LONG }).toContain('per-client')
    // An upstream failing every call opens its circuit; the operator resets it from the page.
    stack.emulators.openai.script.enqueue(...Array.from({ length: 25 }, () => ({ status: 500 })))
    for (let i = 0; i < 25; i++) expect(await directCall()).toMatchObject({ ok: false })
    stack.emulators.openai.script.reset()
    expect(await directCall()).toMatchObject({ ok: false, code: 'SLUICE_ERR_CIRCUIT_OPEN' })
    await open(page, 'circuits', 'Circuits')
    const circuit = page.getByTestId('circuits').locator('tr', { hasText: 'openai/gpt-4o-mini' })
    await expect.poll(() => circuit.locator('.status').textContent(), { timeout: LONG }).toBe('open')
    await shot(page, 'circuits')
    await act(page, circuit, 'Reset', 'upstream recovered')
    await expect.poll(() => circuit.locator('.status').textContent(), { timeout: LONG }).toBe('closed')
    expect(await directCall()).toEqual({ ok: true })
    // A credential in a prompt in log-only mode: passed on, and counted as what would have been blocked.
    await openai('/v1').chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'my key is AKIAQ3EGRN5LP7XKZ2VD' }] })
    await open(page, 'guardrails', 'Guardrails')
    await expect.poll(() => page.getByTestId('guardrails-mode').textContent(), { timeout: LONG }).toBe('log-only')
    await expect.poll(() => page.getByTestId('guardrail-checks').textContent(), { timeout: LONG }).toContain('would_redact')
    await expect.poll(() => page.getByTestId('would-block').textContent(), { timeout: LONG }).toContain('credentials')
    await shot(page, 'guardrails')
    await open(page, 'activation', 'Activation sequences')
    await expect.poll(() => page.getByTestId('sequences').textContent(), { timeout: LONG }).toContain('dark')
    // Last, as it changes the flags: `active` turns shadows off.
    const viewer = { headers: { authorization: `Bearer ${TOKENS.viewer}` } }
    const shadowFlag = async () => ((await (await fetch(`${stack.sluice.adminUrl}/v1/flags/ai.shadow.enabled`, viewer)).json()) as { defaultVariant: string }).defaultVariant
    expect(await shadowFlag()).toBe('on')
    await act(page, page.getByTestId('sequences'), 'Apply active', 'bandit proven, shadow done')
    await expect.poll(shadowFlag, { timeout: LONG }).toBe('off')
    const audit = (await (await fetch(`${stack.sluice.adminUrl}/v1/audit?limit=5`, viewer)).json()) as { entries: { actor: string; reason: string }[] }
    expect(audit.entries.some((e) => e.actor === 'oncall' && e.reason === 'bandit proven, shadow done')).toBe(true)
    expect(watched.problems).toEqual([])
    await context.close()
  }, 240_000)
})
