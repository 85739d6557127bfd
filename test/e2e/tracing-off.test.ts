// Tracing off costs nothing (docs/observability.md): the compiled `sluice serve` runs under a
// module resolve hook that logs every module it loads. With tracing off (the default), serving an
// official SDK call loads no OpenTelemetry module at all; the same run with tracing on loads the
// SDK, so the check can tell the two apart.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EMULATOR_CREDENTIALS, startEmulators, type Emulators } from '../../src/emulators/index.js'
import { BIN, exited } from '../support/cli.js'
import { startCollector, type Collector } from '../support/otlp-collector.js'
import { CLIENT, stackConfig } from '../support/stack.js'

const REGISTER = fileURLToPath(new URL('../support/module-log/register.mjs', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'sluice-tracing-off-'))
let emulators: Emulators
let collector: Collector

beforeAll(async () => {
  emulators = await startEmulators({ auth: EMULATOR_CREDENTIALS })
  collector = await startCollector()
})
afterAll(async () => {
  await emulators.close()
  await collector.close()
})

/** Runs `sluice serve` with `telemetry`, makes one chat call through it, stops it; the module URLs it loaded. */
async function modulesLoaded(name: string, telemetry: Record<string, unknown> | undefined): Promise<string[]> {
  const config = stackConfig(emulators, telemetry === undefined ? {} : { telemetry })
  const configPath = join(dir, `${name}.json`)
  writeFileSync(configPath, JSON.stringify(config))
  const log = join(dir, `${name}.modules`)
  writeFileSync(log, '')
  const child = spawn(process.execPath, ['--import', REGISTER, BIN, 'serve', '--config', configPath], {
    env: { ...process.env, MODULE_LOG: log },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  try {
    const dataPort = await new Promise<number>((resolve, reject) => {
      let text = ''
      child.stdout!.on('data', (chunk: Buffer) => {
        text += chunk.toString('utf8')
        const match = /"dataPort":(\d+)/.exec(text)
        if (match !== null) resolve(Number(match[1]))
      })
      child.once('exit', (code) => reject(new Error(`sluice serve exited with ${code}`)))
    })
    const openai = new OpenAI({ baseURL: `http://127.0.0.1:${dataPort}/openai/v1`, apiKey: CLIENT.credentials.apiKey, maxRetries: 0 })
    const answer = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }] })
    expect(answer.choices[0]?.message.content).toContain('Hello from')
  } finally {
    child.kill('SIGTERM')
    await exited(child)
  }
  return readFileSync(log, 'utf8').split('\n').filter((line) => line !== '')
}

describe('tracing off', () => {
  it('loads no OpenTelemetry module while serving a call', async () => {
    const modules = await modulesLoaded('off', undefined)
    // The hook saw the data plane load, so an empty match below means something.
    expect(modules.some((url) => url.endsWith('/dist/src/pipeline/run.js'))).toBe(true)
    expect(modules.some((url) => url.endsWith('/dist/src/telemetry/tracer.js'))).toBe(true)
    expect(modules.filter((url) => url.includes('@opentelemetry') || url.endsWith('/telemetry/otel-tracer.js'))).toEqual([])
  })

  it('while tracing on loads the SDK (the check above can fail)', async () => {
    const modules = await modulesLoaded('on', { tracing: { enabled: true, endpoint: collector.url } })
    expect(modules.some((url) => url.endsWith('/dist/src/telemetry/otel-tracer.js'))).toBe(true)
    expect(modules.some((url) => url.includes('/@opentelemetry/sdk-trace-base/'))).toBe(true)
    // Stopping serve exported the call's spans.
    expect(collector.spans.some((s) => s.attributes['gen_ai.request.model'] === 'gpt-4o-mini')).toBe(true)
  })
})
