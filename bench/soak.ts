// `npm run soak`: a bounded memory soak of Sluice in its default configuration,
// against the OpenAI emulator, each in its own child process. After a short warm-up at the soak's
// load (JIT, lazily built state), three phases:
//   1. idle connections: --idle-connections keep-alive connections, each after one JSON request;
//   2. in-flight streams: --streams SSE streams held open by the emulator (one event a second);
//   3. soak: an evenly paced open loop at --rate req/s for --minutes, half JSON, half SSE; the
//      child's RSS (/proc) and V8 heap used (/metrics) every --sample-seconds after a 30 s warm-up.
//      It passes when every sample's RSS stays within ±10 % of the first; the exit code says which.
// Phases 1 and 2 report the difference in settled memory (full GC forced, median of several
// readings) divided by the count. They come before the soak so its leftovers do not move what they
// measure: Sluice closes an idle upstream socket about a minute after its last use, and ten minutes
// of load leave one for each request in flight at its worst moment. Every phase is bounded in time
// and count.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import { Client, request, WebSocket } from 'undici'
import { openLoop, type OpenLoopResult } from './open-loop.js'
import { startServer, type Server } from './processes.js'
import { BENCH_CLIENT_KEY, scenarios } from './scenarios.js'

/** Load before the first phase, so its first requests do not charge JIT and lazily built state to idle connections. */
const PRE_WARM_SECONDS = 10
/** The soak's RSS samples start after this, its first being the reference for the drift. */
const WARM_UP_SECONDS = 30

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    rate: { type: 'string', default: '500' },
    'sample-seconds': { type: 'string', default: '10' },
    'idle-connections': { type: 'string', default: '1000' },
    streams: { type: 'string', default: '200' },
  },
})
const settings = {
  minutes: Number(values.minutes),
  rate: Number(values.rate),
  sampleSeconds: Number(values['sample-seconds']),
  idleConnections: Number(values['idle-connections']),
  streams: Number(values.streams),
}
if (!Object.values(settings).every((n) => n > 0) || settings.minutes * 60 <= WARM_UP_SECONDS) {
  throw new Error(`every option must be a positive number, and --minutes must leave a soak after the ${WARM_UP_SECONDS} s warm-up`)
}

const DRIFT_LIMIT_PERCENT = 10
/** Settled readings: the median of this many, a second apart, each after a forced full GC. */
const READINGS = 5
/** Lets closing sockets and starting streams finish first; with the readings, well inside server.idleTimeoutMs (65 s). */
const SETTLE_MS = 2_000
/** Connections warmed at once, so the upstream pool does not grow for requests that are over. */
const WARM_BATCH = 16
/** The emulator's pace for held streams: ~36 events a second apart, longer than their measurement. */
const SLOW_STREAM = { chunkDelayMs: 1_000, chunks: 32, outputTokens: 32 }
const PATH = '/openai/v1/chat/completions'
const HEADERS = { 'content-type': 'application/json', authorization: `Bearer ${BENCH_CLIENT_KEY}` }
const [JSON_BODY, SSE_BODY] = scenarios.map((s) => s.body) as [string, string]

interface Memory {
  readonly rssBytes: number
  readonly heapUsedBytes: number
}

interface Sample extends Memory {
  readonly atSeconds: number
}

/** What N connections or streams cost: the settled memory before and while they are open. */
interface PerUnit {
  readonly count: number
  readonly before: Memory
  readonly during: Memory
  readonly heapKiBEach: number
  readonly rssKiBEach: number
}

/** A series of byte counts against its first. */
interface Drift {
  readonly first: number
  readonly min: number
  readonly max: number
  readonly last: number
  readonly lastPercent: number
  readonly maxPercent: number
  readonly minPercent: number
}

const servers: Server[] = []
const stopServers = (): void => {
  for (const s of servers) s.child.kill('SIGKILL')
}
process.once('SIGINT', () => {
  stopServers()
  process.exit(130)
})

