// chooseArm / recordOutcome / armShares together: statistics in and out as values, constraints
// before the floor, the fallback when every arm is excluded, and recovery on the clock alone.
import { describe, expect, it } from 'vitest'
import { armShares, banditSettings, chooseArm, emptyStats, recordOutcome, type BanditStats, type RequestOutcome } from './index.js'
import { sfc32 } from './test-support.js'

const good: RequestOutcome = { ok: true, latencyMs: 300, costUsd: 0.001 }
const broken: RequestOutcome = { ok: false, latencyMs: 300, costUsd: 0 }
const settings = banditSettings({ constraints: { maxErrorRate: 0.5, minSamples: 10, halfLifeMs: 60_000 } })

function feed(stats: BanditStats, arm: string, outcome: RequestOutcome, times: number, nowMs: number): BanditStats {
  for (let i = 0; i < times; i++) stats = recordOutcome(stats, arm, outcome, settings, nowMs)
  return stats
}

describe('recordOutcome', () => {
  it('returns new statistics and leaves the old ones as they were', () => {
    const before = emptyStats()
    const after = recordOutcome(before, 'a', good, settings, 1_000)
    expect(before.arms).toEqual({})
    expect(after.arms.a).toMatchObject({ successes: 1, failures: 0, attempts: 1, errors: 0, atMs: 1_000 })
  })

  it('credits the reward of the configured weights', () => {
    const weighted = banditSettings({ reward: { success: 0.5, latency: 0.5, latencyCeilingMs: 1_000 } })
    const stats = recordOutcome(emptyStats(), 'a', { ok: true, latencyMs: 500, costUsd: 0 }, weighted, 0)
    expect(stats.arms.a).toMatchObject({ successes: 0.75, failures: 0.25 })
  })

  it('ages the time-decayed figures to the outcome before adding it', () => {
    const s = banditSettings({ halfLifeMs: 1_000, discount: 1 })
    let stats = recordOutcome(emptyStats(), 'a', good, s, 0)
    stats = recordOutcome(stats, 'a', broken, s, 1_000)
    expect(stats.arms.a).toMatchObject({ successes: 0.5, failures: 1, atMs: 1_000 })
  })
})

describe('chooseArm', () => {
  it('treats arms it has no statistics for as fresh priors', () => {
    const counts: Record<string, number> = { a: 0, b: 0 }
    const random = sfc32(1)
    for (let i = 0; i < 2_000; i++) counts[chooseArm(emptyStats(), ['a', 'b'], settings, random, 0).arm!]!++
    expect(Math.abs(counts.a! / 2_000 - 0.5)).toBeLessThan(0.05)
  })

  it('keeps an arm over its error-rate limit out, floor included', () => {
    let stats = feed(emptyStats(), 'a', broken, 20, 0)
    stats = feed(stats, 'b', good, 3, 0)
    const random = sfc32(2)
    for (let i = 0; i < 1_000; i++) {
      const choice = chooseArm(stats, ['a', 'b', 'c'], settings, random, 100)
      expect(choice.arm).not.toBe('a')
      expect(choice.excluded).toEqual([{ arm: 'a', reason: 'error-rate' }])
      expect(choice.allExcluded).toBe(false)
    }
    const shares = armShares(stats, ['a', 'b', 'c'], settings, random, 100)
    expect(shares[0]).toMatchObject({ arm: 'a', share: 0, excluded: 'error-rate' })
    expect(shares[1]!.share + shares[2]!.share).toBeCloseTo(1, 12)
    expect(Math.min(shares[1]!.share, shares[2]!.share)).toBeGreaterThanOrEqual(settings.floor)
  })

  it('chooses among all arms when every arm is excluded', () => {
    let stats = feed(emptyStats(), 'a', broken, 20, 0)
    stats = feed(stats, 'b', broken, 20, 0)
    const random = sfc32(3)
    const seen = new Set<string>()
    for (let i = 0; i < 500; i++) {
      const choice = chooseArm(stats, ['a', 'b'], settings, random, 0)
      expect(choice.allExcluded).toBe(true)
      seen.add(choice.arm!)
    }
    expect([...seen].sort()).toEqual(['a', 'b'])
  })

  it('lets an excluded arm back once its evidence has aged below minSamples, with no traffic', () => {
    const stats = feed(emptyStats(), 'a', broken, 40, 0)
    const at = (nowMs: number) => chooseArm(stats, ['a', 'b'], settings, sfc32(4), nowMs).excluded
    // 40 → 20 attempts after one half-life (still ≥ 10), → 10 after two, → 5 after three.
    expect(at(60_000)).toEqual([{ arm: 'a', reason: 'error-rate' }])
    expect(at(180_000)).toEqual([])
  })

  it('answers undefined for no arms', () => {
    expect(chooseArm(emptyStats(), [], settings, sfc32(5), 0)).toMatchObject({ arm: undefined, allExcluded: false })
  })

  it('moves traffic to the arm that keeps succeeding', () => {
    const plain = banditSettings()
    let stats = emptyStats()
    const random = sfc32(6)
    const world = sfc32(7)
    const rates: Record<string, number> = { a: 0.3, b: 0.9 }
    let b = 0
    for (let i = 0; i < 1_000; i++) {
      const { arm } = chooseArm(stats, ['a', 'b'], plain, random, i)
      if (i >= 900 && arm === 'b') b++
      stats = recordOutcome(stats, arm!, world() < rates[arm!]! ? good : broken, plain, i)
    }
    // At most the floor (2 %) and a little Thompson exploration go to the 0.3 arm.
    expect(b).toBeGreaterThanOrEqual(93)
  })
})
