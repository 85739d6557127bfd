// The processes the compose file and the Kubernetes Deployment start, run here as they are written
// there (no Docker): the emulators service's command and healthcheck, and the example
// application's image and its stop on SIGTERM.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLIENT, startStack, type Stack } from '../support/stack.js'
import { read, readYaml, REPO } from './support.js'

const compose = readYaml<{ services: Record<string, { command?: string[]; healthcheck?: { test: string[] } }> }>('docker/compose.yaml')
const CLI = join(REPO, 'dist/src/cli/main.js')

/** A port P with P … P+3 free on 127.0.0.1 (emulate takes four consecutive ports). */
async function fourFreePorts(): Promise<number> {
  const free = (port: number): Promise<boolean> =>
    new Promise((resolve) => {
      const server = createServer()
      server.once('error', () => resolve(false))
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
    })
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 40000)
    const all = await Promise.all([0, 1, 2, 3].map((i) => free(base + i)))
    if (all.every(Boolean)) return base
  }
  throw new Error('no four consecutive free ports')
}

const exited = (child: ChildProcess): Promise<number | null> => new Promise((resolve) => child.once('exit', (code) => resolve(code)))

describe('the emulators service', () => {
  const service = compose.services.emulators!
  let child: ChildProcess
  let port: number
  let composePort: number

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error('dist/ is missing: run `npm run build` first')
    port = await fourFreePorts()
    const args = [...service.command!]
    composePort = Number(args[args.indexOf('--port') + 1])
    // The compose command, on loopback and free ports instead of 0.0.0.0:4001.
    args[args.indexOf('--port') + 1] = String(port)
    args[args.indexOf('--host') + 1] = '127.0.0.1'
    child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stdout! }).on('line', (line) => line.startsWith('openai') && resolve())
      void exited(child).then((code) => reject(new Error(`sluice emulate exited ${code}`)))
    })
  })
  afterAll(() => {
    child?.kill('SIGTERM')
  })

  /** The compose healthcheck's command, pointed at this run's port. */
  const healthcheck = (): number | null => {
    const [kind, bin, ...args] = service.healthcheck!.test
    expect([kind, bin]).toEqual(['CMD', 'node'])
    const script = args.map((a) => a.replaceAll(`:${composePort + 3}/`, `:${port + 3}/`))
    return spawnSync(process.execPath, script, { encoding: 'utf8', timeout: 10_000 }).status
  }

  it('`sluice emulate` as compose runs it serves the OpenAI emulator where the healthcheck asks; the check fails once it stops', async () => {
    expect(healthcheck()).toBe(0)
    child.kill('SIGTERM')
    expect(await exited(child)).toBe(0)
    expect(healthcheck()).toBe(1)
  })
})

describe('the example application', () => {
  let stack: Stack

  beforeAll(async () => {
    stack = await startStack({
      configure(config) {
        config.models = { chat: { targets: [{ provider: 'openai', model: 'gpt-4o-mini' }] } }
      },
    })
  })
  afterAll(async () => {
    await stack?.close()
  })

  it("its image installs from its own lock file and runs app.mjs, as a non-root user", () => {
    const dockerfile = read('docker/example-app/Dockerfile')
    for (const [, sources] of dockerfile.matchAll(/^COPY (.+) \S+$/gm)) {
      for (const source of sources!.split(/\s+/)) expect(existsSync(join(REPO, 'docker/example-app', source)), source).toBe(true)
    }
    expect(dockerfile).toMatch(/^RUN npm ci --omit=dev --ignore-scripts/m)
    expect(dockerfile).toMatch(/^CMD \["node", "app\.mjs"\]$/m)
    expect(dockerfile).toMatch(/^USER 1000:1000$/m)
  })

  it('SIGTERM during the pause between rounds ends it at once, exit 0, after a round of calls that all succeeded', async () => {
    const child = spawn(process.execPath, [join(REPO, 'docker/example-app/app.mjs')], {
      env: { PATH: process.env.PATH ?? '', SLUICE_URL: stack.sluice.dataUrl, SLUICE_API_KEY: CLIENT.credentials.apiKey, APP_INTERVAL_MS: '600000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const lines: Record<string, unknown>[] = []
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stdout! }).on('line', (line) => {
        lines.push(JSON.parse(line) as Record<string, unknown>)
        if (lines.length === 3) resolve()
      })
      void exited(child).then((code) => reject(new Error(`the app exited ${code} before its first round ended`)))
    })
    const started = Date.now()
    child.kill('SIGTERM')
    expect(await exited(child)).toBe(0)
    expect(Date.now() - started).toBeLessThan(10_000)
    expect(lines.map((l) => [l.call, l.status])).toEqual([
      ['chat', 200],
      ['native-stream', 200],
      ['stream', 200],
    ])
  })

  it('refuses to start without SLUICE_API_KEY, saying so', () => {
    const result = spawnSync(process.execPath, [join(REPO, 'docker/example-app/app.mjs')], { env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8', timeout: 10_000 })
    expect(result.status).toBe(2)
    expect(result.stderr).toMatch(/SLUICE_API_KEY/)
  })
})