async function main(): Promise<boolean> {
  try {
    const emulator = await startServer('emulator')
    servers.push(emulator)
    const upstream = `http://127.0.0.1:${emulator.port}`
    const { sluice, inspectPort } = await startInspectableSluice(upstream)
    servers.push(sluice)
    const read = (): Promise<Memory> => memory(sluice.child.pid!, Number(sluice.info.admin))
    const collectGarbage = await garbageCollector(inspectPort)
    const measure = (): Promise<Memory> => settled(read, collectGarbage)
    const origin = `http://127.0.0.1:${sluice.port}`
    await load(origin, PRE_WARM_SECONDS)
    const idle = await idleConnections(origin, measure)
    const streams = await inFlightStreams(origin, upstream, measure)
    const soaked = await soak(origin, read)
    const rss = driftOf(soaked.samples.map((s) => s.rssBytes))
    const pass = rss.maxPercent <= DRIFT_LIMIT_PERCENT && rss.minPercent >= -DRIFT_LIMIT_PERCENT
    report({ settings, ...soaked, pass, rss, heap: driftOf(soaked.samples.map((s) => s.heapUsedBytes)), idle, streams })
    return pass
  } finally {
    stopServers()
  }
}

/**
 * Sluice as `bench/servers.js sluice` starts it, with the inspector listening on a free port: the
 * soak's only way to force a full GC in it. NODE_OPTIONS is set just while its child is spawned.
 */
async function startInspectableSluice(upstream: string): Promise<{ sluice: Server; inspectPort: number }> {
  const inspectPort = await freePort()
  const own = process.env.NODE_OPTIONS
  process.env.NODE_OPTIONS = `${own ?? ''} --inspect=127.0.0.1:${inspectPort}`
  const started = startServer('sluice', upstream, 'sqlite') // spawns before it returns
  if (own === undefined) delete process.env.NODE_OPTIONS
  else process.env.NODE_OPTIONS = own
  return { sluice: await started, inspectPort }
}

function freePort(): Promise<number> {
  const server = createServer()
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    }),
  )
}

/** A DevTools-protocol session on Sluice's inspector that forces a full GC (HeapProfiler.collectGarbage). */
async function garbageCollector(inspectPort: number): Promise<() => Promise<void>> {
  const res = await request(`http://127.0.0.1:${inspectPort}/json/list`)
  const [target] = (await res.body.json()) as { webSocketDebuggerUrl: string }[]
  const socket = new WebSocket(target!.webSocketDebuggerUrl)
  await new Promise((resolve, reject) => {
    socket.addEventListener('open', resolve, { once: true })
    socket.addEventListener('error', reject, { once: true })
  })
  const waiting = new Map<number, () => void>()
  socket.addEventListener('message', (event) => {
    const { id } = JSON.parse(String(event.data)) as { id?: number }
    waiting.get(id!)?.()
    waiting.delete(id!)
  })
  let nextId = 0
  return () =>
    new Promise((resolve) => {
      waiting.set(++nextId, resolve)
      socket.send(JSON.stringify({ id: nextId, method: 'HeapProfiler.collectGarbage' }))
    })
}

/** The soak's load: an evenly paced open loop at --rate, half JSON, half SSE, on keep-alive connections. */
function load(origin: string, seconds: number): Promise<[OpenLoopResult, OpenLoopResult]> {
  return Promise.all([JSON_BODY, SSE_BODY].map((body) => openLoop(`${origin}${PATH}`, HEADERS, body, settings.rate / 2, seconds))) as Promise<[OpenLoopResult, OpenLoopResult]>
}

async function soak(origin: string, read: () => Promise<Memory>): Promise<{ json: OpenLoopResult; sse: OpenLoopResult; samples: Sample[] }> {
  const seconds = settings.minutes * 60
  const start = performance.now()
  const loaded = load(origin, seconds)
  const samples: Sample[] = []
  // Samples only while the load runs: the last one must not catch the process winding down.
  for (let at = WARM_UP_SECONDS; at < seconds; at += settings.sampleSeconds) {
    await sleep(start + at * 1000 - performance.now())
    samples.push({ atSeconds: at, ...(await read()) })
    process.stderr.write(`soak ${at}/${seconds} s: RSS ${mib(samples.at(-1)!.rssBytes)} MiB, heap ${mib(samples.at(-1)!.heapUsedBytes)} MiB\n`)
  }
  const [json, sse] = await loaded
  return { json, sse, samples }
}

