// `npm run bench`: the same requests against every target side by side in one run — the emulator
// directly, the Node floor, a bare @fastify/http-proxy, and Sluice (default configuration, memory, Redis) — closed loop (autocannon) and evenly paced
// open loop, for JSON and SSE. Prints added p50/p99 latency vs direct, req/s ratios and CPU per
// request, and writes bench/results/latest.json. Every phase is bounded in time.
import { pairedComparison, type PairedResult } from './paired.js'
import { closedLoop, sample, settings, startRedisServer, startServer, startServerFrom, writeReport, type Row, type Server, type Target } from './harness.js'
import { TRAFFIC_ON_FLAGS, FLAG_ON } from '../src/emulators/sluice-config.js'
import { BENCH_CLIENT_KEY, BENCH_UPSTREAM_KEY, forModel, guardrailOverrides, scenarios, shadowOverrides, STEERED_MODEL, steeredOverrides, unifiedOverrides } from './scenarios.js'

async function main(): Promise<void> {
  const emulator = await startServer('emulator')
  const upstream = `http://127.0.0.1:${emulator.port}`
  const servers: Server[] = [emulator]
  const targets: Target[] = [
    { name: 'direct', url: `${upstream}/v1/chat/completions`, headers: { authorization: `Bearer ${BENCH_UPSTREAM_KEY}` }, pid: emulator.child.pid! },
  ]
  // SLUICE_BENCH_ONLY=sluice-shadow,sluice-guardrails: those columns beside the references (direct,
  // node-floor, bare-proxy, sluice) only, for a quicker run with more rounds.
  const only = process.env.SLUICE_BENCH_ONLY?.split(',')
  const references = new Set(['node-floor', 'bare-proxy', 'sluice'])
  // How each column's server is started, for the paired comparisons' further processes of it.
  const starters = new Map<string, () => Promise<Target>>()
  const add = async (name: string, server: () => Promise<Server>, key: string, path = '/openai/v1/chat/completions'): Promise<void> => {
    if (only !== undefined && !references.has(name) && !only.includes(name)) return
    const start = async (): Promise<Target> => {
      const started = await server()
      servers.push(started)
      return { name, url: `http://127.0.0.1:${started.port}${path}`, headers: { authorization: `Bearer ${key}` }, pid: started.child.pid! }
    }
    starters.set(name, start)
    targets.push(await start())
  }
  /** A column's processes for a paired comparison: its own, and more of the same started now. */
  const instances = async (name: string): Promise<Target[]> => {
    const own = targets.find((t) => t.name === name)!
    const more: Target[] = []
    for (let i = 1; i < settings.pairInstances; i++) {
      const target = { ...(await starters.get(name)!()), name: `${name}#${i + 1}` }
      // Warmed as the column's own process was by the rounds before: its code optimised, its pools open.
      for (const scenario of scenarios) await closedLoop(target, scenario.body, settings.pairSeconds)
      more.push(target)
    }
    return [own, ...more]
  }
  await add('node-floor', () => startServer('floor', upstream), BENCH_UPSTREAM_KEY, '/v1/chat/completions')
  await add('bare-proxy', () => startServer('bare', upstream), BENCH_UPSTREAM_KEY)
  // The default configuration (sqlite store, decision log on, client auth, gates on) is the Sluice column.
  await add('sluice', () => startServer('sluice', upstream, 'sqlite'), BENCH_CLIENT_KEY)
  await add('sluice-memory', () => startServer('sluice', upstream, 'memory'), BENCH_CLIENT_KEY)
  // The default configuration again, with guardrails in block mode (nothing to find).
  await add('sluice-guardrails', () => startServer('sluice', upstream, 'sqlite', JSON.stringify(guardrailOverrides)), BENCH_CLIENT_KEY)
  // The default configuration again, with every request mirrored to a shadow target on an emulator of its own.
  const shadowEmulator = await startServer('emulator')
  servers.push(shadowEmulator)
  const shadowUpstream = `http://127.0.0.1:${shadowEmulator.port}`
  await add('sluice-shadow', () => startServer('sluice', upstream, 'sqlite', JSON.stringify(shadowOverrides(shadowUpstream))), BENCH_CLIENT_KEY)
  // Another build of Sluice (e.g. an earlier commit's) as an extra column, started with that
  // build's own bench config and no store argument: SLUICE_BENCH_BASELINE=<its dist/bench/servers.js>.
  const baselineScript = process.env.SLUICE_BENCH_BASELINE
  if (baselineScript !== undefined) await add('sluice-baseline', () => startServerFrom(baselineScript, 'sluice', upstream), BENCH_CLIENT_KEY)
  const redis = await startRedisServer()
  if (redis !== undefined) await add('sluice-redis', () => startServer('sluice', upstream, redis.url), BENCH_CLIENT_KEY)
  // Steering on the unified endpoint: by weight, and with an experiment and a bandit active (scenarios.ts).
  const flags = { ...TRAFFIC_ON_FLAGS, 'ai.ratelimit.enforce': FLAG_ON, 'ai.budget.enforce': FLAG_ON }
  await add('sluice-unified', () => startServer('sluice', upstream, 'sqlite', JSON.stringify(unifiedOverrides)), BENCH_CLIENT_KEY, '/v1/chat/completions')
  await add('sluice-steered', () => startServer('sluice', upstream, 'sqlite', JSON.stringify(steeredOverrides(flags))), BENCH_CLIENT_KEY, '/v1/chat/completions')
  const unified = new Set(['sluice-unified', 'sluice-steered'])
  // Targets take turns within each round, and each figure is the median over rounds, so a
  // noisy moment on this small machine does not land on one target only.
  let rows: Row[]
  const paired: Paired[] = []
  try {
    rows = await sample(targets, (target) => (unified.has(target.name) ? scenarios.map((s) => forModel(s, STEERED_MODEL)) : scenarios))
    // Each feature against the default configuration, interleaved block by block (paired.ts).
    const wanted = FEATURES.filter(([name]) => starters.has(name) && starters.has('sluice') && settings.pairs > 0)
    const off = wanted.length === 0 ? [] : await instances('sluice')
    for (const [name, what] of wanted) {
      const on = await instances(name)
      for (const scenario of scenarios) {
        const options = { blocks: settings.pairs, closedSeconds: settings.pairSeconds, pacedSeconds: settings.pairSeconds, rate: settings.rate }
        paired.push({ scenario: scenario.name, what, result: await pairedComparison(off, on, scenario.body, options) })
      }
    }
  } finally {
    for (const s of servers) s.child.kill('SIGKILL')
    redis?.child.kill('SIGKILL')
  }
  report(rows, paired)
}

