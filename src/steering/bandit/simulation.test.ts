// The simulation (#12, item 5) through the real chooseArm / recordOutcome with the default
// settings: three Bernoulli arms at 0.70 / 0.75 / 0.80; at request 3,000 the best drops to 0.65.
// Each checkpoint prints its distribution over the seeds (min / median / max) and how many seeds
// meet the bound. The bounds sit at the edge of what the data allows: by request 1,000 even
// a policy that spends the first 900 requests evenly on the three arms ranks the 0.75 arm above
// the 0.80 arm in about 8 % of worlds (the reference line below counts them), so no policy meets
// the request-1,000 bound on every seed of a large set. What is asserted per seed is the floor;
// the share bounds are asserted on a fraction of the seeds with margin under the measured rate
// (docs/bandits.md, "Simulation": 1,000 seeds).
import { beforeAll, describe, expect, it } from 'vitest'
import { armAt, armOf, armShares, DEFAULT_BANDIT_SETTINGS, emptyArm } from './index.js'
import { exactThompsonShares, runBernoulli, sfc32, shareOf, spread } from './test-support.js'

const SEEDS = Number(process.env.SLUICE_BANDIT_SEEDS ?? 20)
const DRIFT_AT = 3_000
const rates = (request: number): readonly number[] => (request < DRIFT_AT ? [0.7, 0.75, 0.8] : [0.7, 0.75, 0.65])
const settings = DEFAULT_BANDIT_SETTINGS
const CHECK_EVERY = 100

interface SeedResult {
  readonly seed: number
  readonly at1000: number
  readonly at3000: number
  readonly at5000: number
  /** The lowest exact choice probability of any arm at any checkpoint. */
  readonly lowestExact: number
  /** The largest gap between the reported (Monte Carlo) share and the exact probability. */
  readonly worstReportGap: number
  readonly lowestReported: number
}

function simulate(seed: number): SeedResult {
  let lowestExact = 1
  let worstReportGap = 0
  let lowestReported = 1
  const report = sfc32(seed + 0x7e57)
  const run = runBernoulli({
    seed,
    settings,
    requests: 5_000,
    rates,
    inspect(request, stats, arms, nowMs) {
      if (request % CHECK_EVERY !== 0) return
      // The exact chance of each arm under pickArm: floor + (1 − floor × K) · P(its draw is highest).
      const params = arms.map((id) => {
        const arm = armAt(armOf(stats, id) ?? emptyArm(nowMs), nowMs, settings)
        return [settings.priorAlpha + settings.evidenceWeight * arm.successes, settings.priorBeta + settings.evidenceWeight * arm.failures] as const
      })
      const thompson = exactThompsonShares(params, 2_000)
      const exact = thompson.map((p) => settings.floor + (1 - settings.floor * arms.length) * p)
      lowestExact = Math.min(lowestExact, ...exact)
      if (request % (4 * CHECK_EVERY) === 0) {
        const reported = armShares(stats, arms, settings, report, nowMs, 1_000)
        reported.forEach((r, i) => {
          worstReportGap = Math.max(worstReportGap, Math.abs(r.share - exact[i]!))
          lowestReported = Math.min(lowestReported, r.share)
        })
      }
    },
  })
  return { seed, at1000: shareOf(run, 2, 1_000), at3000: shareOf(run, 2, 3_000), at5000: shareOf(run, 1, 5_000), lowestExact, worstReportGap, lowestReported }
}

/** The data limit: 300 outcomes per arm (900 requests, spent evenly), then the best-looking arm. */
function explorerPicksWrong(seed: number): boolean {
  const world = sfc32(seed ^ 0x0dd5eed)
  const wins = [0.7, 0.75, 0.8].map((p) => {
    let n = 0
    for (let i = 0; i < 300; i++) if (world() < p) n++
    return n
  })
  return !(wins[2]! > wins[0]! && wins[2]! > wins[1]!)
}

describe(`the bandit on the issue's drift scenario, ${SEEDS} seeds`, () => {
  let results: SeedResult[] = []
  beforeAll(() => {
    results = Array.from({ length: SEEDS }, (_, i) => simulate(i + 1))
  })
  const line = (label: string, values: number[], bound: number): number => {
    const meeting = values.filter((v) => v >= bound).length
    const failing = results.filter((_, i) => values[i]! < bound).map((r) => r.seed)
    const which = failing.length === 0 ? '' : `; below on seeds ${failing.join(', ')}`
    console.log(`bandit sim: ${label}: ${spread(values)} (≥ ${bound} on ${meeting}/${SEEDS} seeds${which})`)
    return meeting / SEEDS
  }

  it('mostly sends the best arm ≥ 80 % of requests 901–1,000', () => {
    const meeting = line('0.80 arm share of requests 901–1,000', results.map((r) => r.at1000), 0.8)
    const wrong = Array.from({ length: SEEDS }, (_, i) => explorerPicksWrong(i + 1)).filter(Boolean).length
    console.log(`bandit sim: reference, 300 requests per arm then the best-looking one: the wrong arm on ${wrong}/${SEEDS} seeds`)
    // Measured on 1,000 other seeds: 83 %. 75 % keeps the assertion off the noise of 20 seeds.
    expect(meeting).toBeGreaterThanOrEqual(0.75)
    expect(median(results.map((r) => r.at1000))).toBeGreaterThanOrEqual(0.9)
  })

  it('mostly sends the best arm ≥ 90 % of requests 2,901–3,000', () => {
    const meeting = line('0.80 arm share of requests 2,901–3,000', results.map((r) => r.at3000), 0.9)
    // Measured: 92 %.
    expect(meeting).toBeGreaterThanOrEqual(0.85)
    expect(median(results.map((r) => r.at3000))).toBeGreaterThanOrEqual(0.93)
  })

  it('after the drop to 0.65 at request 3,000, mostly sends the new best ≥ 80 % of requests 4,901–5,000', () => {
    const meeting = line('0.75 arm share of requests 4,901–5,000', results.map((r) => r.at5000), 0.8)
    // Measured: 91 %.
    expect(meeting).toBeGreaterThanOrEqual(0.85)
    expect(median(results.map((r) => r.at5000))).toBeGreaterThanOrEqual(0.9)
  })

  it('never gives an arm an exact choice probability below the floor, and reports shares close to it', () => {
    const lowest = results.map((r) => r.lowestExact)
    const gaps = results.map((r) => r.worstReportGap)
    console.log(`bandit sim: lowest exact choice probability of any arm at any checkpoint: ${spread(lowest, 4)} (floor ${settings.floor})`)
    console.log(`bandit sim: largest |reported share − exact| (1,000 draws): ${spread(gaps, 3)}`)
    for (const r of results) {
      expect(r.lowestExact, `seed ${r.seed}`).toBeGreaterThanOrEqual(settings.floor - 1e-12)
      expect(r.lowestReported, `seed ${r.seed}`).toBeGreaterThanOrEqual(settings.floor - 1e-12)
    }
    // 1,000 draws: each reported share has sd ≤ 0.016; the largest of ~800 gaps is typically 3 sd (0.05).
    expect(Math.max(...gaps)).toBeLessThan(0.07)
  })
})

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}