function driftOf(values: readonly number[]): Drift {
  const first = values[0]!
  const percent = (value: number): number => ((value - first) / first) * 100
  const [min, max, last] = [Math.min(...values), Math.max(...values), values.at(-1)!]
  return { first, min, max, last, lastPercent: percent(last), maxPercent: percent(max), minPercent: percent(min) }
}

/** Keep-alive connections that each made one JSON request and now sit idle. */
async function idleConnections(origin: string, measure: () => Promise<Memory>): Promise<PerUnit> {
  const before = await measure()
  const clients = await warmClients(origin, settings.idleConnections)
  try {
    const during = await measure()
    checkOpen(clients)
    return perUnit(clients.length, before, during)
  } finally {
    await Promise.all(clients.map((c) => c.destroy()))
  }
}

/**
 * SSE streams in flight at once. Each runs on a connection that already made one request, and the
 * baseline is taken with those connections idle, so the figure is the stream's own cost (its
 * upstream socket included), not its connection's.
 */
async function inFlightStreams(origin: string, emulator: string, measure: () => Promise<Memory>): Promise<PerUnit> {
  const clients = await warmClients(origin, settings.streams)
  try {
    const before = await measure()
    // One-shot behaviours, consumed by the next requests the emulator answers: these streams.
    await post(`${emulator}/__emulator/script`, JSON.stringify(clients.map(() => SLOW_STREAM)))
    let closed = 0
    await Promise.all(
      clients.map(async (client) => {
        const res = await client.request({ method: 'POST', path: PATH, headers: HEADERS, body: SSE_BODY })
        if (res.statusCode !== 200) throw new Error(`stream answered ${res.statusCode}`)
        res.body.on('error', () => {}) // destroyed below, mid-stream
        res.body.once('close', () => closed++)
        await new Promise((resolve) => res.body.once('data', resolve))
      }),
    )
    const during = await measure()
    checkOpen(clients)
    if (closed > 0) throw new Error(`${closed} of ${clients.length} streams ended before they were measured`)
    return perUnit(clients.length, before, during)
  } finally {
    await Promise.all(clients.map((c) => c.destroy()))
  }
}

/** `count` connections (one undici Client each), each after one JSON request answered 200. */
async function warmClients(origin: string, count: number): Promise<Client[]> {
  // Kept open past undici's 4 s default, for as long as Sluice keeps an idle connection.
  const clients = Array.from({ length: count }, () => new Client(origin, { keepAliveTimeout: 60_000, keepAliveMaxTimeout: 60_000 }))
  for (let i = 0; i < count; i += WARM_BATCH) {
    await Promise.all(
      clients.slice(i, i + WARM_BATCH).map(async (client) => {
        const res = await client.request({ method: 'POST', path: PATH, headers: HEADERS, body: JSON_BODY })
        await res.body.dump()
        if (res.statusCode !== 200) throw new Error(`warm-up request answered ${res.statusCode}`)
      }),
    )
  }
  return clients
}

/** A figure divided by a count holds only if that many were open all along. */
function checkOpen(clients: readonly Client[]): void {
  const closed = clients.filter((c) => !c.stats.connected).length
  if (closed > 0) throw new Error(`${closed} of ${clients.length} connections closed before they were measured`)
}

function perUnit(count: number, before: Memory, during: Memory): PerUnit {
  return {
    count,
    before,
    during,
    heapKiBEach: (during.heapUsedBytes - before.heapUsedBytes) / 1024 / count,
    rssKiBEach: (during.rssBytes - before.rssBytes) / 1024 / count,
  }
}

/** Memory without the garbage: the median of several readings, each right after a full GC. */
async function settled(read: () => Promise<Memory>, collectGarbage: () => Promise<void>): Promise<Memory> {
  await sleep(SETTLE_MS)
  const readings: Memory[] = []
  for (let i = 0; i < READINGS; i++) {
    if (i > 0) await sleep(1_000)
    await collectGarbage()
    readings.push(await read())
  }
  return { rssBytes: median(readings.map((r) => r.rssBytes)), heapUsedBytes: median(readings.map((r) => r.heapUsedBytes)) }
}

async function memory(pid: number, adminPort: number): Promise<Memory> {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const rssKiB = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1])
  const res = await request(`http://127.0.0.1:${adminPort}/metrics`)
  const heap = /^nodejs_heap_size_used_bytes (\d+)$/m.exec(await res.body.text())?.[1]
  if (Number.isNaN(rssKiB) || heap === undefined) throw new Error('no VmRSS in /proc or no heap size in /metrics')
  return { rssBytes: rssKiB * 1024, heapUsedBytes: Number(heap) }
}

