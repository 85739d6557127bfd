// Config reload on a running Sluice: a valid change swaps in atomically (new mounts serve at once),
// an invalid one is refused and counted while the last good config keeps serving.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { EMULATOR_CREDENTIALS, startEmulators, type Emulators } from '../../src/emulators/index.js'
import { startSluice, type Sluice } from '../../src/main.js'
import { registry } from '../../src/metrics.js'
import { CLIENT, stackConfig } from '../support/stack.js'

let emulators: Emulators
let sluice: Sluice
let file: string

function writeConfig(providers: string[], extra: Record<string, unknown> = {}): void {
  const config = stackConfig(emulators, extra) as { providers: Record<string, unknown> }
  config.providers = Object.fromEntries(Object.entries(config.providers).filter(([name]) => providers.includes(name)))
  writeFileSync(file, JSON.stringify(config))
}

async function reloads(result: string): Promise<number> {
  const metric = await registry.getSingleMetric('sluice_config_reloads_total')!.get()
  return metric.values.find((v) => v.labels.result === result)?.value ?? 0
}

async function geminiStatus(): Promise<number> {
  const res = await fetch(`${sluice.dataUrl}/google/v1beta/models/gemini-2.5-flash:generateContent`, {
    method: 'POST',
    headers: { 'x-goog-api-key': CLIENT.credentials.apiKey, 'content-type': 'application/json' },
    body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
  })
  await res.arrayBuffer()
  return res.status
}

beforeAll(async () => {
  emulators = await startEmulators({ auth: EMULATOR_CREDENTIALS })
  file = join(mkdtempSync(join(tmpdir(), 'sluice-reload-')), 'sluice.yaml')
  writeConfig(['openai'])
  sluice = await startSluice({ configPath: file, logger: pino({ level: 'silent' }) })
})
afterAll(async () => {
  await sluice.close()
  await emulators.close()
})

describe('config reload', () => {
  it('applies a valid change made to the file (watch)', async () => {
    expect(await geminiStatus()).toBe(404)
    writeConfig(['openai', 'google'])
    await vi.waitFor(() => expect(sluice.snapshot().mounts.map((m) => m.name)).toContain('google'), { timeout: 5000 })
    expect(await geminiStatus()).toBe(200)
  })

  it('refuses an invalid change, keeps serving the last good config and counts it', async () => {
    const rejectedBefore = await reloads('rejected')
    writeFileSync(file, 'server: { port: "not a port" }\nproviders: { openai: { type: nope, mount: bad } }\n')
    const result = sluice.reload() // what SIGHUP does
    expect(result.ok).toBe(false)
    expect(await reloads('rejected')).toBeGreaterThan(rejectedBefore)
    expect(await geminiStatus()).toBe(200)
  })

  it('SIGHUP-style reload applies the next valid file', async () => {
    writeConfig(['openai'])
    expect(sluice.reload().ok).toBe(true)
    expect(await geminiStatus()).toBe(404)
  })
})
