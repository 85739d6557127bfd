// Config reload on a running Sluice: a valid change swaps in atomically (new mounts serve at once),
// an invalid one is refused and counted while the last good config keeps serving. The config and
// the flag files it names reload as one: refused whole, on every reload, until fixed.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { EMULATOR_CREDENTIALS, startEmulators, type Emulators } from '../../src/emulators/index.js'
import { TRAFFIC_ON_FLAGS } from '../../src/emulators/sluice-config.js'
import { evaluate } from '../../src/flags/index.js'
import { startSluice, type Sluice } from '../../src/main.js'
import { registry } from '../../src/core/metrics.js'
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

describe('config and flag files reload through one path', () => {
  let dir: string
  let flagged: Sluice
  const writeFlagged = (options: { providers?: string[]; flags?: Record<string, unknown>; flagSources?: string[] } = {}): void => {
    const config = stackConfig(emulators, { flagSources: options.flagSources ?? ['flags.yaml'], flags: { ...TRAFFIC_ON_FLAGS, ...options.flags } })
    const providers = options.providers ?? ['openai']
    config.providers = Object.fromEntries(Object.entries(config.providers).filter(([name]) => providers.includes(name)))
    writeFileSync(join(dir, 'sluice.yaml'), JSON.stringify(config))
  }
  const flag = (on: boolean): string => `{ state: ENABLED, variants: { on: true, off: false }, defaultVariant: ${on ? 'on' : 'off'} }`
  const writeFlags = (file: string, flags: Record<string, string>): void =>
    writeFileSync(join(dir, file), `flags:\n${Object.entries(flags).map(([key, def]) => `  ${key}: ${def}\n`).join('')}`)
  const flagValue = (key: string): unknown => evaluate(flagged.snapshot().flags, key, 'boolean', false).value
  const mounts = (): string[] => flagged.snapshot().mounts.map((m) => m.name).sort()

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-reload-flags-'))
    writeFlags('flags.yaml', { 'demo.rollout': flag(false) })
    writeFlagged()
    flagged = await startSluice({ configPath: join(dir, 'sluice.yaml'), logger: pino({ level: 'silent' }) })
  })
  afterAll(async () => {
    await flagged.close()
  })
  beforeEach(() => {
    writeFlags('flags.yaml', { 'demo.rollout': flag(false) })
    writeFlagged()
    expect(flagged.reload()).toEqual({ ok: true })
  })

  it('refuses a config whose flags do not compile on every reload, not only the first, until it is fixed', async () => {
    const rejectedBefore = await reloads('rejected')
    writeFlagged({ providers: ['openai', 'google'], flags: { 'demo.broken': { state: 'SOMETIMES', variants: { on: true }, defaultVariant: 'on' } } })
    const refused = flagged.reload()
    expect(refused).toEqual({ ok: false, problems: ['config flags: flags["demo.broken"].state: must be ENABLED or DISABLED (got "SOMETIMES")'] })
    // The same file again: still refused (the watcher used to take it as its baseline and answer ok).
    expect(flagged.reload()).toEqual(refused)
    expect(mounts()).toEqual(['openai'])
    expect(flagged.snapshot().config.flags).not.toHaveProperty('demo.broken')
    expect(await reloads('rejected')).toBeGreaterThanOrEqual(rejectedBefore + 2)

    writeFlagged({ providers: ['openai', 'google'] })
    expect(flagged.reload()).toEqual({ ok: true })
    expect(mounts()).toEqual(['google', 'openai'])
  })

  it('refuses a flag file that does not compile on every reload, and keeps the last good flags serving', () => {
    writeFlags('flags.yaml', { 'demo.rollout': '{ state: ENABLED, variants: { on: true, off: false }, defaultVariant: maybe }' })
    const refused = flagged.reload() // the config file is unchanged; its flag file is not
    expect(refused).toMatchObject({ ok: false, problems: [expect.stringMatching(/^flags\.yaml: flags\["demo\.rollout"\]\.defaultVariant: /)] })
    expect(flagged.reload()).toEqual(refused)
    expect(flagValue('demo.rollout')).toBe(false)

    writeFlags('flags.yaml', { 'demo.rollout': flag(true) })
    expect(flagged.reload()).toEqual({ ok: true })
    expect(flagValue('demo.rollout')).toBe(true)
  })

  it('applies a flag file change on its own, through the watcher, and counts it', async () => {
    const appliedBefore = await reloads('applied')
    writeFlags('flags.yaml', { 'demo.rollout': flag(true) })
    await vi.waitFor(() => expect(flagValue('demo.rollout')).toBe(true), { timeout: 5000 })
    expect(await reloads('applied')).toBeGreaterThan(appliedBefore)
  })

  it('refuses a config naming a flag file that does not compile until that file is fixed', () => {
    writeFlags('more.yaml', { 'demo.more': '{ state: ENABLED, variants: { on: true }, defaultVariant: off }' })
    writeFlagged({ providers: ['openai', 'google'], flagSources: ['flags.yaml', 'more.yaml'] })
    const refused = flagged.reload()
    expect(refused).toMatchObject({ ok: false, problems: [expect.stringMatching(/^more\.yaml: flags\["demo\.more"\]\.defaultVariant: /)] })
    expect(flagged.reload()).toEqual(refused)
    expect(mounts()).toEqual(['openai'])

    writeFlags('more.yaml', { 'demo.more': flag(true) }) // only the flag file changes
    expect(flagged.reload()).toEqual({ ok: true })
    expect(mounts()).toEqual(['google', 'openai'])
    expect(flagValue('demo.more')).toBe(true)
  })

  it('reads the flag files as they are on disk when the config changes', () => {
    writeFlagged({ flags: { 'demo.moved': { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off' } } })
    expect(flagged.reload()).toEqual({ ok: true })
    // The flag moves from the config to the file: while both define it, the file is refused ...
    writeFlags('flags.yaml', { 'demo.rollout': flag(false), 'demo.moved': flag(true) })
    expect(flagged.reload()).toMatchObject({ ok: false, problems: [expect.stringContaining('demo.moved')] })
    expect(flagValue('demo.moved')).toBe(false)
    // ... and once the config drops it, the file's definition is the one that serves.
    writeFlagged()
    expect(flagged.reload()).toEqual({ ok: true })
    expect(flagValue('demo.moved')).toBe(true)
  })
})
