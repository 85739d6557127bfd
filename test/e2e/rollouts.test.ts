// A canary rollout end to end, with the official OpenAI SDK against two OpenAI emulators (stable and
// canary are the same model on two providers, so nothing but their health differs). Both arms fail
// one request in ten; mid-rollout the canary's upstream starts failing every request. Sluice alone
// rolls it back (audited, alerted, counted), and from then on every call is answered by stable.
// Then the manual actions, the activation sequences, and the state surviving a restart on sqlite.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EMULATOR_CREDENTIALS, startEmulators, type Emulators } from '../../src/emulators/index.js'
import { createLogger } from '../../src/log.js'
import { ctl } from '../../src/cli/ctl.js'
import { startSluice, type Sluice } from '../../src/main.js'
import { canaryStackConfig } from '../support/canary.js'
import { CLIENT, stackConfig } from '../support/stack.js'
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhooks.js'

const OPERATOR = 'operator-token-0123456789'
const VIEWER = 'viewer-token-0123456789'
let hook: WebhookReceiver
let stable: Emulators
let canary: Emulators
let sluice: Sluice
let config: Record<string, unknown>
const dir = mkdtempSync(join(tmpdir(), 'sluice-rollouts-'))

beforeAll(async () => {
  hook = await startWebhookReceiver()
  stable = await startEmulators({ auth: EMULATOR_CREDENTIALS })
  canary = await startEmulators({ auth: EMULATOR_CREDENTIALS })
  const shared = canaryStackConfig(stable, canary, { alertWebhooks: [{ url: hook.url }] })
  config = stackConfig(stable, {
    ...shared,
    state: { store: 'sqlite', path: dir },
    admin: {
      host: '127.0.0.1',
      port: 0,
      tokens: [
        { name: 'ops', token: OPERATOR, role: 'operator' },
        { name: 'dash', token: VIEWER, role: 'viewer' },
      ],
    },
    rollouts: {
      ...(shared.rollouts as Record<string, unknown>),
      // A native model on the OpenAI mount: the client names gpt-4o; the canary is gpt-4o on `next`.
      native: {
        mount: 'openai',
        model: 'gpt-4o',
        stable: { provider: 'openai', model: 'gpt-4o' },
        canary: { provider: 'next', model: 'gpt-4o' },
        steps: [{ percent: 50, minDurationSeconds: 3600, minSamplesPerArm: 1_000_000 }, { percent: 100 }],
        activation: {},
      },
    },
  })
  sluice = await startSluice({ configText: JSON.stringify(config), logger: createLogger('warn') })
})
afterAll(async () => {
  await sluice?.close()
  await stable.close()
  await canary.close()
  hook?.close()
  rmSync(dir, { recursive: true, force: true })
})

async function ask(user: string): Promise<Headers | undefined> {
  const client = new OpenAI({ baseURL: `${sluice.dataUrl}/v1`, apiKey: CLIENT.credentials.apiKey, maxRetries: 0 })
  try {
    const { response } = await client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'Hi.' }] }, { headers: { 'x-sluice-user': user } }).withResponse()
    return response.headers
  } catch (err) {
    // Both arms failed the same request (the other is the fallback): part of the scripted traffic.
    expect(err).toBeInstanceOf(OpenAI.InternalServerError)
    return undefined
  }
}

async function admin(path: string, init: { method?: string; body?: unknown; token?: string } = {}): Promise<{ status: number; body: any }> {
  const response = await fetch(`${sluice.adminUrl}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${init.token ?? OPERATOR}`, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  })
  return { status: response.status, body: await response.json() }
}

const oneInTen = (n: number) => Array.from({ length: n }, (_, i) => (i % 10 === 3 ? { status: 500 } : {}))

