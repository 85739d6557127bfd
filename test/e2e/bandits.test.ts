// Bandit routing end to end, with the official openai SDK through Sluice to the emulators: in
// mode `active` the bandit moves traffic off a target that fails; every response names its arm
// and carries a feedback token that POST /v1/events credits (and refuses when tampered with); in
// mode `shadow` (flag targeting) it only records its pick; GET /v1/bandits reports the arms; what
// it learned survives a restart (shared through the outcome store).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EMULATOR_CREDENTIALS, startEmulators, type Emulators } from '../../src/emulators/index.js'
import { TRAFFIC_ON_FLAGS } from '../../src/emulators/sluice-config.js'
import { createLogger } from '../../src/log.js'
import { startSluice, type Sluice } from '../../src/main.js'
import { CLIENT, stackConfig } from '../support/stack.js'

const VIEWER = 'viewer-token-0123456789'
const OPENAI = 'openai/gpt-4o-mini'
const GOOGLE = 'google/gemini-2.5-flash'
const MODE_FLAG = {
  state: 'ENABLED',
  variants: { off: 'off', shadow: 'shadow', canary: 'canary', active: 'active' },
  defaultVariant: 'active',
  targeting: { if: [{ '==': [{ var: 'plan' }, 'shadow'] }, 'shadow', 'active'] },
}

let emulators: Emulators
let sluice: Sluice
let dir: string
let configText: string

beforeAll(async () => {
  emulators = await startEmulators({ auth: EMULATOR_CREDENTIALS })
  dir = mkdtempSync(join(tmpdir(), 'sluice-bandits-'))
  configText = JSON.stringify(
    stackConfig(emulators, {
      state: { store: 'sqlite', path: dir },
      admin: { host: '127.0.0.1', port: 0, tokens: [{ name: 'dash', token: VIEWER, role: 'viewer' }] },
      flags: { ...TRAFFIC_ON_FLAGS, 'ai.bandit.mode': MODE_FLAG },
      // No retries and no circuit: every failure is the bandit's to see.
      resilience: { retries: { maxRetries: 0 }, circuitBreaker: { enabled: false } },
      models: {
        duo: {
          targets: [
            { provider: 'openai', model: 'gpt-4o-mini' },
            { provider: 'google', model: 'gemini-2.5-flash' },
          ],
          bandit: { feedbackSecret: 'bandit-feedback-secret-0123456789', reward: { success: 0.8, quality: 0.2 }, syncMs: 100 },
        },
      },
    }),
  )
  sluice = await startSluice({ configText, logger: createLogger('warn') })
})
afterAll(async () => {
  await sluice.close()
  await emulators.close()
  rmSync(dir, { recursive: true, force: true })
})

async function ask(user: string, headers: Record<string, string> = {}) {
  const client = new OpenAI({ baseURL: `${sluice.dataUrl}/v1`, apiKey: CLIENT.credentials.apiKey, maxRetries: 0 })
  const { response } = await client.chat.completions
    .create({ model: 'duo', messages: [{ role: 'user', content: 'Hi.' }] }, { headers: { 'x-sluice-user': user, ...headers } })
    .withResponse()
  return response.headers
}

async function bandits(): Promise<any[]> {
  const response = await fetch(`${sluice.adminUrl}/v1/bandits`, { headers: { authorization: `Bearer ${VIEWER}` } })
  expect(response.status).toBe(200)
  return ((await response.json()) as { bandits: any[] }).bandits
}