async function post(url: string, body: string): Promise<void> {
  const res = await request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
  await res.body.dump()
  if (res.statusCode !== 200) throw new Error(`POST ${url} answered ${res.statusCode}`)
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

const mib = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1)
const signed = (n: number, digits = 1): string => `${n >= 0 ? '+' : ''}${n.toFixed(digits)}`

interface Result {
  readonly settings: typeof settings
  readonly json: OpenLoopResult
  readonly sse: OpenLoopResult
  readonly samples: readonly Sample[]
  readonly pass: boolean
  readonly rss: Drift
  readonly heap: Drift
  readonly idle: PerUnit
  readonly streams: PerUnit
}

/** Prints the summary and writes it and the data to bench/results/soak-latest.{md,json}. */
function report(result: Result): void {
  const { json, sse, idle, streams } = result
  const driftRow = (name: string, d: Drift): string =>
    `| ${name} | ${mib(d.first)} | ${mib(d.min)} | ${mib(d.max)} | ${mib(d.last)} | ${signed(d.lastPercent)} % | ${signed(d.maxPercent)} % | ${signed(d.minPercent)} % |`
  const unitRow = (name: string, u: PerUnit): string =>
    `| ${name} | ${u.count} | ${mib(u.before.heapUsedBytes)} → ${mib(u.during.heapUsedBytes)} | ${mib(u.before.rssBytes)} → ${mib(u.during.rssBytes)} | ${signed(u.heapKiBEach)} | ${signed(u.rssKiBEach)} |`
  const lines = [
    `Sluice memory soak — ${new Date().toISOString()} — node ${process.version}; default configuration (sqlite store); ${settings.rate} req/s (half JSON, half SSE) for ${settings.minutes} min, sampled every ${settings.sampleSeconds} s after a ${WARM_UP_SECONDS} s warm-up`,
    '',
    `**RSS drift: ${result.pass ? 'PASS' : 'FAIL'}** (all ${result.samples.length} samples within ±${DRIFT_LIMIT_PERCENT} % of the first)`,
    '',
    '| over the soak | first MiB | min MiB | max MiB | last MiB | last vs first | max vs first | min vs first |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    driftRow('RSS', result.rss),
    driftRow('heap used (no forced GC)', result.heap),
    '',
    '| load | sent | errors / non-200 | p50 ms | p99 ms |',
    '|---|---:|---:|---:|---:|',
    ...(
      [
        ['json', json],
        ['sse', sse],
      ] as const
    ).map(([name, r]) => `| ${name} | ${r.sent} | ${r.errors} | ${r.p50Ms.toFixed(3)} | ${r.p99Ms.toFixed(3)} |`),
    '',
    '| held open | count | heap used MiB (before → during) | RSS MiB (before → during) | heap KiB each | RSS KiB each |',
    '|---|---:|---:|---:|---:|---:|',
    unitRow('idle keep-alive connection (after one JSON request)', idle),
    unitRow('in-flight SSE stream (on a warm connection)', streams),
    '',
    `Taken before the soak, after ${PRE_WARM_SECONDS} s of its load. Before/during are medians of ${READINGS} readings a second apart, each right after a full GC forced through the inspector; heap used is V8's figure from /metrics, RSS is VmRSS. The soak's samples force no GC. An idle connection is measured well inside server.idleTimeoutMs (65 s); a stream's figure leaves out its connection (measured idle before it starts) and includes Sluice's upstream socket for it.`,
  ]
  const text = lines.join('\n')
  process.stdout.write(`${text}\n`)
  const dir = new URL('../../bench/results/', import.meta.url)
  mkdirSync(dir, { recursive: true })
  writeFileSync(new URL('soak-latest.json', dir), JSON.stringify({ at: new Date().toISOString(), ...result }, null, 2))
  writeFileSync(new URL('soak-latest.md', dir), `${text}\n`)
}

main().then(
  (pass) => {
    process.exitCode = pass ? 0 : 1
  },
  (err: unknown) => {
    process.stderr.write(`soak failed: ${String(err)}\n`)
    process.exitCode = 1
  },
)
