// The container image, proven without a Docker engine (none runs in CI): this test reads
// docker/Dockerfile and does what its stages do, in a temp directory standing for the image's
// filesystem. The deps stage's install steps run as written (plus --prefer-offline, so the npm
// cache suffices), the runtime stage's COPY and ENV lines lay out the image, and its ENTRYPOINT
// and CMD start Sluice on the image's own config (docker/sluice.yaml). Then: /healthz, /readyz,
// the HEALTHCHECK command, /metrics from another interface, the data plane, an admin change kept
// in the sqlite store on the volume across a restart. The compose file and the Kubernetes
// manifests around the image are checked in test/deploy/compose.test.ts and kubernetes.test.ts.
//
// The install compiles better-sqlite3 (about 90 s on one core), so its result is kept in
// node_modules/.cache/sluice-container-test under a key of the Dockerfile's deps stage, the
// package files and this Node's version; `npm ci` clears that, so CI always installs afresh.
// SLUICE_CONTAINER_FRESH=1 forces it here.
import { spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { networkInterfaces, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfigFile } from '../../src/config/load.js'

const REPO = fileURLToPath(new URL('../../', import.meta.url))
const read = (path: string): string => readFileSync(join(REPO, path), 'utf8')
const INSTALL_TIMEOUT_MS = 480_000

// --- docker/Dockerfile, as far as this image uses it ----------------------------------------

interface Instruction { readonly op: string; readonly args: string }
interface Stage { readonly name: string; readonly image: string; readonly instructions: Instruction[] }

function parseDockerfile(text: string): Stage[] {
  const args = new Map<string, string>()
  const stages: Stage[] = []
  const logical = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'))
  for (const line of logical) {
    const [op = '', ...rest] = line.split(/\s+/)
    const instruction = { op: op.toUpperCase(), args: rest.join(' ') }
    if (instruction.op === 'ARG' && stages.length === 0) {
      const [name = '', value = ''] = instruction.args.split('=')
      args.set(name, value)
    } else if (instruction.op === 'FROM') {
      const [image = '', , name = ''] = rest
      stages.push({ name, image: image.replace(/\$\{(\w+)\}/g, (_, n: string) => args.get(n) ?? ''), instructions: [] })
    } else stages.at(-1)?.instructions.push(instruction)
  }
  return stages
}

const DOCKERFILE = parseDockerfile(read('docker/Dockerfile'))
const stage = (name: string): Stage => {
  const found = DOCKERFILE.find((s) => s.name === name)
  if (found === undefined) throw new Error(`docker/Dockerfile has no stage "${name}"`)
  return found
}
const all = (s: Stage, op: string): string[] => s.instructions.filter((i) => i.op === op).map((i) => i.args)
const one = (s: Stage, op: string): string => {
  const found = all(s, op)
  if (found.length !== 1) throw new Error(`stage ${s.name}: expected one ${op}, found ${found.length}`)
  return found[0]!
}
const envPairs = (s: Stage): [string, string][] =>
  all(s, 'ENV').flatMap((args) => args.split(/\s+/).map((pair) => pair.split('=', 2) as [string, string]))
const jsonArgs = (args: string): string[] => JSON.parse(args.replace(/^CMD\s+/, '')) as string[]
/** The packages whose install scripts the deps stage runs (`npm rebuild a b`). */
const rebuilt = (s: Stage): string[] => all(s, 'RUN').flatMap((run) => [...run.matchAll(/npm rebuild ([^&]+)/g)].flatMap((m) => m[1]!.trim().split(/\s+/)))

// --- the image, laid out in a temp directory --------------------------------------------------

/** Where this Node keeps its headers: the image's /usr/local (its npm_config_nodedir). */
const NODE_PREFIX = dirname(dirname(process.execPath))
/** A child's environment: only what is given, like a container's, with this Node first on PATH. */
const childEnv = (env: Record<string, string>): Record<string, string> => ({ PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`, ...env })

/** What npm needs from this machine to reach its cache and registry; nothing else leaks in. */
const npmEnv = (): Record<string, string> =>
  Object.fromEntries(
    Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && /^(HOME|https?_proxy|no_proxy|npm_config_(cache|registry|userconfig))$/i.test(e[0])),
  )

function run(command: string, cwd: string, env: Record<string, string>): void {
  const result = spawnSync('sh', ['-c', command], { cwd, env: childEnv({ ...npmEnv(), ...env }), encoding: 'utf8', timeout: INSTALL_TIMEOUT_MS })
  if (result.status === 0) return
  const output = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-40).join('\n')
  throw new Error(`the Dockerfile's deps stage fails here: \`${command}\` exited ${result.status ?? result.signal ?? result.error?.message}\n${output}`)
}

/** The deps stage: system packages present, its COPYs, its RUN steps with its ENV. Returns its root. */
function installDeps(): { root: string; cached: boolean } {
  const deps = stage('deps')
  const key = createHash('sha256')
    .update(JSON.stringify(deps.instructions))
    .update(read('package.json'))
    .update(read('package-lock.json'))
    .update(`${process.version} ${process.platform} ${process.arch}`)
    .digest('hex')
    .slice(0, 16)
  const cache = join(REPO, 'node_modules/.cache/sluice-container-test')
  const root = join(cache, key)
  if (process.env.SLUICE_CONTAINER_FRESH === '1') rmSync(root, { recursive: true, force: true })
  if (existsSync(join(root, 'app/node_modules'))) return { root, cached: true }
  removeStale(cache, key)
  const building = `${root}.${process.pid}`
  rmSync(building, { recursive: true, force: true })
  const workdir = join(building, one(deps, 'WORKDIR'))
  mkdirSync(workdir, { recursive: true })
  for (const copy of all(deps, 'COPY')) {
    const parts = copy.split(/\s+/)
    for (const source of parts.slice(0, -1)) cpSync(join(REPO, source), join(workdir, source))
  }
  const env = Object.fromEntries(envPairs(deps).map(([k, v]) => [k, v === '/usr/local' ? NODE_PREFIX : v]))
  if (env.npm_config_nodedir !== undefined && !existsSync(join(NODE_PREFIX, 'include/node/node_version.h'))) {
    throw new Error(`${process.execPath} has no headers under ${NODE_PREFIX}/include/node, which the deps stage's npm_config_nodedir needs`)
  }
  for (const step of all(deps, 'RUN')) {
    const packages = /apt-get install ([^&]+)/.exec(step)?.[1]?.trim().split(/\s+/).filter((p) => !p.startsWith('-'))
    if (packages !== undefined) {
      const missing = packages.filter((p) => spawnSync('sh', ['-c', `command -v ${p}`]).status !== 0)
      if (missing.length > 0) throw new Error(`the deps stage installs ${missing.join(', ')}; this machine lacks them`)
      continue
    }
    run(step.replace(/npm ci /g, 'npm ci --prefer-offline '), workdir, env)
  }
  // Another run in this checkout may have finished the same install meanwhile; keep one.
  if (existsSync(root)) rmSync(building, { recursive: true, force: true })
  else renameSync(building, root)
  return { root, cached: false }
}

/** Drops other keys' installs and half-done ones whose process is gone; another run's install in progress stays. */
function removeStale(cache: string, key: string): void {
  const alive = (pid: number): boolean => {
    try {
      process.kill(pid, 0)
      return true
    } catch {
      return false
    }
  }
  for (const name of existsSync(cache) ? readdirSync(cache) : []) {
    const [entry, pid] = name.split('.')
    if (pid === undefined ? entry !== key : !alive(Number(pid))) rmSync(join(cache, name), { recursive: true, force: true })
  }
}

/** The runtime stage's COPYs into `image` (absolute paths under it; the build stage's /app is the built repo). */
function layOut(image: string, depsRoot: string): void {
  const runtime = stage('runtime')
  const workdir = one(runtime, 'WORKDIR')
  for (const copy of all(runtime, 'COPY')) {
    const parts = copy.split(/\s+/)
    const from = parts.find((p) => p.startsWith('--from='))?.slice('--from='.length)
    const [dest = '', ...sources] = parts.filter((p) => !p.startsWith('--')).reverse()
    for (const source of sources.reverse()) {
      const origin = from === 'deps' ? join(depsRoot, source) : from === 'build' ? join(REPO, source.replace(/^\/app\//, '')) : join(REPO, source)
      const target = join(image, dest.startsWith('/') ? dest : join(workdir, dest))
      const into = dest.endsWith('/') ? join(target, source.split('/').at(-1)!) : target
      mkdirSync(dirname(into), { recursive: true })
      cpSync(origin, into, { recursive: true, verbatimSymlinks: true })
    }
  }
  for (const volume of all(runtime, 'VOLUME')) mkdirSync(join(image, volume), { recursive: true })
}

// --- running it ---------------------------------------------------------------------------------

const SECRETS = {
  SLUICE_ADMIN_TOKEN: 'container-admin-token-0123456789',
  SLUICE_CLIENT_ACCESS_KEY_ID: 'AKIDCONTAINERAPP',
  SLUICE_CLIENT_SECRET_ACCESS_KEY: 'container-secret',
  SLUICE_CLIENT_API_KEY: 'container-client-key',
  GEMINI_API_KEY: 'gemini-key',
  LLAMA_API_KEY: 'llama-key',
  OPENAI_API_KEY: 'openai-key',
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

let image: string
let cached: boolean
let env: Record<string, string>
let dataUrl: string
let adminUrl: string
const mapPath = (path: string): string => (path.startsWith('/') ? join(image, path) : path)
const command = (list: string[]): string[] => list.map((arg, i) => (i === 0 && arg === 'node' ? process.execPath : mapPath(arg)))

beforeAll(async () => {
  if (!existsSync(join(REPO, 'dist/src/cli/main.js'))) throw new Error('dist/ is missing: the image copies the build stage\'s dist/, so run `npm run build` first')
  const deps = installDeps()
  cached = deps.cached
  image = mkdtempSync(join(tmpdir(), 'sluice-image-'))
  layOut(image, deps.root)
  const runtime = stage('runtime')
  const [dataPort, adminPort] = [await freePort(), await freePort()]
  env = {
    ...Object.fromEntries(envPairs(runtime).map(([k, v]) => [k, mapPath(v)])),
    ...SECRETS,
    SLUICE_STATE_DIR: join(image, 'data'),
    SLUICE_PORT: String(dataPort),
    SLUICE_ADMIN_PORT: String(adminPort),
  }
  dataUrl = `http://127.0.0.1:${dataPort}`
  adminUrl = `http://127.0.0.1:${adminPort}`
}, INSTALL_TIMEOUT_MS)

// The image's tree holds a production node_modules: removing it can take longer than the default
// hook timeout on a loaded machine.
afterAll(async () => {
  if (image !== undefined && image.startsWith(tmpdir())) await rm(image, { recursive: true, force: true })
}, INSTALL_TIMEOUT_MS)

/** ENTRYPOINT + CMD in the image's WORKDIR; resolves once Sluice logs that it listens. */
async function startImage(): Promise<{ stop(): Promise<number | null> }> {
  const runtime = stage('runtime')
  const [bin = '', ...args] = command([...jsonArgs(one(runtime, 'ENTRYPOINT')), ...jsonArgs(one(runtime, 'CMD'))])
  const child = spawn(bin, args, { cwd: join(image, one(runtime, 'WORKDIR')), env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => line.includes('"sluice listening"') && resolve())
    void exited.then((code) => reject(new Error(`the image's command exited ${code}: ${stderr}`)))
  })
  return {
    stop: () => {
      child.kill('SIGTERM')
      return exited
    },
  }
}

const healthcheck = (): number | null => {
  const cmd = command(jsonArgs(one(stage('runtime'), 'HEALTHCHECK').replace(/^(--\S+\s+)+/, '')))
  return spawnSync(cmd[0]!, cmd.slice(1), { cwd: image, env: childEnv(env), encoding: 'utf8', timeout: 10_000 }).status
}

const chat = (): Promise<Response> =>
  fetch(`${dataUrl}/openai/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${SECRETS.SLUICE_CLIENT_API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
  })

const errorCode = async (response: Response): Promise<unknown> => ((await response.json()) as { error?: { code?: unknown } }).error?.code

describe('the container image, outside Docker', () => {
  it('starts on its own config, answers health, metrics and the data plane, and keeps state on its volume', async () => {
    console.info(`container test: deps stage ${cached ? 'reused from node_modules/.cache (SLUICE_CONTAINER_FRESH=1 reinstalls)' : 'installed afresh'}`)
    const first = await startImage()
    expect(await (await fetch(`${adminUrl}/healthz`)).json()).toEqual({ status: 'ok' })
    expect(await (await fetch(`${adminUrl}/readyz`)).json()).toEqual({ status: 'ready' })
    expect(healthcheck()).toBe(0)

    // Prometheus in another container dials a non-loopback address.
    const external = Object.values(networkInterfaces()).flat().find((a) => a?.family === 'IPv4' && !a.internal)?.address
    if (external === undefined) console.warn('container test: no non-loopback IPv4 interface; /metrics checked on loopback only')
    const metrics = await fetch(`${adminUrl.replace('127.0.0.1', external ?? '127.0.0.1')}/metrics`)
    expect(metrics.status).toBe(200)
    expect(await metrics.text()).toContain('# TYPE')

    // Egress ships dark: the data plane answers in OpenAI's dialect with our code.
    const dark = await chat()
    expect(dark.status).toBe(503)
    expect(dark.headers.get('x-sluice-request-id')).toBeTruthy()
    expect(await errorCode(dark)).toBe('SLUICE_ERR_EGRESS_DISABLED')

    const kill = await fetch(`${adminUrl}/v1/kill-switches/provider/openai`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${SECRETS.SLUICE_ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'container test' }),
    })
    expect(kill.status).toBe(200)
    expect(await errorCode(await chat())).toBe('SLUICE_ERR_KILL_PROVIDER')
    expect(await first.stop()).toBe(0)
    expect(healthcheck()).toBe(1)
    expect(existsSync(join(env.SLUICE_STATE_DIR!, 'sluice.db'))).toBe(true)

    const second = await startImage()
    expect(await errorCode(await chat())).toBe('SLUICE_ERR_KILL_PROVIDER')
    expect(await second.stop()).toBe(0)
  })
})

// --- what the files say, checked against each other ---------------------------------------------

describe('docker/', () => {
  const loaded = loadConfigFile(join(REPO, 'docker/sluice.yaml'), { environ: SECRETS })
  if (!loaded.ok) throw new Error(`docker/sluice.yaml does not load: ${JSON.stringify(loaded.problems)}`)
  const config = loaded.config
  const runtime = stage('runtime')

  it('Dockerfile: Node 24 in every stage, non-root, the config it names is in the image, only allowScripts packages run scripts', () => {
    for (const s of DOCKERFILE) expect(s.image).toMatch(/^node:24-/)
    expect(one(runtime, 'USER')).toMatch(/^[1-9]\d*(:\d+)?$/)
    const sluiceConfig = envPairs(runtime).find(([k]) => k === 'SLUICE_CONFIG')?.[1]
    expect(all(runtime, 'COPY')).toContain(`docker/sluice.yaml ${sluiceConfig}`)
    expect(all(runtime, 'VOLUME')).toEqual([config.state.path])
    expect(one(runtime, 'EXPOSE').split(/\s+/).map(Number)).toEqual([config.server.port, config.admin.port])
    const allowed = Object.entries(JSON.parse(read('package.json')).allowScripts as Record<string, boolean>).filter(([, v]) => v).map(([k]) => k)
    expect(rebuilt(stage('deps')).sort()).toEqual(allowed.sort())
    expect(all(stage('deps'), 'RUN').join(' ')).toMatch(/npm ci --omit=dev --ignore-scripts/)
  })

  it('the image config binds the admin plane for other containers and keeps state on the volume', () => {
    expect(config.admin.host).toBe('0.0.0.0')
    expect(config.server.host).toBe('0.0.0.0')
    expect(config.state).toMatchObject({ store: 'sqlite', path: '/data' })
    const fleet = loadConfigFile(join(REPO, 'docker/sluice.yaml'), { environ: SECRETS, env: 'fleet' })
    expect(fleet.ok && fleet.config.state.store).toBe('redis')
  })
})