/** The columns that switch one feature on over the default configuration. */
const FEATURES = [['sluice-shadow', 'shadow 100 %'], ['sluice-guardrails', 'guardrails block']] as const

interface Paired {
  readonly scenario: string
  readonly what: string
  readonly result: PairedResult
}

function report(rows: Row[], paired: readonly Paired[]): void {
  const lines = [
    `Sluice bench — ${new Date().toISOString()} — node ${process.version}; medians of ${settings.rounds} rounds; closed loop ${settings.connections} connections × ${settings.durationSeconds}s; paced ${settings.rate} req/s × ${settings.pacedSeconds}s`,
    '',
    '| scenario | target | req/s (closed) | vs bare | CPU ms/req | CPU vs floor | paced p50 ms | paced p99 ms | added p50 ms | added p99 ms | paced errors |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ]
  for (const row of rows) {
    const direct = rows.find((r) => r.scenario === row.scenario && r.target === 'direct')!
    const bare = rows.find((r) => r.scenario === row.scenario && r.target === 'bare-proxy')!
    const floor = rows.find((r) => r.scenario === row.scenario && r.target === 'node-floor')!
    const added = (a: number, b: number): string => (row.target === 'direct' ? '—' : (a - b).toFixed(3))
    lines.push(
      `| ${row.scenario} | ${row.target} | ${row.rps.toFixed(0)} | ${row.target === 'direct' ? '—' : `${((row.rps / bare.rps) * 100).toFixed(1)} %`} | ${row.cpuMsPerRequest.toFixed(3)} | ${row.target === 'direct' ? '—' : `${(row.cpuMsPerRequest / floor.cpuMsPerRequest).toFixed(2)}×`} | ${row.paced.p50Ms.toFixed(3)} | ${row.paced.p99Ms.toFixed(3)} | ${added(row.paced.p50Ms, direct.paced.p50Ms)} | ${added(row.paced.p99Ms, direct.paced.p99Ms)} | ${row.paced.errors} |`,
    )
  }
  // What mirroring every request, or guardrails in block mode, add: each column against the default one.
  lines.push('', '| scenario | against `sluice` (off) | added p50 ms | added p99 ms | req/s ratio |', '|---|---|---:|---:|---:|')
  for (const [target, what] of FEATURES) {
    for (const row of rows.filter((r) => r.target === target)) {
      const off = rows.find((r) => r.scenario === row.scenario && r.target === 'sluice')!
      lines.push(`| ${row.scenario} | ${what} | ${(row.paced.p50Ms - off.paced.p50Ms).toFixed(3)} | ${(row.paced.p99Ms - off.paced.p99Ms).toFixed(3)} | ${((row.rps / off.rps) * 100).toFixed(1)} % |`)
    }
  }
  if (paired.length > 0) {
    const ms = (i: PairedResult['addedP50Ms']): string => `${i.value >= 0 ? '+' : ''}${i.value.toFixed(3)} [${i.low.toFixed(3)}, ${i.high.toFixed(3)}]`
    const pct = (i: PairedResult['rpsRatioInterval']): string => `${(i.value * 100).toFixed(1)} % [${(i.low * 100).toFixed(1)}, ${(i.high * 100).toFixed(1)}]`
    lines.push(
      '',
      `Paired, interleaved against \`sluice\` (${settings.pairs} blocks, ${settings.pairInstances} processes a side taking turns, each side ${settings.pairSeconds} s closed loop and ${settings.pairSeconds} s paced at ${settings.rate} req/s per block; pooled; 95 % bootstrap intervals over blocks):`,
      '',
      '| scenario | feature | added p50 ms | added p99 ms | req/s ratio | paced p50 off / on ms | paced p99 off / on ms | CPU ms/req off / on |',
      '|---|---|---:|---:|---:|---:|---:|---:|',
    )
    for (const { scenario, what, result: r } of paired) {
      lines.push(
        `| ${scenario} | ${what} | ${ms(r.addedP50Ms)} | ${ms(r.addedP99Ms)} | ${pct(r.rpsRatioInterval)} | ${r.p50Ms[0].toFixed(3)} / ${r.p50Ms[1].toFixed(3)} | ${r.p99Ms[0].toFixed(3)} / ${r.p99Ms[1].toFixed(3)} | ${r.cpuMsPerRequest[0].toFixed(3)} / ${r.cpuMsPerRequest[1].toFixed(3)} |`,
      )
    }
  }
  lines.push(
    '',
    'CPU ms/req is the target process only (for `direct`, the emulator itself; for `sluice-redis`, not counting redis-server). Added latency is the paced p50/p99 minus direct\'s.',
    '`node-floor` is plain node:http in, one undici Pool.dispatch out, nothing else. `sluice` is the default configuration — embedded sqlite store, decision log on, client auth, kill switches, control flags, an enforced rate-limit rule and an enforced budget, metrics; `sluice-memory` the same on the in-memory store; `sluice-guardrails` the same with guardrails in block mode (default detectors; nothing in the requests or answers matches); `sluice-shadow` the same with every request mirrored to a shadow target (gpt-4o on a second emulator process); `sluice-redis` shares state, limiter and spend through Redis; `sluice-unified` is the default configuration on the unified endpoint over a virtual model of two targets, by weight; `sluice-steered` the same with a running experiment (steering the JSON rows) and a bandit in mode active (steering the SSE rows).',
  )
  writeReport('latest', lines, rows)
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${String(err)}\n`)
  process.exit(1)
})
