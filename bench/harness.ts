// What both benchmarks share (`npm run bench`, `npm run bench:unified`): benchmark servers in child
// processes, a throwaway redis-server, closed-loop (autocannon) and paced open-loop measurement of
// one target, and medians over rounds. Every phase is bounded in time.
import { mkdirSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import { openLoop, type OpenLoopResult } from './open-loop.js'
import { cpuMs } from './proc-cpu.js'

export { startRedisServer, startServer, startServerFrom, type Server } from './processes.js'

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '32' },
    rate: { type: 'string', default: '500' },
    paced: { type: 'string', default: '5' },
    pairs: { type: 'string', default: '10' },
    'pair-seconds': { type: 'string', default: '2' },
    'pair-instances': { type: 'string', default: '2' },
  },
})
export const settings = {
  durationSeconds: Number(values.duration),
  connections: Number(values.connections),
  rate: Number(values.rate),
  pacedSeconds: Number(values.paced),
  rounds: Number(values.rounds),
  /** Interleaved blocks of the paired comparisons (paired.ts), each side's closed and paced loop this long. */
  pairs: Number(values.pairs),
  pairSeconds: Number(values['pair-seconds']),
  /** Server processes per side of a paired comparison, taking turns two blocks each. */
  pairInstances: Number(values['pair-instances']),
}
const { durationSeconds, connections, rate, pacedSeconds } = settings

export interface Target {
  readonly name: string
  readonly url: string
  readonly headers: Record<string, string>
  /** The process whose CPU is charged to this target (the emulator for `direct`). */
  readonly pid: number
}

export interface Row {
  scenario: string
  target: string
  rps: number
  closedP50Ms: number
  closedP99Ms: number
  cpuMsPerRequest: number
  paced: OpenLoopResult
}

export async function measure(target: Target, scenario: string, body: string): Promise<Row> {
  const cpuBefore = cpuMs(target.pid)
  const result = await closedLoop(target, body, durationSeconds)
  const cpuUsed = cpuMs(target.pid) - cpuBefore
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${target.name}/${scenario}: ${result.non2xx} non-2xx, ${result.errors} errors`)
  const { latencies: _all, ...paced } = await openLoop(target.url, { 'content-type': 'application/json', ...target.headers }, body, rate, pacedSeconds)
  return {
    scenario,
    target: target.name,
    rps: result.requests.average,
    closedP50Ms: result.latency.p50,
    closedP99Ms: result.latency.p99,
    cpuMsPerRequest: cpuUsed / result.requests.total,
    paced: { ...paced, latencies: [] },
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

export function medianRow(rows: Row[]): Row {
  const pick = (f: (r: Row) => number): number => median(rows.map(f))
  return {
    scenario: rows[0]!.scenario,
    target: rows[0]!.target,
    rps: pick((r) => r.rps),
    closedP50Ms: pick((r) => r.closedP50Ms),
    closedP99Ms: pick((r) => r.closedP99Ms),
    cpuMsPerRequest: pick((r) => r.cpuMsPerRequest),
    paced: {
      sent: pick((r) => r.paced.sent),
      errors: rows.reduce((n, r) => n + r.paced.errors, 0),
      p50Ms: pick((r) => r.paced.p50Ms),
      p99Ms: pick((r) => r.paced.p99Ms),
      latencies: [],
    },
  }
}

export async function closedLoop(target: Target, body: string, seconds: number): Promise<autocannon.Result> {
  return autocannon({
    url: target.url,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...target.headers },
    body,
    connections,
    duration: seconds,
  })
}


/** Runs every (scenario, target) pair for `rounds` rounds, targets taking turns, after a warm-up. */
export async function sample(targets: readonly Target[], scenarioFor: (target: Target) => readonly { name: string; body: string }[]): Promise<Row[]> {
  const samples = new Map<string, Row[]>()
  for (const target of targets) for (const scenario of scenarioFor(target)) await closedLoop(target, scenario.body, 2) // warm-up: JIT, pools
  for (let round = 0; round < settings.rounds; round++) {
    for (const target of targets) {
      for (const scenario of scenarioFor(target)) {
        const row = await measure(target, scenario.name, scenario.body)
        const key = `${scenario.name}/${target.name}`
        samples.set(key, [...(samples.get(key) ?? []), row])
        process.stderr.write(`round ${round + 1}/${settings.rounds} ${key}: ${row.rps.toFixed(0)} req/s, paced p50 ${row.paced.p50Ms.toFixed(3)} ms\n`)
      }
    }
  }
  return [...samples.values()].map(medianRow)
}

/** Prints the report and writes it to bench/results/<name>.{md,json}. */
export function writeReport(name: string, lines: readonly string[], rows: readonly Row[]): void {
  const text = lines.join('\n')
  process.stdout.write(`${text}\n`)
  const dir = new URL('../../bench/results/', import.meta.url)
  mkdirSync(dir, { recursive: true })
  writeFileSync(new URL(`${name}.json`, dir), JSON.stringify({ at: new Date().toISOString(), rows }, null, 2))
  writeFileSync(new URL(`${name}.md`, dir), `${text}\n`)
}
