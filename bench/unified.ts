// `npm run bench:unified`: what the unified endpoint's translation costs. The same
// question to Bedrock (Converse), Gemini and Llama emulators, through one Sluice, two ways: in the
// provider's native API on its mount (passthrough), and as an OpenAI chat completion on
// POST /v1/chat/completions (translated both ways). Both run the same gates, so the difference is
// translation: parsing the OpenAI request, building the native one, and rewriting the answer or
// stream into OpenAI's format. Writes bench/results/unified.{md,json}.
import { sample, settings, startServer, writeReport, type Row, type Target } from './harness.js'
import { unifiedScenarios } from './scenarios.js'

async function main(): Promise<void> {
  const emulators = await startServer('emulators')
  const sluice = await startServer('sluice-unified', JSON.stringify(emulators.info))
  const scenarios = unifiedScenarios()
  const targets: Target[] = scenarios.map((s) => ({
    name: `${s.provider} ${s.mode}`,
    url: `http://127.0.0.1:${sluice.port}${s.path}`,
    headers: s.headers,
    pid: sluice.child.pid!,
  }))
  let rows: Row[]
  try {
    rows = await sample(targets, (target) => {
      const own = scenarios[targets.indexOf(target)]!
      return [{ name: own.stream ? 'sse' : 'json', body: own.body }]
    })
  } finally {
    sluice.child.kill('SIGKILL')
    emulators.child.kill('SIGKILL')
  }
  const lines = [
    `Sluice unified-endpoint bench — ${new Date().toISOString()} — node ${process.version}; medians of ${settings.rounds} rounds; closed loop ${settings.connections} connections × ${settings.durationSeconds}s; paced ${settings.rate} req/s × ${settings.pacedSeconds}s`,
    '',
    '| provider | format | native req/s | unified req/s | unified vs native | native CPU ms/req | unified CPU ms/req | native paced p50 / p99 ms | unified paced p50 / p99 ms | translation p50 ms | translation p99 ms |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ]
  for (const provider of ['bedrock', 'gemini', 'llama']) {
    for (const format of ['json', 'sse']) {
      const native = rows.find((r) => r.target === `${provider} native` && r.scenario === format)!
      const unified = rows.find((r) => r.target === `${provider} unified` && r.scenario === format)!
      lines.push(
        `| ${provider} | ${format} | ${native.rps.toFixed(0)} | ${unified.rps.toFixed(0)} | ${((unified.rps / native.rps) * 100).toFixed(1)} % | ${native.cpuMsPerRequest.toFixed(3)} | ${unified.cpuMsPerRequest.toFixed(3)} | ${native.paced.p50Ms.toFixed(3)} / ${native.paced.p99Ms.toFixed(3)} | ${unified.paced.p50Ms.toFixed(3)} / ${unified.paced.p99Ms.toFixed(3)} | ${(unified.paced.p50Ms - native.paced.p50Ms).toFixed(3)} | ${(unified.paced.p99Ms - native.paced.p99Ms).toFixed(3)} |`,
      )
    }
  }
  lines.push(
    '',
    'Both columns go through the same Sluice with the same gates (client auth, kill switches, control flags, an enforced rate limit and budget, decision log, metrics). Translation p50/p99 = unified paced latency minus native paced latency.',
  )
  writeReport('unified', lines, rows)
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${String(err)}\n`)
  process.exit(1)
})
