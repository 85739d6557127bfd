// Auto-conclusion end to end: a variant whose target fails half its requests loses to the control
// (whose target fails one in twenty)
// on the built-in success metric; Sluice concludes the experiment by itself (audited, counted,
// announced to the alert webhook) and promotes the winner, so the official SDK's next calls all
// go to the control's target, untagged.
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EMULATOR_CREDENTIALS, startEmulators, type Emulators } from '../../src/emulators/index.js'
import { createLogger } from '../../src/log.js'
import { startSluice, type Sluice } from '../../src/main.js'
import { CLIENT, stackConfig } from '../support/stack.js'
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhooks.js'

const VIEWER = 'viewer-token-0123456789'
let hook: WebhookReceiver
let emulators: Emulators
let sluice: Sluice

beforeAll(async () => {
  hook = await startWebhookReceiver()
  emulators = await startEmulators({ auth: EMULATOR_CREDENTIALS })
  const config = stackConfig(emulators, {
    admin: { host: '127.0.0.1', port: 0, tokens: [{ name: 'dash', token: VIEWER, role: 'viewer' }] },
    resilience: { retries: { maxRetries: 0 }, circuitBreaker: { enabled: false } },
    models: { chat: { targets: [{ provider: 'openai', model: 'gpt-4o-mini' }, { provider: 'google', model: 'gemini-2.5-flash', weight: 0 }] } },
    experiments: {
      flaky: {
        status: 'running',
        model: 'chat',
        autoConclude: true,
        tuningSampleSize: 100,
        alertWebhooks: [{ url: hook.url }],
        variants: [
          { name: 'control', control: true, target: { provider: 'openai', model: 'gpt-4o-mini' } },
          { name: 'gemini', target: { provider: 'google', model: 'gemini-2.5-flash' } },
        ],
      },
    },
  })
  sluice = await startSluice({ configText: JSON.stringify(config), logger: createLogger('warn') })
})
afterAll(async () => {
  await sluice.close()
  await emulators.close()
  hook?.close()
})

async function ask(user: string): Promise<Headers> {
  const client = new OpenAI({ baseURL: `${sluice.dataUrl}/v1`, apiKey: CLIENT.credentials.apiKey, maxRetries: 0 })
  const { response } = await client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'Hi.' }] }, { headers: { 'x-sluice-user': user } }).withResponse()
  return response.headers
}

async function admin(path: string): Promise<any> {
  return (await fetch(`${sluice.adminUrl}${path}`, { headers: { authorization: `Bearer ${VIEWER}` } })).json()
}

describe('auto-conclusion', () => {
  it('concludes with the control when the variant is worse, promotes it, audits and alerts', async () => {
    // Gemini fails every other request (its fallback answers the client; the variant is not credited
    // with success); OpenAI one in twenty, so neither arm has zero variance, which the statistics
    // need (as GrowthBook's do) before they compare.
    emulators.gemini.script.enqueue(...Array.from({ length: 300 }, (_, i) => (i % 2 === 0 ? { status: 500 } : {})))
    emulators.openai.script.enqueue(...Array.from({ length: 600 }, (_, i) => (i % 20 === 7 ? { status: 500 } : {})))
    let concluded: any
    for (let i = 0; i < 400 && concluded === undefined; i++) {
      // When both targets fail one request, the client gets the error: part of the scripted traffic.
      await ask(`user-${i}`).catch((err: unknown) => expect(err).toBeInstanceOf(OpenAI.InternalServerError))
      if (i % 20 === 19) {
        const { experiment } = await admin('/v1/experiments/flaky')
        if (experiment.status === 'concluded') concluded = experiment
      }
    }
    // The check runs about once a second: give it a bounded wait after the traffic.
    for (let i = 0; i < 40 && concluded === undefined; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      const { experiment } = await admin('/v1/experiments/flaky')
      if (experiment.status === 'concluded') concluded = experiment
    }
    emulators.gemini.script.reset()
    emulators.openai.script.reset()
    if (concluded === undefined) expect((await admin('/v1/experiments/flaky/results')).decision).toMatchObject({ decisive: true })
    expect(concluded).toMatchObject({ status: 'concluded', winner: 'control' })

    for (let i = 0; i < 10; i++) {
      const headers = await ask(`after-${i}`)
      expect(headers.get('x-sluice-provider')).toBe('openai')
      expect(headers.get('x-sluice-experiment')).toBeNull()
    }
    const { entries } = await admin('/v1/audit')
    const entry = entries.find((e: any) => e.action === 'experiment.auto-conclude')
    expect(entry).toMatchObject({ actor: 'sluice', target: 'experiments/flaky', after: { status: 'concluded', winner: 'control' } })
    expect(entry.reason).toMatch(/worse than control/i)
    for (let i = 0; i < 50 && hook.received.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 50))
    expect(hook.received).toHaveLength(1)
    expect(hook.received[0]!.body).toMatchObject({ type: 'sluice.experiment.concluded', experiment: 'flaky', winner: 'control' })
    expect(hook.received[0]!.headers['x-sluice-event-id']).toBe('flaky:concluded')
    const text = await (await fetch(`${sluice.adminUrl}/metrics`)).text()
    expect(text).toMatch(/sluice_experiment_conclusions_total\{experiment="flaky",winner="control"\} 1/)
  })
})
