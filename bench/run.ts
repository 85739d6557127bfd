// `npm run bench`: the same requests against three targets side by side in one run — the emulator
// directly, a bare @fastify/http-proxy, and Sluice — closed loop (autocannon) and evenly paced
// open loop, for JSON and SSE. Prints added p50/p99 latency vs direct, req/s ratios and CPU per
// request, and writes bench/results/latest.json. Every phase is bounded in time.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import { openLoop, type OpenLoopResult } from './open-loop.js'
import { cpuMs } from './proc-cpu.js'
import { BENCH_CLIENT_KEY, BENCH_UPSTREAM_KEY, scenarios } from './scenarios.js'

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '32' },
    rate: { type: 'string', default: '500' },
    paced: { type: 'string', default: '5' },
  },
})
const durationSeconds = Number(values.duration)
const connections = Number(values.connections)
const rate = Number(values.rate)
const pacedSeconds = Number(values.paced)
const rounds = Number(values.rounds)

interface Server {
  readonly child: ChildProcess
  readonly port: number
}

function startServer(role: string, ...args: string[]): Promise<Server> {
  const child = spawn(process.execPath, [new URL('./servers.js', import.meta.url).pathname, role, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! })
    const timer = setTimeout(() => reject(new Error(`${role} did not start`)), 15_000)
    child.once('exit', (code) => reject(new Error(`${role} exited with ${code}`)))
    // Sluice logs to stdout too; the announcement is the line with a port and no log message.
    const onLine = (line: string): void => {
      const parsed = JSON.parse(line) as { port?: number; msg?: string }
      if (typeof parsed.port !== 'number' || parsed.msg !== undefined) return
      clearTimeout(timer)
      lines.off('line', onLine)
      lines.close()
      child.stdout!.resume() // keep draining (and dropping) the decision log
      resolve({ child, port: parsed.port })
    }
    lines.on('line', onLine)
  })
}

/** A throwaway redis-server for the Redis-backed Sluice; skipped (with a note) when none is installed. */
async function startRedisServer(): Promise<{ child: ChildProcess; url: string } | undefined> {
  const probe = spawnSync('redis-server', ['--version'])
  if (probe.error !== undefined) {
    process.stderr.write('redis-server not found: skipping the sluice-redis column\n')
    return undefined
  }
  const port = 20_000 + Math.floor(Math.random() * 20_000)
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] })
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('redis-server did not start')), 10_000)
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Ready to accept connections')) {
        clearTimeout(timer)
        resolve()
      }
    })
  })
  child.stdout!.resume()
  return { child, url: `redis://127.0.0.1:${port}` }
}

interface Target {
  readonly name: string
  readonly url: string
  readonly headers: Record<string, string>
  /** The process whose CPU is charged to this target (the emulator for `direct`). */
  readonly pid: number
}

interface Row {
  scenario: string
  target: string
  rps: number
  closedP50Ms: number
  closedP99Ms: number
  cpuMsPerRequest: number
  paced: OpenLoopResult
}

