// SPEC §18: no kill switch, override or audit record is lost across `kill -9`. A real
// `sluice serve` on the sqlite store gets changes over the admin API, is SIGKILLed, and restarts.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EMULATOR_CREDENTIALS, startEmulators, type Emulators } from '../../src/emulators/index.js'
import { exited, startCommand, type Running } from '../support/cli.js'
import { CLIENT, stackConfig } from '../support/stack.js'

const TOKEN = 'ops-token-0123456789abcdef'
let emulators: Emulators
let configFile: string

beforeAll(async () => {
  emulators = await startEmulators({ auth: EMULATOR_CREDENTIALS })
  const dir = mkdtempSync(join(tmpdir(), 'sluice-durable-'))
  configFile = join(dir, 'sluice.json')
  writeFileSync(
    configFile,
    JSON.stringify({
      ...stackConfig(emulators),
      state: { store: 'sqlite', path: join(dir, 'data') },
      admin: { host: '127.0.0.1', port: 0, tokens: [{ name: 'ops', token: TOKEN, role: 'admin' }] },
    }),
  )
})
afterAll(async () => {
  await emulators.close()
})

async function serve(): Promise<{ running: Running; admin: string; data: string }> {
  const running = startCommand(['serve', '--config', configFile])
  const line = await running.until((l) => l.msg === 'sluice listening')
  return { running, admin: `http://127.0.0.1:${String(line.adminPort)}`, data: `http://127.0.0.1:${String(line.dataPort)}` }
}

const call = (base: string, method: string, path: string, body?: unknown) =>
  fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })

const chatCode = async (data: string): Promise<string | number> => {
  const res = await fetch(`${data}/openai/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${CLIENT.credentials.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
  })
  const body = (await res.json()) as { error?: { code?: string } }
  return body.error?.code ?? res.status
}

describe('durability across kill -9', () => {
  it('keeps kill switches, overrides and audit records', async () => {
    const first = await serve()
    expect((await call(first.admin, 'PUT', '/v1/kill-switches/model/gpt-4o-mini', { reason: 'before crash' })).status).toBe(200)
    const off = { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off' }
    expect((await call(first.admin, 'PUT', '/v1/flags/ai.streaming.enabled', { definition: off, reason: 'no streams' })).status).toBe(200)
    expect(await chatCode(first.data)).toBe('SLUICE_ERR_KILL_MODEL')
    first.running.child.kill('SIGKILL')
    await exited(first.running.child)

    const second = await serve()
    try {
      const switches = (await (await call(second.admin, 'GET', '/v1/kill-switches')).json()) as { killSwitches: unknown[] }
      expect(switches.killSwitches).toEqual([expect.objectContaining({ scope: 'model', target: 'gpt-4o-mini', reason: 'before crash' })])
      const flag = (await (await call(second.admin, 'GET', '/v1/flags/ai.streaming.enabled')).json()) as Record<string, unknown>
      expect(flag).toMatchObject({ origin: 'overrides', defaultVariant: 'off' })
      const audit = (await (await call(second.admin, 'GET', '/v1/audit')).json()) as { entries: Array<{ reason: string }> }
      expect(audit.entries.map((e) => e.reason)).toEqual(expect.arrayContaining(['before crash', 'no streams']))
      expect(await chatCode(second.data)).toBe('SLUICE_ERR_KILL_MODEL')
    } finally {
      second.running.child.kill('SIGTERM')
      await exited(second.running.child)
    }
  })
})
