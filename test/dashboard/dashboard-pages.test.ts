// The dashboard's other pages in a real browser, on what a real Sluice reports: experiment results
// with confidence intervals, SRM and sample-size progress (and stop/start), shadows' paired
// differences, bandit shares over time, budgets against their thresholds, rate limits, a circuit
// opened by a failing upstream and reset from the page, guardrails' would-have-blocked, and an
// activation sequence applied. Each is captured for docs/dashboard.md.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TOKENS } from './fixture.js'
import { act, directCall, LONG, open, openai, shot, signIn, traffic, useDashboard, type Session } from './harness.js'

const dash = useDashboard()

const VIEWER = { headers: { authorization: `Bearer ${TOKENS.viewer}` } }
const read = async <T,>(path: string): Promise<T> => (await (await fetch(`${dash.stack.sluice.adminUrl}${path}`, VIEWER)).json()) as T

describe('the other pages, as an operator', () => {
  let session: Session
  beforeAll(async () => {
    session = await signIn(TOKENS.operator)
    await traffic(6)
  }, 120_000)
  afterAll(async () => {
    expect(session.watched.problems).toEqual([])
    await session.context.close()
  })

  it('experiments: per-variant effects with their intervals drawn, SRM, sample-size progress; stop and start', async () => {
    const { page } = session
    await open(page, 'experiments', 'Experiments')
    await page.getByTestId('experiment-results').waitFor()
    await expect.poll(() => page.getByTestId('srm').textContent(), { timeout: LONG }).toMatch(/^ok \(p = [\d.e-]+\)$/)
    // Confidence intervals drawn for the metrics that have one (latency, cost…).
    await expect.poll(() => page.locator('svg.intervals line.ci').count(), { timeout: LONG }).toBeGreaterThan(0)
    // Progress toward the sample size, for a metric with variance (latency).
    await expect.poll(() => page.getByTestId('sample-latency_ms').textContent(), { timeout: LONG }).toMatch(/\d+ of \d+ per variant/)
    expect(await page.getByTestId('sample-latency_ms').locator('progress').count()).toBe(1)
    await shot(page, 'experiments')
    const trial = page.getByTestId('experiments').locator('tr', { hasText: 'gemini-trial' })
    await act(page, trial, 'Stop', 'pause the trial over the weekend')
    await expect.poll(() => trial.textContent(), { timeout: LONG }).toContain('stopped')
    expect((await read<{ experiment: { status: string } }>('/v1/experiments/gemini-trial')).experiment.status).toBe('stopped')
    await act(page, trial, 'Start', 'resume the trial')
    await expect.poll(() => trial.textContent(), { timeout: LONG }).toContain('running')
  }, 180_000)

  it("shadows: each metric's paired difference with its interval", async () => {
    const { page } = session
    await open(page, 'shadows', 'Shadows')
    await expect.poll(() => page.locator('[data-shadow="mirror"] svg.intervals circle.estimate').count(), { timeout: LONG }).toBeGreaterThan(0)
    await shot(page, 'shadows')
  }, 120_000)

  it('bandits: the arms and their shares over time', async () => {
    const { page } = session
    await open(page, 'bandits', 'Bandits')
    await page.locator('[data-bandit="duo"] canvas').waitFor()
    await expect.poll(() => page.getByTestId('arms-duo').locator('tbody tr').count(), { timeout: LONG }).toBe(2)
    // A few polls, so the shares have a history to draw.
    await expect.poll(async () => Number(await page.locator('[data-bandit="duo"]').getAttribute('data-points')), { timeout: LONG }).toBeGreaterThanOrEqual(3)
    await shot(page, 'bandits')
  }, 120_000)

  it('budgets: spend against the limit with the thresholds crossed; rate limits: the rules', async () => {
    const { page } = session
    // Spend on the small budget until it is past its first threshold (bounded: a call costs about 1 % of it).
    const spent = async () => {
      const mini = (await read<{ budgets: { budget: string; spentUsd: number; limitUsd: number }[] }>('/v1/budgets')).budgets.find((b) => b.budget === 'mini-daily')!
      return mini.spentUsd / mini.limitUsd
    }
    for (let i = 0; i < 300 && (await spent()) < 0.6; i++) expect(await directCall()).toEqual({ ok: true })
    expect(await spent()).toBeGreaterThanOrEqual(0.6)
    await open(page, 'budgets', 'Budgets')
    await expect.poll(() => page.getByTestId('budgets').textContent(), { timeout: LONG }).toContain('shop')
    // The thresholds come from /v1/config, fetched beside /v1/budgets: wait for them too.
    await expect.poll(() => page.getByTestId('budgets').textContent(), { timeout: LONG }).toContain('80 %')
    const mini = page.getByTestId('budgets').locator('tr', { hasText: 'mini-daily' })
    await expect.poll(() => mini.textContent(), { timeout: LONG }).toMatch(/\[50(,90)?\]/)
    await expect.poll(async () => Number(/width:\s*([\d.]+)%/.exec((await mini.locator('.spend .fill').getAttribute('style')) ?? '')?.[1]), { timeout: LONG }).toBeGreaterThan(50)
    await shot(page, 'budgets')
    await open(page, 'limits', 'Rate limits')
    await expect.poll(() => page.getByTestId('rate-limits').textContent(), { timeout: LONG }).toContain('per-client')
  }, 180_000)

  it('circuits: one opened by an upstream failing every call, reset from the page', async () => {
    const { page } = session
    // It opens once failures are half of the window's attempts (at least 20): bounded by the script.
    dash.stack.emulators.openai.script.enqueue(...Array.from({ length: 300 }, () => ({ status: 500 })))
    let last = await directCall()
    for (let i = 0; i < 300 && !(!last.ok && last.code === 'SLUICE_ERR_CIRCUIT_OPEN'); i++) {
      expect(last).toMatchObject({ ok: false })
      last = await directCall()
    }
    dash.stack.emulators.openai.script.reset()
    expect(await directCall()).toMatchObject({ ok: false, code: 'SLUICE_ERR_CIRCUIT_OPEN' })
    await open(page, 'circuits', 'Circuits')
    const circuit = page.getByTestId('circuits').locator('tr', { hasText: 'openai/gpt-4o-mini' })
    await expect.poll(() => circuit.locator('.status').textContent(), { timeout: LONG }).toBe('open')
    await shot(page, 'circuits')
    await act(page, circuit, 'Reset', 'upstream recovered')
    await expect.poll(() => circuit.locator('.status').textContent(), { timeout: LONG }).toBe('closed')
    expect(await directCall()).toEqual({ ok: true })
  }, 180_000)

  it('guardrails: a credential in log-only mode counted as would-have-blocked', async () => {
    const { page } = session
    await openai('/v1').chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'my key is AKIAQ3EGRN5LP7XKZ2VD' }] })
    await open(page, 'guardrails', 'Guardrails')
    await expect.poll(() => page.getByTestId('guardrails-mode').textContent(), { timeout: LONG }).toBe('log-only')
    await expect.poll(() => page.getByTestId('guardrail-checks').textContent(), { timeout: LONG }).toContain('would_redact')
    await expect.poll(() => page.getByTestId('would-block').textContent(), { timeout: LONG }).toContain('credentials')
    await shot(page, 'guardrails')
  }, 120_000)

  // Last, as it changes the flags: `active` turns shadows off.
  it('activation: applies a sequence, audited', async () => {
    const { page } = session
    await open(page, 'activation', 'Activation sequences')
    await expect.poll(() => page.getByTestId('sequences').textContent(), { timeout: LONG }).toContain('dark')
    const shadowFlag = async () => (await read<{ defaultVariant: string }>('/v1/flags/ai.shadow.enabled')).defaultVariant
    expect(await shadowFlag()).toBe('on')
    await act(page, page.getByTestId('sequences'), 'Apply active', 'bandit proven, shadow done')
    await expect.poll(shadowFlag, { timeout: LONG }).toBe('off')
    const audit = await read<{ entries: { actor: string; reason: string }[] }>('/v1/audit?limit=5')
    expect(audit.entries.some((e) => e.actor === 'oncall' && e.reason === 'bandit proven, shadow done')).toBe(true)
  }, 120_000)
})
