// `npm run bench:ablate`: what each part of the default configuration costs per request. The Node
// floor and Sluice in its default configuration run side by side with Sluice variants that each
// switch one part off (bench/servers.ts merges the variant over the bench config), interleaved in
// rounds like `npm run bench`; the report gives each variant's CPU per request and its difference
// to the default. Same options as `npm run bench`.
import { sample, settings, startServer, writeReport, type Row, type Server, type Target } from './harness.js'
import { BENCH_CLIENT_KEY, BENCH_UPSTREAM_KEY, scenarios } from './scenarios.js'

/** Each variant switches one part of the default configuration off; `gates off` all three. */
const VARIANTS: Readonly<Record<string, Record<string, unknown>>> = {
  'no decision log': { log: { decisions: false } },
  'no budget': { budgets: { limits: {} } },
  'no rate limit': { rateLimits: { rules: [] } },
  'no log, budget, limit': { log: { decisions: false }, budgets: { limits: {} }, rateLimits: { rules: [] } },
}

async function main(): Promise<void> {
  const emulator = await startServer('emulator')
  const upstream = `http://127.0.0.1:${emulator.port}`
  const servers: Server[] = [emulator]
  const targets: Target[] = []
  const add = async (name: string, server: Promise<Server>, key: string, path = '/openai/v1/chat/completions'): Promise<void> => {
    const started = await server
    servers.push(started)
    targets.push({ name, url: `http://127.0.0.1:${started.port}${path}`, headers: { authorization: `Bearer ${key}` }, pid: started.child.pid! })
  }
  await add('node-floor', startServer('floor', upstream), BENCH_UPSTREAM_KEY, '/v1/chat/completions')
  await add('sluice (default)', startServer('sluice', upstream, 'sqlite'), BENCH_CLIENT_KEY)
  for (const [name, overrides] of Object.entries(VARIANTS)) await add(name, startServer('sluice', upstream, 'sqlite', JSON.stringify(overrides)), BENCH_CLIENT_KEY)
  let rows: Row[]
  try {
    rows = await sample(targets, () => scenarios)
  } finally {
    for (const s of servers) s.child.kill('SIGKILL')
  }
  report(rows)
}

function report(rows: Row[]): void {
  const lines = [
    `Sluice ablation — ${new Date().toISOString()} — node ${process.version}; medians of ${settings.rounds} rounds; closed loop ${settings.connections} connections × ${settings.durationSeconds}s`,
    '',
    '| scenario | target | req/s (closed) | CPU µs/req | vs default µs/req | CPU vs floor |',
    '|---|---|---:|---:|---:|---:|',
  ]
  for (const row of rows) {
    const floor = rows.find((r) => r.scenario === row.scenario && r.target === 'node-floor')!
    const base = rows.find((r) => r.scenario === row.scenario && r.target === 'sluice (default)')!
    const us = row.cpuMsPerRequest * 1000
    const delta = row.target === 'node-floor' || row === base ? '—' : `${(us - base.cpuMsPerRequest * 1000).toFixed(0)}`
    lines.push(`| ${row.scenario} | ${row.target} | ${row.rps.toFixed(0)} | ${us.toFixed(0)} | ${delta} | ${(row.cpuMsPerRequest / floor.cpuMsPerRequest).toFixed(2)}× |`)
  }
  lines.push('', 'Each variant is the default configuration with one part switched off (bench/ablate.ts); the difference to the default is what that part costs per request.')
  writeReport('ablate-latest', lines, rows)
}

await main()