async function feedback(token: string, value: number): Promise<{ status: number; body: any }> {
  const response = await fetch(`${sluice.dataUrl}/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${CLIENT.credentials.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events: [{ feedback: token, value }] }),
  })
  return { status: response.status, body: await response.json() }
}

const arm = (report: any[], id: string): any => report.find((b) => b.model === 'duo').arms.find((a: any) => a.arm === id)

describe('bandit routing', () => {
  it('moves traffic off a failing target in mode active, naming the arm on every response', async () => {
    // Gemini fails every request it gets; the fallback answers, but the arm tried first is credited with the failure.
    emulators.gemini.script.enqueue(...Array.from({ length: 400 }, () => ({ status: 500 })))
    const firstArms: string[] = []
    for (let i = 0; i < 150; i++) {
      const headers = await ask(`user-${i}`)
      expect(headers.get('x-sluice-bandit')).toBe('duo')
      expect(headers.get('x-sluice-feedback')).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/)
      expect(headers.get('x-sluice-bandit-pick')).toBeNull()
      firstArms.push(headers.get('x-sluice-arm')!)
    }
    emulators.gemini.script.reset()
    const late = firstArms.slice(-50)
    const share = late.filter((a) => a === OPENAI).length / late.length
    expect(share).toBeGreaterThanOrEqual(0.8)
    const report = await bandits()
    expect(report[0].mode).toBe('active')
    expect(arm(report, OPENAI).mean).toBeGreaterThan(arm(report, GOOGLE).mean)
    expect(arm(report, OPENAI).share).toBeGreaterThan(arm(report, GOOGLE).share)
    expect(arm(report, GOOGLE).errors).toBeGreaterThan(0)
    // The share gauge, refreshed at the next statistics sync (every 100 ms here).
    let gauge = 0
    for (let i = 0; i < 30 && !(gauge > 0.5); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      const text = await (await fetch(`${sluice.adminUrl}/metrics`)).text()
      gauge = Number(/sluice_bandit_arm_share\{model="duo",arm="openai\/gpt-4o-mini"\} (\S+)/.exec(text)?.[1])
    }
    expect(gauge).toBeGreaterThan(0.5)
  })

  it('credits quality feedback from the response token to its arm, and refuses a forged one', async () => {
    const headers = await ask('feedback-user')
    const token = headers.get('x-sluice-feedback')!
    const id = headers.get('x-sluice-arm')!
    const before = arm(await bandits(), id).successes
    expect(await feedback(token, 1)).toEqual({ status: 200, body: { accepted: 1, rejected: [] } })
    const after = arm(await bandits(), id).successes
    // Worth `reward.quality` (0.2) of a request, give or take the time decay between the reads.
    expect(after - before).toBeGreaterThan(0.19)
    expect(after - before).toBeLessThan(0.21)

    const forged = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`
    const refused = await feedback(forged, 1)
    expect(refused.body.accepted).toBe(0)
    expect(refused.body.rejected[0]).toMatchObject({ code: 'SLUICE_ERR_EVENT_INVALID' })
    expect(refused.body.rejected[0].message).toMatch(/signature does not verify/)
    expect((await feedback(token, 3)).body.rejected[0].message).toMatch(/score from 0 to 1/)
  })

  it('only records its pick in mode shadow: the weights route', async () => {
    let differs = 0
    for (let i = 0; i < 40; i++) {
      const headers = await ask(`shadow-${i}`, { 'x-sluice-attr-plan': 'shadow' })
      const pick = headers.get('x-sluice-bandit-pick')
      expect(pick).not.toBeNull()
      if (pick !== headers.get('x-sluice-arm')) differs++
    }
    // Weights 1:1 route half the requests to Gemini, which the bandit would rarely pick.
    expect(differs).toBeGreaterThan(5)
  })

  it('keeps what it learned across a restart', async () => {
    const before = arm(await bandits(), GOOGLE)
    await new Promise((resolve) => setTimeout(resolve, 250)) // past syncMs: its statistics are in the store
    await sluice.close()
    sluice = await startSluice({ configText, logger: createLogger('warn') })
    // The new process reads the old one's copy at its first sync.
    let after: any
    for (let i = 0; i < 50; i++) {
      after = arm(await bandits(), GOOGLE)
      if (after.attempts > 0) break
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    expect(after.attempts).toBeGreaterThan(before.attempts * 0.9)
    expect(after.errors).toBeGreaterThan(before.errors * 0.9)
  })
})