describe('canary rollout', () => {
  it('is pending until started: everyone is served by stable', async () => {
    const { body } = await admin('/v1/rollouts', { token: VIEWER })
    expect(body.rollouts).toHaveLength(2)
    expect(body.rollouts[0]).toMatchObject({ id: 'next', status: 'pending', canaryPercent: 0, stable: 'openai/gpt-4o-mini', canary: 'next/gpt-4o-mini' })
    const before = canary.openai.requests.count
    for (let i = 0; i < 10; i++) expect((await ask(`pending-${i}`))?.get('x-sluice-rollout-arm')).toBe('stable')
    expect(canary.openai.requests.count).toBe(before)
  })

  it('refuses viewers and bad actions', async () => {
    expect((await admin('/v1/rollouts', { method: 'POST', body: { id: 'next', reason: 'r' }, token: VIEWER })).status).toBe(403)
    expect((await admin('/v1/rollouts', { method: 'POST', body: { id: 'nope', reason: 'r' } })).status).toBe(404)
    expect((await admin('/v1/rollouts/next/pause', { method: 'POST', body: { reason: 'r' } })).body).toMatchObject({ code: 'SLUICE_ERR_ADMIN_CONFLICT' })
  })

  it('rolls back by itself when the canary starts failing, and stable then answers every call', async () => {
    const started = await admin('/v1/rollouts', { method: 'POST', body: { id: 'next', reason: 'ship the new upstream' } })
    expect(started.status).toBe(201)
    expect(started.body.rollout).toMatchObject({ status: 'progressing', canaryPercent: 50, run: 1, step: { number: 1, percent: 50 } })

    // Healthy phase: both arms fail one in ten.
    stable.openai.script.enqueue(...oneInTen(2000))
    canary.openai.script.enqueue(...oneInTen(100))
    const arms = { stable: 0, canary: 0 }
    for (let i = 0; i < 100; i++) {
      const arm = (await ask(`user-${i}`))?.get('x-sluice-rollout-arm')
      if (arm === 'stable' || arm === 'canary') arms[arm]++
    }
    expect(arms.canary).toBeGreaterThan(25)
    expect(arms.stable).toBeGreaterThan(25)
    expect((await admin('/v1/rollouts/next')).body.rollout.status).toBe('progressing')

    // The canary's upstream breaks: every request to it fails from now on.
    canary.openai.script.reset()
    canary.openai.script.enqueue(...Array.from({ length: 2000 }, () => ({ status: 500 })))
    let sent = 0
    let rolledBack: any
    for (; sent < 600 && rolledBack === undefined; sent++) {
      await ask(`user-${100 + sent}`)
      if (sent % 10 === 9) {
        const { rollout } = (await admin('/v1/rollouts/next')).body
        if (rollout.status === 'rolled-back') rolledBack = rollout
      }
    }
    // The judge looks every 250 ms: a bounded wait for its last look.
    for (let i = 0; i < 20 && rolledBack === undefined; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      const { rollout } = (await admin('/v1/rollouts/next')).body
      if (rollout.status === 'rolled-back') rolledBack = rollout
    }
    console.log(`rollout e2e: rolled back ${sent} requests after the canary's upstream broke (${rolledBack?.reason})`)
    expect(rolledBack).toMatchObject({ status: 'rolled-back', canaryPercent: 0 })
    expect(rolledBack.reason).toMatch(/worse/)
    // The bound this test states: rolled back within 400 requests of the canary breaking (half of them canary).
    expect(sent).toBeLessThanOrEqual(400)

    const before = canary.openai.requests.count
    stable.openai.script.reset()
    for (let i = 0; i < 30; i++) {
      const headers = await ask(`after-${i}`)
      expect(headers?.get('x-sluice-provider')).toBe('openai')
      expect(headers?.get('x-sluice-rollout-arm')).toBe('stable')
    }
    expect(canary.openai.requests.count).toBe(before)

    const { entries } = (await admin('/v1/audit', { token: VIEWER })).body
    const entry = entries.find((e: any) => e.action === 'rollout.auto-rollback')
    expect(entry).toMatchObject({ actor: 'sluice', target: 'rollouts/next', after: { status: 'rolled-back', run: 1 } })
    for (let i = 0; i < 50 && hook.received.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 50))
    expect(hook.received).toHaveLength(1)
    expect(hook.received[0]!.body).toMatchObject({ type: 'sluice.rollout.rolled-back', rollout: 'next', canary: 'next/gpt-4o-mini', step: 50 })
    expect(hook.received[0]!.headers['x-sluice-event-id']).toBe('next:1:rollback')
    const text = await (await fetch(`${sluice.adminUrl}/metrics`)).text()
    expect(text).toMatch(/sluice_rollout_weight\{rollout="next"\} 0/)
    expect(text).toMatch(/sluice_rollout_decisions_total\{rollout="next",decision="rollback",by="auto"\} 1/)
  })

  it('takes manual actions with reasons: start a new run, pause, resume, promote to complete, roll back', async () => {
    canary.openai.script.reset()
    const act = async (action: string) => (await admin(`/v1/rollouts/next/${action}`, { method: 'POST', body: { reason: `test ${action}` } })).body
    expect((await act('start')).rollout).toMatchObject({ status: 'progressing', run: 2, canaryPercent: 50 })
    expect((await act('pause')).rollout).toMatchObject({ status: 'paused', canaryPercent: 50 })
    expect(await act('pause')).toMatchObject({ code: 'SLUICE_ERR_ADMIN_CONFLICT' })
    expect((await act('resume')).rollout).toMatchObject({ status: 'progressing' })
    expect((await act('promote')).rollout).toMatchObject({ status: 'promoted', canaryPercent: 100 })
    for (let i = 0; i < 5; i++) expect((await ask(`promoted-${i}`))?.get('x-sluice-provider')).toBe('next')
    expect((await act('rollback')).rollout).toMatchObject({ status: 'rolled-back', canaryPercent: 0 })
    const { entries } = (await admin('/v1/audit', { token: VIEWER })).body
    expect(entries.filter((e: any) => e.target === 'rollouts/next').map((e: any) => e.action)).toEqual(
      expect.arrayContaining(['rollout.start', 'rollout.pause', 'rollout.resume', 'rollout.promote', 'rollout.rollback']),
    )
  })

  it('is driven by sluice ctl rollouts too', async () => {
    const run = async (...args: string[]) => {
      let out = ''
      let err = ''
      const code = await ctl([...args, '--url', sluice.adminUrl, '--token', OPERATOR], { env: {}, out: (t) => (out += t), err: (t) => (err += t) })
      return { code, out, err }
    }
    const list = await run('rollouts')
    expect(list.code).toBe(0)
    expect(list.out).toMatch(/next\s+chat\s+rolled-back/)
    expect((await run('rollouts', 'start', 'next', '--reason', 'from the cli')).out).toMatch(/Rollout next is now progressing, canary 50 %/)
    const shown = await run('rollouts', 'show', 'next')
    expect(shown.out).toMatch(/Rollout next on chat: progressing, step 1\/2/)
    expect(shown.out).toMatch(/error-rate/)
    expect((await run('rollouts', 'rollback', 'next', '--reason', 'cli rollback')).out).toMatch(/rolled-back, canary 0 %/)
    const refused = await run('rollouts', 'pause', 'next', '--reason', 'nothing to pause')
    expect(refused.code).toBe(1)
    expect(refused.err).toMatch(/SLUICE_ERR_ADMIN_CONFLICT/)
  })

  it('splits a native model on a mount: the official SDK on /openai reaches the canary provider, same dialect', async () => {
    const client = new OpenAI({ baseURL: `${sluice.dataUrl}/openai/v1`, apiKey: CLIENT.credentials.apiKey, maxRetries: 0 })
    const call = async (user: string) =>
      (await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi.' }] }, { headers: { 'x-sluice-user': user } }).withResponse()).response.headers
    expect((await call('n-0')).get('x-sluice-rollout-arm')).toBe('stable')
    await admin('/v1/rollouts', { method: 'POST', body: { id: 'native', reason: 'native canary' } })
    await admin('/v1/rollouts/native/complete', { method: 'POST', body: { reason: 'all in' } })
    const before = canary.openai.requests.count
    for (let i = 0; i < 5; i++) {
      const headers = await call(`n-${i}`)
      expect(headers.get('x-sluice-rollout')).toBe('native')
      expect(headers.get('x-sluice-rollout-arm')).toBe('canary')
      expect(headers.get('x-sluice-provider')).toBe('next')
    }
    expect(canary.openai.requests.count).toBe(before + 5)
    expect((canary.openai.requests.entries.at(-1)!.body as { model: string }).model).toBe('gpt-4o')
    await admin('/v1/rollouts/native/stop', { method: 'POST', body: { reason: 'done' } })
  })

  it('follows the activation sequences: canary starts it, active completes it, dark stops it', async () => {
    const apply = async (sequence: string) => (await admin(`/v1/activation/${sequence}`, { method: 'POST', body: { reason: `go ${sequence}` } })).body
    expect((await apply('canary')).rollouts).toEqual({ next: 'start' })
    expect((await admin('/v1/rollouts/next')).body.rollout).toMatchObject({ status: 'progressing', run: 4 })
    expect((await apply('active')).rollouts).toEqual({ next: 'complete' })
    expect((await admin('/v1/rollouts/next')).body.rollout).toMatchObject({ status: 'promoted', canaryPercent: 100 })
    expect((await apply('dark')).rollouts).toEqual({ next: 'stop' })
    expect((await admin('/v1/rollouts/next')).body.rollout).toMatchObject({ status: 'stopped', canaryPercent: 0 })
  })

  it('keeps its state across a restart', async () => {
    await sluice.close()
    sluice = await startSluice({ configText: JSON.stringify(config), logger: createLogger('warn') })
    expect((await admin('/v1/rollouts/next')).body.rollout).toMatchObject({ status: 'stopped', run: 4, canaryPercent: 0 })
  })
})
