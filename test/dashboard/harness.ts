// What the dashboard's browser tests share: one stack (test/dashboard/fixture.ts) and one chromium
// per test file, opened by useDashboard(); traffic through the official OpenAI SDK; signing in;
// the two-click actions; the screenshots docs/dashboard.md shows.
import { mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import OpenAI from 'openai'
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core'
import { afterAll, beforeAll } from 'vitest'
import { CLIENT, type Stack } from '../support/stack.js'
import { launchBrowser, watch, type Watched } from './browser.js'
import { startDashboardStack } from './fixture.js'

/**
 * Where the screenshots go: docs/dashboard/ (what docs/dashboard.md shows) when
 * SLUICE_UPDATE_SCREENSHOTS=1, else a scratch folder (still taken on every run, so a page that
 * cannot render fails the test), which keeps `npm test` from rewriting files in the checkout.
 */
export const SHOTS = process.env.SLUICE_UPDATE_SCREENSHOTS === '1' ? fileURLToPath(new URL('../../docs/dashboard/', import.meta.url)) : join(tmpdir(), 'sluice-dashboard-shots/')
export const LONG = 60_000
let stack: Stack
let browser: Browser

/** Starts the stack and the browser before the file's tests (with some traffic for every page), and closes both after. */
export function useDashboard(): { readonly stack: Stack; readonly browser: Browser } {
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
  return {
    get stack() {
      return stack
    },
    get browser() {
      return browser
    },
  }
}

export const openai = (mount = '/openai/v1') => new OpenAI({ baseURL: `${stack.sluice.dataUrl}${mount}`, apiKey: CLIENT.credentials.apiKey, maxRetries: 0 })

/** A call with the official SDK straight to the OpenAI mount: its status and Sluice's error code. */
export async function directCall(): Promise<{ ok: true } | { ok: false; status: number | undefined; code: unknown }> {
  try {
    await openai().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi.' }] })
    return { ok: true }
  } catch (err) {
    if (!(err instanceof OpenAI.APIError)) throw err
    return { ok: false, status: err.status, code: err.code }
  }
}

/** `n` calls to the rollout's virtual model, each from its own user. */
export async function chat(n: number, prefix: string): Promise<void> {
  for (let i = 0; i < n; i++) await openai('/v1').chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'Hi.' }] }, { headers: { 'x-sluice-user': `${prefix}-${i}` } })
}

/** One streamed call (time to first token is measured on streams only), read to the end. */
export async function stream(): Promise<void> {
  const chunks = await openai('/v1').chat.completions.create({ model: 'duo', messages: [{ role: 'user', content: 'Hi.' }], stream: true })
  for await (const _chunk of chunks) {
    // drained
  }
}

/** Something for every page to show: the rollout's, the experiment's and the bandit's models, with an email for the guardrails. */
export async function traffic(rounds = 12): Promise<void> {
  const client = openai('/v1')
  for (let i = 0; i < rounds; i++)
    for (const model of ['chat', 'support-chat', 'duo'])
      await client.chat.completions.create({ model, messages: [{ role: 'user', content: `Hello, I am user${i}@example.com.` }] }, { headers: { 'x-sluice-user': `user-${i}` } })
}

export interface Session {
  readonly context: BrowserContext
  readonly page: Page
  readonly watched: Watched
}

export async function signIn(token: string): Promise<Session> {
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

export async function open(page: Page, id: string, heading: string): Promise<void> {
  await page.goto(`${stack.sluice.adminUrl}/#/${id}`)
  await page.getByRole('heading', { name: heading, exact: true }).waitFor()
}

export const shot = (page: Page, name: string) => page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true })

/** Clicks an action, types the reason, confirms: the two clicks every action takes. */
export async function act(page: Page, scope: Locator, label: string, reason: string): Promise<void> {
  await scope.locator(`button[data-action="${label}"]`).click()
  const form = page.locator(`form[data-action-form="${label}"]`)
  await form.locator('input[name=reason]').fill(reason)
  await form.getByRole('button', { name: `Confirm ${label.toLowerCase()}` }).click()
  await form.waitFor({ state: 'detached' })
}
