// The dashboard in a real browser (Debian's chromium through playwright-core) against a real
// Sluice and the emulators: sign in; a viewer sees no action on any page and is refused (403) when
// forcing one; an operator flips a kill switch and the official OpenAI SDK is refused through
// Sluice, then revives it; flags are evaluated and overridden; a rollout is started, promoted and
// rolled back; an admin sets and lifts the emergency shutdown; every change is in the audit log.
// No page may break its CSP, throw, or reach another origin (harness.ts, browser.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { watch } from './browser.js'
import { TOKENS } from './fixture.js'
import { act, chat, directCall, LONG, open, openai, shot, signIn, stream, traffic, useDashboard, type Session } from './harness.js'

const dash = useDashboard()

describe('signing in', () => {
  it('refuses a wrong token, then shows the live overview; the token is in sessionStorage, never a cookie', async () => {
    const context = await dash.browser.newContext()
    context.setDefaultTimeout(LONG)
    const page = await context.newPage()
    const watched = await watch(page, new URL(dash.stack.sluice.adminUrl).origin)
    await page.goto(`${dash.stack.sluice.adminUrl}/`)
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
          await stream()
          return Number(await rate.textContent())
        },
        { timeout: LONG, interval: 500 },
      )
      .toBeGreaterThan(0)
    await expect.poll(() => page.locator('[data-metric="p95 latency"] b').textContent(), { timeout: LONG }).toMatch(/^\d+ ms$/)
    await expect
      .poll(
        async () => {
          await stream()
          return page.locator('[data-metric="p95 TTFT"] b').textContent()
        },
        { timeout: LONG, interval: 500 },
      )
      .toMatch(/^\d+ ms$/)
    // Broken down by provider: the traffic goes to openai and google (the experiment's and the bandit's arms).
    await expect.poll(() => page.getByTestId('by-provider').textContent(), { timeout: LONG }).toContain('openai')
    // A few points on the chart before the picture is taken.
    await expect
      .poll(
        async () => {
          await traffic(1)
          await stream()
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
    await other.goto(`${dash.stack.sluice.adminUrl}/`)
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
    await expect.poll(() => page.getByTestId('definition').textContent(), { timeout: LONG }).toContain('"defaultVariant": "off"')
    expect(await page.locator('textarea[name=definition]').count()).toBe(0)
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
    const definition = detail.locator('textarea[name=definition]')
    await expect.poll(async () => JSON.parse((await definition.inputValue()) || '{}'), { timeout: LONG }).toMatchObject({ defaultVariant: 'on' })
    const flag = await (await fetch(`${dash.stack.sluice.adminUrl}/v1/flags/ui.new-composer`, { headers: { authorization: `Bearer ${TOKENS.viewer}` } })).json()
    expect(flag).toMatchObject({ defaultVariant: 'on', override: { actor: 'oncall' } })
    await shot(page, 'flags')
    await act(page, detail, 'Remove override', 'back to the file')
    await expect.poll(() => row.textContent(), { timeout: LONG }).not.toContain('oncall')
    // The whole definition, edited: targeting on another plan.
    await expect.poll(async () => JSON.parse((await definition.inputValue()) || '{}'), { timeout: LONG }).toMatchObject({ defaultVariant: 'off' })
    const edited = { ...JSON.parse(await definition.inputValue()), targeting: { if: [{ in: [{ var: 'plan' }, ['beta', 'pro']] }, 'on', 'off'] } }
    await definition.fill(JSON.stringify(edited, null, 2))
    await act(page, detail, 'Save definition', 'pro customers too')
    await expect.poll(() => row.textContent(), { timeout: LONG }).toContain('oncall: pro customers too')
    await detail.locator('textarea[name=context]').fill('{"plan": "pro"}')
    await detail.getByRole('button', { name: 'Evaluate' }).click()
    await expect.poll(async () => JSON.parse((await page.getByTestId('evaluation').textContent()) ?? '{}'), { timeout: LONG }).toMatchObject({ value: true, reason: 'TARGETING_MATCH' })
    // Not JSON: no Save button, the problem said.
    await definition.fill('{"state": ')
    expect(await detail.locator('button[data-action="Save definition"]').count()).toBe(0)
    await detail.getByText('Not JSON').waitFor()
    await act(page, detail, 'Remove override', 'back to the file again')
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
    await act(page, card, 'Pause', 'hold over lunch')
    await expect.poll(() => status.textContent(), { timeout: LONG }).toBe('paused')
    await act(page, card, 'Resume', 'back')
    await expect.poll(() => status.textContent(), { timeout: LONG }).toBe('progressing')
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
