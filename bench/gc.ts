// `npm run bench:gc`: what the garbage collector does per request, for the default configuration
// and its shadow and guardrail columns (`npm run bench`). Each (scenario, column) gets a fresh
// Sluice process recording its collections (gc-recorder.ts); after --warm requests it measures
// the next --requests (32 connections, closed loop) and prints bytes allocated, young and full
// collections, GC time and bytes promoted to the old generation, per request. Byte and collection
// counts move little from run to run on a shared host, where req/s does: this is the measure that
// found guardrails' streamed answers being promoted (docs/performance.md, "A closure in a constructor").
// Bounded: (warm + requests) × 2 scenarios × 3 columns requests.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import type { GcRecord } from './gc-recorder.js'
import { startServer, type Server } from './processes.js'
import { BENCH_CLIENT_KEY, guardrailOverrides, scenarios, shadowOverrides } from './scenarios.js'

const { values } = parseArgs({
  options: {
    warm: { type: 'string', default: '20000' },
    requests: { type: 'string', default: '40000' },
  },
})
const warm = Number(values.warm)
const requests = Number(values.requests)

async function load(port: number, body: string, amount: number): Promise<number> {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/openai/v1/chat/completions`,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_CLIENT_KEY}` },
    body,
    connections: 32,
    amount,
  })
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${result.non2xx} non-2xx answers, ${result.errors} errors`)
  return result.requests.total
}

/** Signals the server and waits for its record. */
async function record(server: Server, file: string): Promise<GcRecord> {
  rmSync(file, { force: true })
  server.child.kill('SIGUSR2')
  for (let waited = 0; waited < 10_000; waited += 50) {
    if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as GcRecord
    await sleep(50)
  }
  throw new Error('no GC record from the server')
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-gc-'))
  const emulator = await startServer('emulator')
  const shadowEmulator = await startServer('emulator')
  const upstream = `http://127.0.0.1:${emulator.port}`
  const columns: [string, Record<string, unknown>][] = [
    ['sluice', {}],
    ['sluice-guardrails', guardrailOverrides],
    ['sluice-shadow', shadowOverrides(`http://127.0.0.1:${shadowEmulator.port}`)],
  ]
  const lines = [
    `Per request, after ${warm} warm-up requests, over the next ${requests} (32 connections):`,
    '',
    '| scenario | column | KB allocated | young GCs / 1k | full GCs | GC µs | promoted bytes |',
    '|---|---|---:|---:|---:|---:|---:|',
  ]
  try {
    for (const scenario of scenarios) {
      for (const [name, overrides] of columns) {
        const file = join(dir, `${scenario.name}-${name}.json`)
        process.env.SLUICE_BENCH_GC = file
        const server = await startServer('sluice', upstream, 'sqlite', JSON.stringify(overrides))
        try {
          await load(server.port, scenario.body, warm)
          await record(server, file)
          const n = await load(server.port, scenario.body, requests)
          const gc = await record(server, file)
          lines.push(
            `| ${scenario.name} | ${name} | ${(gc.allocatedBytes / n / 1024).toFixed(2)} | ${((gc.youngCollections / n) * 1000).toFixed(2)} | ${gc.fullCollections} | ${(gc.costMicros / n).toFixed(2)} | ${(gc.promotedBytes / n).toFixed(0)} |`,
          )
        } finally {
          server.child.kill()
        }
      }
    }
  } finally {
    delete process.env.SLUICE_BENCH_GC
    emulator.child.kill()
    shadowEmulator.child.kill()
    rmSync(dir, { recursive: true, force: true })
  }
  process.stdout.write(`${lines.join('\n')}\n`)
}

await main()
