// Durability: a writer killed with SIGKILL mid-stream loses nothing it acknowledged. The writer is
// a child process on the compiled store in dist/ (npm test builds first; after editing src/state,
// run `npm run build` before `npx vitest run test/state`). A process kill is all a test can
// inflict; power loss is covered by synchronous=FULL, argued in docs/state.md.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { afterEach, expect, it } from 'vitest'
import { createStore } from '../../src/state/index.js'

const compiledStore = new URL('../../dist/src/state/index.js', import.meta.url)
const writer = fileURLToPath(new URL('./fixtures/crash-writer.mjs', import.meta.url))
const acknowledgements = 60

let dir: string
afterEach(() => rmSync(dir, { recursive: true, force: true }))

/** Runs the writer until it has acknowledged `count` writes, then SIGKILLs it. */
function writeThenKill(count: number): Promise<number[]> {
  const child = spawn(process.execPath, [writer, compiledStore.href, dir], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const acked: number[] = []
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const match = /^ready (\d+)$/.exec(line)
      if (match === null || acked.length >= count) return
      acked.push(Number(match[1]))
      if (acked.length === count) child.kill('SIGKILL')
    })
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL' && acked.length === count) resolve(acked)
      else reject(new Error(`writer ended before ${count} writes (code ${code}, signal ${signal}): ${stderr}`))
    })
  })
}

it('keeps every acknowledged kill switch, override and audit entry after kill -9', async () => {
  expect(existsSync(compiledStore), `${fileURLToPath(compiledStore)} is missing: run npm run build`).toBe(true)
  dir = mkdtempSync(join(tmpdir(), 'sluice-crash-'))
  const acked = await writeThenKill(acknowledgements)
  expect(acked).toEqual([...Array(acknowledgements).keys()])

  const store = await createStore({ store: 'sqlite', path: dir })
  try {
    expect(await store.health()).toEqual({ ok: true })
    const switches = new Set((await store.listKillSwitches()).map((k) => k.target))
    const overrides = new Map((await store.listOverrides()).map((o) => [o.key, o.definition]))
    const appended = new Set((await store.listAudit({ limit: 1000 })).filter((e) => e.action === 'test.write').map((e) => e.target))
    for (const i of acked) {
      if (i % 3 === 0) expect(switches.has(`m${i}`), `kill switch m${i}`).toBe(true)
      else if (i % 3 === 1) expect(overrides.get(`f${i}`), `override f${i}`).toEqual({ defaultVariant: `v${i}` })
      else expect(appended.has(`a${i}`), `audit a${i}`).toBe(true)
    }
    // The file is still a working store: the next writer carries on from where the killed one stopped.
    const revision = await store.revision()
    expect(revision).toBeGreaterThanOrEqual((acknowledgements / 3) * 2)
    await store.putKillSwitch({ scope: 'global', target: '*', actor: 'after-crash', reason: 'still writable' })
    expect(await store.revision()).toBe(revision + 1)
  } finally {
    await store.close()
  }
})