async function measure(target: Target, scenario: string, body: string): Promise<Row> {
  const cpuBefore = cpuMs(target.pid)
  const result = await closedLoop(target, body, durationSeconds)
  const cpuUsed = cpuMs(target.pid) - cpuBefore
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${target.name}/${scenario}: ${result.non2xx} non-2xx, ${result.errors} errors`)
  const paced = await openLoop(target.url, { 'content-type': 'application/json', ...target.headers }, body, rate, pacedSeconds)
  return {
    scenario,
    target: target.name,
    rps: result.requests.average,
    closedP50Ms: result.latency.p50,
    closedP99Ms: result.latency.p99,
    cpuMsPerRequest: cpuUsed / result.requests.total,
    paced,
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

function medianRow(rows: Row[]): Row {
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
    },
  }
}

async function closedLoop(target: Target, body: string, seconds: number): Promise<autocannon.Result> {
  return autocannon({
    url: target.url,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...target.headers },
    body,
    connections,
    duration: seconds,
  })
}

async function main(): Promise<void> {
  const emulator = await startServer('emulator')
  const upstream = `http://127.0.0.1:${emulator.port}`
  const bare = await startServer('bare', upstream)
  const sluice = await startServer('sluice', upstream)
  const redis = await startRedisServer()
  const sluiceRedis = redis === undefined ? undefined : await startServer('sluice', upstream, redis.url)
  const targets: Target[] = [
    { name: 'direct', url: `${upstream}/v1/chat/completions`, headers: { authorization: `Bearer ${BENCH_UPSTREAM_KEY}` }, pid: emulator.child.pid! },
    {
      name: 'bare-proxy',
      url: `http://127.0.0.1:${bare.port}/openai/v1/chat/completions`,
      headers: { authorization: `Bearer ${BENCH_UPSTREAM_KEY}` },
      pid: bare.child.pid!,
    },
    {
      name: 'sluice',
      url: `http://127.0.0.1:${sluice.port}/openai/v1/chat/completions`,
      headers: { authorization: `Bearer ${BENCH_CLIENT_KEY}` },
      pid: sluice.child.pid!,
    },
    ...(sluiceRedis === undefined
      ? []
      : [
          {
            name: 'sluice-redis',
            url: `http://127.0.0.1:${sluiceRedis.port}/openai/v1/chat/completions`,
            headers: { authorization: `Bearer ${BENCH_CLIENT_KEY}` },
            pid: sluiceRedis.child.pid!,
          },
        ]),
  ]
  // Targets take turns within each round, and each figure is the median over rounds, so a
  // noisy moment on this small machine does not land on one target only.
  const samples = new Map<string, Row[]>()
  try {
    for (const target of targets) for (const scenario of scenarios) await closedLoop(target, scenario.body, 2) // warm-up: JIT, pools
    for (let round = 0; round < rounds; round++) {
      for (const scenario of scenarios) {
        for (const target of targets) {
          const row = await measure(target, scenario.name, scenario.body)
          const key = `${scenario.name}/${target.name}`
          samples.set(key, [...(samples.get(key) ?? []), row])
          process.stderr.write(`round ${round + 1}/${rounds} ${key}: ${row.rps.toFixed(0)} req/s, paced p50 ${row.paced.p50Ms.toFixed(3)} ms\n`)
        }
      }
    }
  } finally {
    for (const s of [emulator, bare, sluice, sluiceRedis]) s?.child.kill('SIGKILL')
    redis?.child.kill('SIGKILL')
  }
  const rows = [...samples.values()].map(medianRow)
  report(rows)
}

function report(rows: Row[]): void {
  const lines = [
    `Sluice bench — ${new Date().toISOString()} — node ${process.version}; medians of ${rounds} rounds; closed loop ${connections} connections × ${durationSeconds}s; paced ${rate} req/s × ${pacedSeconds}s`,
    '',
    '| scenario | target | req/s (closed) | vs bare | CPU ms/req | paced p50 ms | paced p99 ms | added p50 ms | added p99 ms | paced errors |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ]
  for (const row of rows) {
    const direct = rows.find((r) => r.scenario === row.scenario && r.target === 'direct')!
    const bare = rows.find((r) => r.scenario === row.scenario && r.target === 'bare-proxy')!
    const added = (a: number, b: number): string => (row.target === 'direct' ? '—' : (a - b).toFixed(3))
    lines.push(
      `| ${row.scenario} | ${row.target} | ${row.rps.toFixed(0)} | ${row.target === 'direct' ? '—' : `${((row.rps / bare.rps) * 100).toFixed(1)} %`} | ${row.cpuMsPerRequest.toFixed(3)} | ${row.paced.p50Ms.toFixed(3)} | ${row.paced.p99Ms.toFixed(3)} | ${added(row.paced.p50Ms, direct.paced.p50Ms)} | ${added(row.paced.p99Ms, direct.paced.p99Ms)} | ${row.paced.errors} |`,
    )
  }
  lines.push(
    '',
    'CPU ms/req is the target process only (for `direct`, the emulator itself; for `sluice-redis`, not counting redis-server). Added latency is the paced p50/p99 minus direct\'s.',
    'Sluice runs client auth, kill switches, control flags, an enforced rate-limit rule and an enforced budget, decision log and metrics; `sluice-redis` shares state, limiter and spend through Redis.',
  )
  const text = lines.join('\n')
  process.stdout.write(`${text}\n`)
  const dir = new URL('../../bench/results/', import.meta.url)
  mkdirSync(dir, { recursive: true })
  writeFileSync(new URL('latest.json', dir), JSON.stringify({ at: new Date().toISOString(), rows }, null, 2))
  writeFileSync(new URL('latest.md', dir), `${text}\n`)
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${String(err)}\n`)
  process.exit(1)
})
