// Paired, interleaved comparison of one feature switched on against the same configuration with it
// off (`npm run bench`'s last tables: shadowing at 100 %, guardrails in block mode). The rounds of
// `sample` measure each column minutes apart, and on this small machine the untouched column moves
// more between runs than the differences being looked for. Here the two take turns in short blocks
// (order alternating block by block, so neither always goes first), each block a short closed loop
// and a short paced open loop on each, and the figures are pooled over the blocks: req/s and CPU per
// request over all closed-loop requests, p50/p99 over all paced latencies. How sure a difference is
// comes from a bootstrap over blocks (resampling whole blocks, pairs kept together), seeded so a
// run's interval can be reproduced from its data. Each side may be several server processes of the
// same configuration, taking turns two blocks each (both orders): two identical Sluice processes on
// this machine differ by up to ±5–10 % in req/s for as long as they run, which one process per
// side would charge to the feature.
import { closedLoop, type Target } from './harness.js'
import { openLoop } from './open-loop.js'
import { cpuMs } from './proc-cpu.js'
import { seeded } from './seeded.js'

export interface PairedOptions {
  readonly blocks: number
  readonly closedSeconds: number
  readonly pacedSeconds: number
  readonly rate: number
}

interface Block {
  /** Per side: closed-loop requests, CPU ms over them, paced latencies (ms). */
  readonly requests: [number, number]
  readonly cpuMs: [number, number]
  readonly latencies: [number[], number[]]
}

export interface PairedResult {
  readonly blocks: number
  readonly rpsRatio: number
  readonly cpuMsPerRequest: [number, number]
  readonly p50Ms: [number, number]
  readonly p99Ms: [number, number]
  /** on − off, with a 95 % bootstrap interval over blocks. */
  readonly addedP50Ms: Interval
  readonly addedP99Ms: Interval
  readonly rpsRatioInterval: Interval
}

export interface Interval {
  readonly value: number
  readonly low: number
  readonly high: number
}

const BOOTSTRAP_RESAMPLES = 2000

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN
}

interface Pooled {
  readonly rpsRatio: number
  readonly p50: [number, number]
  readonly p99: [number, number]
}

function pool(blocks: readonly Block[]): Pooled {
  const sorted = (side: 0 | 1): number[] => blocks.flatMap((b) => b.latencies[side]).sort((x, y) => x - y)
  const [off, on] = [sorted(0), sorted(1)]
  const requests = (side: 0 | 1): number => blocks.reduce((n, b) => n + b.requests[side], 0)
  return { rpsRatio: requests(1) / requests(0), p50: [quantile(off, 0.5), quantile(on, 0.5)], p99: [quantile(off, 0.99), quantile(on, 0.99)] }
}

function interval(values: number[], value: number): Interval {
  const sorted = values.sort((a, b) => a - b)
  return { value, low: quantile(sorted, 0.025), high: quantile(sorted, 0.975) }
}

/** Runs `options.blocks` interleaved blocks of `off` and `on` (one or more processes each) with the same request body. */
export async function pairedComparison(off: readonly Target[], on: readonly Target[], body: string, options: PairedOptions): Promise<PairedResult> {
  const sides = [off, on] as const
  const blocks: Block[] = []
  for (let b = 0; b < options.blocks; b++) {
    const order: Array<0 | 1> = b % 2 === 0 ? [0, 1] : [1, 0]
    const block: Block = { requests: [0, 0], cpuMs: [0, 0], latencies: [[], []] }
    const instance = (side: 0 | 1): Target => sides[side][Math.floor(b / 2) % sides[side].length]!
    for (const side of order) {
      const target = instance(side)
      const before = cpuMs(target.pid)
      const closed = await closedLoop(target, body, options.closedSeconds)
      block.cpuMs[side] = cpuMs(target.pid) - before
      if (closed.non2xx > 0 || closed.errors > 0) throw new Error(`${target.name}: ${closed.non2xx} non-2xx, ${closed.errors} errors`)
      block.requests[side] = closed.requests.total
    }
    for (const side of order) {
      const target = instance(side)
      const paced = await openLoop(target.url, { 'content-type': 'application/json', ...target.headers }, body, options.rate, options.pacedSeconds)
      if (paced.errors > 0) throw new Error(`${target.name}: ${paced.errors} paced errors`)
      block.latencies[side] = paced.latencies
    }
    blocks.push(block)
    process.stderr.write(`paired block ${b + 1}/${options.blocks} ${instance(1).name} vs ${instance(0).name}: ${block.requests[1]} / ${block.requests[0]} requests\n`)
  }
  const pooled = pool(blocks)
  const random = seeded(0x5eed)
  const p50s: number[] = []
  const p99s: number[] = []
  const ratios: number[] = []
  for (let r = 0; r < BOOTSTRAP_RESAMPLES; r++) {
    const resample = blocks.map(() => blocks[Math.floor(random() * blocks.length)]!)
    const p = pool(resample)
    p50s.push(p.p50[1] - p.p50[0])
    p99s.push(p.p99[1] - p.p99[0])
    ratios.push(p.rpsRatio)
  }
  const cpuPerRequest = (side: 0 | 1): number => blocks.reduce((n, b) => n + b.cpuMs[side], 0) / blocks.reduce((n, b) => n + b.requests[side], 0)
  return {
    blocks: blocks.length,
    rpsRatio: pooled.rpsRatio,
    cpuMsPerRequest: [cpuPerRequest(0), cpuPerRequest(1)],
    p50Ms: pooled.p50,
    p99Ms: pooled.p99,
    addedP50Ms: interval(p50s, pooled.p50[1] - pooled.p50[0]),
    addedP99Ms: interval(p99s, pooled.p99[1] - pooled.p99[0]),
    rpsRatioInterval: interval(ratios, pooled.rpsRatio),
  }
}
