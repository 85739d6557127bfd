// `npm run bench:shadow-floor`: how much of the latency a shadow adds is Sluice's mirroring, and how
// much is the host. Three variants take turns in short evenly paced blocks (order rotating block by
// block), for JSON and SSE:
// - `sluice`: the default configuration, nothing mirrored;
// - `floor`: the same Sluice while a separate process (mirror-load.ts) sends the shadow emulator
//   what a 100 % shadow would, at the same rate, each call starting about when its primary ends —
//   the least any mirroring costs on this host, wherever it runs, since the mirror's calls and the
//   shadow target's work share the host's cores with the client's path;
// - `sluice-shadow`: Sluice mirroring 100 % itself (`npm run bench`'s column of that name).
// Latencies are pooled over blocks; each variant's added p50/p99 against `sluice` comes with a 95 %
// bootstrap interval over blocks (whole blocks resampled, seeded). Bounded: `--blocks` × 3 variants
// × `--seconds` per scenario, plus warm-ups.
import type { ChildProcess } from 'node:child_process'
import { spawn } from 'node:child_process'
import { createInterface, type Interface } from 'node:readline'
import { parseArgs } from 'node:util'
import { openLoop } from './open-loop.js'
import { startServer, type Server } from './processes.js'
import { BENCH_CLIENT_KEY, scenarios, shadowOverrides } from './scenarios.js'
import { seeded } from './seeded.js'

const { values } = parseArgs({
  options: {
    blocks: { type: 'string', default: '16' },
    seconds: { type: 'string', default: '2' },
    rate: { type: 'string', default: '500' },
  },
})
const blocks = Number(values.blocks)
const seconds = Number(values.seconds)
const rate = Number(values.rate)
const VARIANTS = ['sluice', 'floor', 'sluice-shadow'] as const
type Variant = (typeof VARIANTS)[number]
const RESAMPLES = 2000

interface MirrorLoad {
  readonly child: ChildProcess
  readonly lines: Interface
}

async function startMirrorLoad(shadowUrl: string, scenario: string): Promise<MirrorLoad> {
  const child = spawn(process.execPath, [new URL('./mirror-load.js', import.meta.url).pathname, shadowUrl, String(rate), scenario], { stdio: ['pipe', 'pipe', 'inherit'] })
  const lines = createInterface({ input: child.stdout! })
  await nextLine(lines, 'ready')
  return { child, lines }
}

function nextLine(lines: Interface, prefix: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`mirror load: no '${prefix}' line`)), 60_000)
    const onLine = (line: string): void => {
      if (!line.startsWith(prefix)) return
      clearTimeout(timer)
      lines.off('line', onLine)
      resolve(line)
    }
    lines.on('line', onLine)
  })
}

const quantile = (sorted: ArrayLike<number>, q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN

/** The blocks' latencies in one sorted array (a typed array sorts numbers without a comparator). */
function pooled(perBlock: readonly number[][]): Float64Array {
  const all = new Float64Array(perBlock.reduce((n, block) => n + block.length, 0))
  let at = 0
  for (const block of perBlock) {
    all.set(block, at)
    at += block.length
  }
  return all.sort()
}

const fmt = (x: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(3)}`

/** on − off at p50 and p99, pooled, each with a 95 % bootstrap interval over blocks (pairs kept together). */
function added(off: readonly number[][], on: readonly number[][]): [string, string] {
  const random = seeded(0x5eed)
  const quantiles = [0.5, 0.99] as const
  const diffs: number[][] = [[], []]
  for (let r = 0; r < RESAMPLES; r++) {
    const picks = off.map(() => Math.floor(random() * off.length))
    const a = pooled(picks.map((i) => off[i]!))
    const b = pooled(picks.map((i) => on[i]!))
    quantiles.forEach((q, k) => diffs[k]!.push(quantile(b, q) - quantile(a, q)))
  }
  const [a, b] = [pooled(off), pooled(on)]
  return quantiles.map((q, k) => {
    const sorted = diffs[k]!.sort((x, y) => x - y)
    return `${fmt(quantile(b, q) - quantile(a, q))} [${fmt(quantile(sorted, 0.025))}, ${fmt(quantile(sorted, 0.975))}]`
  }) as [string, string]
}

async function main(): Promise<void> {
  const emulator = await startServer('emulator')
  const shadowEmulator = await startServer('emulator')
  const upstream = `http://127.0.0.1:${emulator.port}`
  const shadowUrl = `http://127.0.0.1:${shadowEmulator.port}`
  const servers: Server[] = [emulator, shadowEmulator]
  const plain = await startServer('sluice', upstream, 'sqlite')
  const shadowing = await startServer('sluice', upstream, 'sqlite', JSON.stringify(shadowOverrides(shadowUrl)))
  servers.push(plain, shadowing)
  const url = (server: Server): string => `http://127.0.0.1:${server.port}/openai/v1/chat/completions`
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${BENCH_CLIENT_KEY}` }
  const lines = [
    `Shadow floor — ${new Date().toISOString()} — node ${process.version}; ${blocks} blocks × ${seconds} s paced at ${rate} req/s per variant; pooled; 95 % bootstrap intervals over blocks`,
    '',
    '| scenario | variant | p50 ms | p99 ms | added p50 ms vs sluice | added p99 ms vs sluice |',
    '|---|---|---:|---:|---:|---:|',
  ]
  const loads: MirrorLoad[] = []
  try {
    for (const scenario of scenarios) {
      const load = await startMirrorLoad(shadowUrl, scenario.name)
      loads.push(load)
      // Warm-up, and the primary's own latency: the floor's mirror calls start that long after their primaries.
      const warm = await openLoop(url(plain), headers, scenario.body, rate, 2)
      await openLoop(url(shadowing), headers, scenario.body, rate, 2)
      const latencies = new Map<Variant, number[][]>(VARIANTS.map((v) => [v, []]))
      for (let b = 0; b < blocks; b++) {
        const order = VARIANTS.map((_, i) => VARIANTS[(i + b) % VARIANTS.length]!)
        for (const variant of order) {
          let done: Promise<string> | undefined
          if (variant === 'floor') {
            done = nextLine(load.lines, 'done')
            load.child.stdin!.write(`${seconds} ${warm.p50Ms.toFixed(3)}\n`)
          }
          const result = await openLoop(url(variant === 'sluice-shadow' ? shadowing : plain), headers, scenario.body, rate, seconds)
          if (result.errors > 0) throw new Error(`${scenario.name}/${variant}: ${result.errors} errors`)
          await done
          latencies.get(variant)!.push(result.latencies)
        }
        process.stderr.write(`${scenario.name} block ${b + 1}/${blocks}\n`)
      }
      const off = latencies.get('sluice')!
      for (const variant of VARIANTS) {
        const on = latencies.get(variant)!
        const extra = variant === 'sluice' ? '— | —' : added(off, on).join(' | ')
        const all = pooled(on)
        lines.push(`| ${scenario.name} | ${variant} | ${quantile(all, 0.5).toFixed(3)} | ${quantile(all, 0.99).toFixed(3)} | ${extra} |`)
      }
    }
  } finally {
    for (const load of loads) load.child.kill()
    for (const server of servers) server.child.kill()
  }
  process.stdout.write(`${lines.join('\n')}\n`)
}

await main()
