// `npm run bench`: the same requests against three targets side by side in one run — the emulator
// directly, a bare @fastify/http-proxy, and Sluice — closed loop (autocannon) and evenly paced
// open loop, for JSON and SSE. Prints added p50/p99 latency vs direct, req/s ratios and CPU per
// request, and writes bench/results/latest.json. Every phase is bounded in time.
import { sample, settings, startRedisServer, startServer, startServerFrom, writeReport, type Row, type Target } from './harness.js'
import { BENCH_CLIENT_KEY, BENCH_UPSTREAM_KEY, scenarios } from './scenarios.js'

async function main(): Promise<void> {
  const emulator = await startServer('emulator')
  const upstream = `http://127.0.0.1:${emulator.port}`
  const bare = await startServer('bare', upstream)
  const sluice = await startServer('sluice', upstream)
  // Another build of Sluice (e.g. the previous commit's) as an extra column: SLUICE_BENCH_BASELINE=<its dist/bench/servers.js>.
  const baselineScript = process.env.SLUICE_BENCH_BASELINE
  const baseline = baselineScript === undefined ? undefined : await startServerFrom(baselineScript, 'sluice', upstream)
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
    ...(baseline === undefined
      ? []
      : [
          {
            name: 'sluice-baseline',
            url: `http://127.0.0.1:${baseline.port}/openai/v1/chat/completions`,
            headers: { authorization: `Bearer ${BENCH_CLIENT_KEY}` },
            pid: baseline.child.pid!,
          },
        ]),
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
  let rows: Row[]
  try {
    rows = await sample(targets, () => scenarios)
  } finally {
    for (const s of [emulator, bare, sluice, baseline, sluiceRedis]) s?.child.kill('SIGKILL')
    redis?.child.kill('SIGKILL')
  }
  report(rows)
}

function report(rows: Row[]): void {
  const lines = [
    `Sluice bench — ${new Date().toISOString()} — node ${process.version}; medians of ${settings.rounds} rounds; closed loop ${settings.connections} connections × ${settings.durationSeconds}s; paced ${settings.rate} req/s × ${settings.pacedSeconds}s`,
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
  writeReport('latest', lines, rows)
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${String(err)}\n`)
  process.exit(1)
})
