// Test support for the bandit (excluded from the build): a seeded generator, the exact Thompson
// choice probabilities by quadrature, and the simulation driven through the real
// chooseArm / recordOutcome with injected randomness and a simulated clock — no timers, no sleeps.
import type { Random } from './beta.js'
import { chooseArm, recordOutcome } from './bandit.js'
import type { BanditSettings } from './settings.js'
import { emptyStats, type BanditStats } from './state.js'

/**
 * sfc32 (Chris Doty-Humphrey's Small Fast Counting generator, from PractRand), seeded through
 * splitmix32 and warmed up by 15 outputs (a fresh state's first outputs are correlated). A second family beside
 * test/support/random.ts (mulberry32), so a sampler test that passes under both does not owe it
 * to one generator's quirks.
 */
export function sfc32(seed: number): Random {
  let s = seed | 0
  const splitmix32 = (): number => {
    s = (s + 0x9e3779b9) | 0
    let t = s ^ (s >>> 16)
    t = Math.imul(t, 0x21f0aaad)
    t ^= t >>> 15
    t = Math.imul(t, 0x735a2d97)
    return (t ^ (t >>> 15)) | 0
  }
  let a = splitmix32()
  let b = splitmix32()
  let c = splitmix32()
  let d = 1
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0
    d = (d + 1) | 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) | 0
    c = (c << 21) | (c >>> 11)
    c = (c + t) | 0
    return (t >>> 0) / 4294967296
  }
  for (let i = 0; i < 15; i++) next()
  return next
}

/**
 * P(arm i's Beta draw is the highest) for Beta(a_i, b_i), a, b ≥ 1: ∫ f_i(x) Π_{j≠i} F_j(x) dx by
 * the midpoint rule on `points` cells spanning every arm's mean ± 12 sd. Each density is normalised
 * over the grid, so no Beta function is needed and truncation cancels out.
 */
export function exactThompsonShares(params: ReadonlyArray<readonly [number, number]>, points = 4_000): number[] {
  let lo = 1
  let hi = 0
  for (const [a, b] of params) {
    const mean = a / (a + b)
    const sd = Math.sqrt((a * b) / ((a + b) ** 2 * (a + b + 1)))
    lo = Math.min(lo, mean - 12 * sd)
    hi = Math.max(hi, mean + 12 * sd)
  }
  lo = Math.max(lo, 0)
  hi = Math.min(hi, 1)
  const h = (hi - lo) / points
  const logX = new Float64Array(points)
  const log1mX = new Float64Array(points)
  for (let k = 0; k < points; k++) {
    const x = lo + (k + 0.5) * h
    logX[k] = Math.log(x)
    log1mX[k] = Math.log(1 - x)
  }
  const masses = params.map(([a, b]) => {
    const mass = new Float64Array(points)
    let top = -Infinity
    for (let k = 0; k < points; k++) {
      mass[k] = (a - 1) * logX[k]! + (b - 1) * log1mX[k]!
      if (mass[k]! > top) top = mass[k]!
    }
    let total = 0
    for (let k = 0; k < points; k++) {
      mass[k] = Math.exp(mass[k]! - top)
      total += mass[k]!
    }
    for (let k = 0; k < points; k++) mass[k]! /= total
    return mass
  })
  // CDF at a cell's midpoint: the cells below plus half of its own.
  const cdfs = masses.map((mass) => {
    const cdf = new Float64Array(points)
    let below = 0
    for (let k = 0; k < points; k++) {
      cdf[k] = below + mass[k]! / 2
      below += mass[k]!
    }
    return cdf
  })
  return masses.map((mass, i) => {
    let p = 0
    for (let k = 0; k < points; k++) {
      let others = 1
      for (let j = 0; j < cdfs.length; j++) if (j !== i) others *= cdfs[j]![k]!
      p += mass[k]! * others
    }
    return p
  })
}

export interface BernoulliRun {
  /** The index of the arm chosen for each request. */
  readonly choices: readonly number[]
}

/**
 * `requests` requests through chooseArm / recordOutcome; request i succeeds on arm k with
 * probability `rates(i)[k]`. Decisions and outcomes come from separate streams of the seed, so the
 * outcomes do not shift when the policy draws more or fewer numbers. The clock advances 100 ms a
 * request (10 requests per second). `inspect` sees the statistics before every request.
 */
export function runBernoulli(options: {
  readonly seed: number
  readonly settings: BanditSettings
  readonly requests: number
  readonly rates: (request: number) => readonly number[]
  readonly inspect?: (request: number, stats: BanditStats, arms: readonly string[], nowMs: number) => void
}): BernoulliRun {
  const { seed, settings, requests, rates, inspect } = options
  const decide = sfc32(seed)
  const world = sfc32(seed ^ 0x5eed5eed)
  const arms = rates(0).map((_, k) => `arm-${k}`)
  let stats = emptyStats()
  const choices: number[] = []
  for (let i = 0; i < requests; i++) {
    const nowMs = i * 100
    inspect?.(i, stats, arms, nowMs)
    const choice = chooseArm(stats, arms, settings, decide, nowMs)
    const k = arms.indexOf(choice.arm!)
    const ok = world() < rates(i)[k]!
    stats = recordOutcome(stats, choice.arm!, { ok, latencyMs: 500, costUsd: 0 }, settings, nowMs + 50)
    choices.push(k)
  }
  return { choices }
}

/** The share of `arm` among the `window` choices before request `end` (1-based: requests end − window + 1 … end). */
export function shareOf(run: BernoulliRun, arm: number, end: number, window = 100): number {
  let n = 0
  for (let i = end - window; i < end; i++) if (run.choices[i] === arm) n++
  return n / window
}

/** `min / median / max` of a list, for one-line reports. */
export function spread(values: readonly number[], digits = 2): string {
  const sorted = [...values].sort((x, y) => x - y)
  const median = sorted.length % 2 === 1 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2
  return `min ${sorted[0]!.toFixed(digits)} / median ${median.toFixed(digits)} / max ${sorted[sorted.length - 1]!.toFixed(digits)}`
}
