// The CLI as a user runs it: the compiled `sluice` binary in a child process (npm test builds
// first). validate's output and exit code, serve's SIGHUP reload and SIGTERM drain, and demo.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EMULATOR_CREDENTIALS, startEmulators, type Emulators } from '../../src/emulators/index.js'
import { BIN, exited, startCommand } from '../support/cli.js'
import { CLIENT, stackConfig } from '../support/stack.js'

let emulators: Emulators
let dir: string

beforeAll(async () => {
  emulators = await startEmulators({ auth: EMULATOR_CREDENTIALS })
  dir = mkdtempSync(join(tmpdir(), 'sluice-cli-'))
})
afterAll(async () => {
  await emulators.close()
})

function writeConfig(name: string, config: unknown): string {
  const file = join(dir, name)
  writeFileSync(file, typeof config === 'string' ? config : JSON.stringify(config))
  return file
}

describe('sluice validate', () => {
  it('prints every problem as "path: problem (got value)" and exits 1', () => {
    const file = writeConfig(
      'bad.yaml',
      'server:\n  port: 99999\nproviders:\n  openai: { type: openai, mount: openai, apiKey: sk-secret-value }\nclients:\n  - { id: a, credentials: { apiKey: k1 }, colour: blue }\n',
    )
    const result = spawnSync(process.execPath, [BIN, 'validate', '--config', file], { encoding: 'utf8' })
    expect(result.status).toBe(1)
    const lines = result.stdout.trim().split('\n')
    expect(lines).toContain('server.port: must be at most 65535 (got 99999)')
    expect(lines.some((l) => l.startsWith('providers.openai.mount: must start with /'))).toBe(true)
    expect(lines.some((l) => l.startsWith('clients[0].colour: unknown key'))).toBe(true)
    expect(result.stdout).not.toContain('sk-secret-value')
  })

  it('reports flag problems from inline flags and flag files', () => {
    writeConfig('flags.yaml', 'flags:\n  broken: { state: ENABLED, variants: { on: true }, defaultVariant: nope }\n')
    const config = { ...stackConfig(emulators), flagSources: ['flags.yaml'], flags: { 'ai.egress.enabled': { state: 'SOMETIMES' } } }
    const file = writeConfig('with-flags.yaml', config)
    const result = spawnSync(process.execPath, [BIN, 'validate', '--config', file], { encoding: 'utf8' })
    expect(result.status).toBe(1)
    expect(result.stdout).toContain('flags.yaml: flags.broken.defaultVariant')
    expect(result.stdout).toContain('config flags: flags["ai.egress.enabled"].state: must be ENABLED or DISABLED')
  })

  it('exits 0 on a valid file', () => {
    const file = writeConfig('good.yaml', stackConfig(emulators))
    const result = spawnSync(process.execPath, [BIN, 'validate', '--config', file], { encoding: 'utf8' })
    expect(result.stderr).toBe('')
    expect(result.status).toBe(0)
    expect(result.stdout).toMatch(/ok \(4 providers, 1 clients, \d+ flags\)/)
  })
})

describe('sluice serve', () => {
  it('reloads on SIGHUP, drains an in-flight stream on SIGTERM, then exits 0', async () => {
    const config = stackConfig(emulators) as { providers: Record<string, unknown> }
    const file = writeConfig('serve.yaml', { ...config, providers: { openai: config.providers.openai } })
    const { child, lines, until } = startCommand(['serve', '--config', file])
    const listening = await until((l) => l.msg === 'sluice listening')
    const base = `http://127.0.0.1:${String(listening.dataPort)}`

    writeConfig('serve.yaml', config) // all four providers; SIGHUP applies it without waiting for the watcher
    child.kill('SIGHUP')
    expect(await until((l) => l.msg === 'config reloaded')).toMatchObject({ changed: expect.arrayContaining(['providers.bedrock']) })

    // A slow stream is in flight when SIGTERM arrives; it must finish intact.
    emulators.openai.script.enqueue({ chunkDelayMs: 150, chunks: 4 })
    const openai = new OpenAI({ baseURL: `${base}/openai/v1`, apiKey: CLIENT.credentials.apiKey, maxRetries: 0 })
    const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'drain me' }], stream: true })
    child.kill('SIGTERM')
    let chunks = 0
    for await (const chunk of stream) if (chunk.choices[0]?.delta.content) chunks++
    expect(chunks).toBe(4)
    expect(await exited(child)).toBe(0)
    const decision = lines.find((l) => l.msg === 'decision')
    expect(decision).toMatchObject({ provider: 'openai', decision: 'allow', status: 200 })
  })
})

describe('sluice demo', () => {
  it('starts emulators and Sluice and prints working calls', async () => {
    const { child, lines, until } = startCommand(['demo', '--port', '0', '--admin-port', '0'])
    await until((l) => String(l.text ?? '').startsWith('Ctrl-C'))
    const text = lines.map((l) => String(l.text ?? '')).join('\n')
    const data = /data plane (http:\/\/127\.0\.0\.1:\d+)/.exec(text)![1]!
    expect(text).toContain(`curl -s ${data}/openai/v1/chat/completions`)
    const apiKey = /apiKey ([\w-]+)/.exec(text)![1]!
    const res = await fetch(`${data}/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }] }),
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('x-sluice-provider')).toBe('openai')
    // The printed embeddings call, on the demo's `embed` virtual model (Titan on the Bedrock emulator).
    expect(text).toContain(`curl -s ${data}/v1/embeddings`)
    const embeddings = await fetch(`${data}/v1/embeddings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'embed', input: 'Hello' }),
    })
    expect(embeddings.status).toBe(200)
    expect(embeddings.headers.get('x-sluice-provider')).toBe('bedrock')
    const body = (await embeddings.json()) as { data: { embedding: number[] }[] }
    expect(body.data[0]!.embedding.length).toBeGreaterThan(0)
    child.kill('SIGINT')
    expect(await exited(child)).toBe(0)
  })
})
