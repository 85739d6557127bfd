// `sluice demo` as a newcomer runs it: each run starts on fresh state unless --keep-state, a port
// already in use stops what started and exits 1 at once, and the first SIGTERM shuts it down.
// TMPDIR points each child at a directory of this test, where the demo keeps its state.
import { readdirSync, mkdtempSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_ADMIN_TOKEN } from '../../src/cli/demo.js'
import { exited, runCtl, startCommand, type Running } from '../support/cli.js'

let occupied: Server
let busyPort: number

beforeAll(async () => {
  occupied = createServer()
  await new Promise<void>((resolve) => occupied.listen(0, '127.0.0.1', resolve))
  busyPort = (occupied.address() as { port: number }).port
})
afterAll(async () => {
  await new Promise((resolve) => occupied.close(resolve))
})

function collectStderr(run: Running): () => string {
  let stderr = ''
  run.child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
  return () => stderr
}

describe('sluice demo, failed start', () => {
  it.each([
    ['data plane', ['--port', 'BUSY', '--admin-port', '0']],
    ['admin', ['--port', '0', '--admin-port', 'BUSY']],
  ])('%s port in use: exits 1 promptly naming the port and --port, emulators stopped', async (_which, args) => {
    const tmp = mkdtempSync(join(tmpdir(), 'sluice-demo-test-'))
    const run = startCommand(['demo', ...args.map((a) => (a === 'BUSY' ? String(busyPort) : a))], { ...process.env, TMPDIR: tmp })
    const stderr = collectStderr(run)
    // The process exits by itself: nothing it started (emulators, servers, store) keeps it alive.
    expect(await exited(run.child)).toBe(1)
    expect(stderr()).toMatch(/^sluice demo: could not start: .*EADDRINUSE/)
    expect(stderr()).toContain(`${busyPort}`)
    expect(stderr()).toContain('--port N --admin-port N (0 = any free port)')
    expect(run.lines.some((l) => String(l.text ?? '').startsWith('Sluice demo is running'))).toBe(false)
    // The fresh state directory went with it.
    expect(readdirSync(tmp)).toEqual([])
  })
})

describe('sluice demo, state', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'sluice-demo-test-'))

  /** One demo run: sets a kill switch if asked, reports the switches it found at start, stops on SIGTERM. */
  async function demoRun(flags: string[], kill: boolean): Promise<string[]> {
    const run = startCommand(['demo', '--port', '0', '--admin-port', '0', ...flags], { ...process.env, TMPDIR: tmp })
    const stderr = collectStderr(run)
    await run.until((l) => String(l.text ?? '').startsWith('Ctrl-C'))
    const text = run.lines.map((l) => String(l.text ?? '')).join('\n')
    const admin = /admin (http:\/\/127\.0\.0\.1:\d+)/.exec(text)![1]!
    const env = { SLUICE_ADMIN_URL: admin, SLUICE_ADMIN_TOKEN: DEMO_ADMIN_TOKEN }
    const listed = JSON.parse((await runCtl(['kill-switches', '--json'], env)).stdout) as { killSwitches: { scope: string; target: string }[] }
    if (kill) expect((await runCtl(['kill', 'model', 'gpt-4o-mini', '--reason', 'demo'], env)).status).toBe(0)
    run.child.kill('SIGTERM')
    expect(await exited(run.child)).toBe(0)
    expect(stderr()).toBe('')
    return listed.killSwitches.map((s) => `${s.scope} ${s.target}`)
  }

  it('starts fresh by default: a kill switch of the last run is gone, and its state directory too', async () => {
    expect(await demoRun([], true)).toEqual([])
    expect(await demoRun([], false)).toEqual([])
    expect(readdirSync(tmp)).toEqual([])
  })

  it('--keep-state keeps kill switches across runs, in the temp directory', async () => {
    expect(await demoRun(['--keep-state'], true)).toEqual([])
    expect(await demoRun(['--keep-state'], false)).toEqual(['model gpt-4o-mini'])
    expect(readdirSync(tmp)).toEqual(['sluice-demo'])
    // And a run without it is not affected by what was kept.
    expect(await demoRun([], false)).toEqual([])
  })
})
