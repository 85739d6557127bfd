// rewardOf: the documented formula on exact cases, and the weight checks.
import { describe, expect, it } from 'vitest'
import { DEFAULT_REWARD_WEIGHTS, rewardOf, rewardWeightsProblems, type RequestOutcome, type RewardWeights } from './reward.js'

const mixed: RewardWeights = { success: 0.5, latency: 0.2, cost: 0.1, quality: 0.2, latencyCeilingMs: 10_000, costCeilingUsd: 0.01 }
const ok = (latencyMs: number, costUsd: number, quality?: number): RequestOutcome => ({ ok: true, latencyMs, costUsd, quality })

describe('rewardOf', () => {
  it.each([
    // Success only (the default): 1 or 0.
    { outcome: ok(900, 0.5), weights: DEFAULT_REWARD_WEIGHTS, reward: 1 },
    { outcome: { ok: false, latencyMs: 5, costUsd: 0 }, weights: DEFAULT_REWARD_WEIGHTS, reward: 0 },
    // 0.5 + 0.2·(1 − 2,500/10,000) + 0.1·(1 − 0.004/0.01) + 0.2·0.9 = 0.5 + 0.15 + 0.06 + 0.18.
    { outcome: ok(2_500, 0.004, 0.9), weights: mixed, reward: 0.89 },
    // A failure earns nothing, however fast, cheap and well scored.
    { outcome: { ok: false, latencyMs: 1, costUsd: 0, quality: 1 }, weights: mixed, reward: 0 },
    // Past a ceiling a term earns nothing, and no less.
    { outcome: ok(60_000, 1, 0), weights: mixed, reward: 0.5 },
    // Unscored: quality leaves the sum and the rest is scaled by 1 / 0.8 — (0.5 + 0.15 + 0.06) / 0.8.
    { outcome: ok(2_500, 0.004), weights: mixed, reward: 0.8875 },
    { outcome: ok(0, 0), weights: mixed, reward: 1 },
    // Quality-only weights and no score: success is all that is known.
    { outcome: ok(0, 0), weights: { ...mixed, success: 0, latency: 0, cost: 0, quality: 1 }, reward: 1 },
    // Out-of-range inputs are clamped; a latency that is not a number counts as the ceiling.
    { outcome: ok(-5, -1, 1.7), weights: mixed, reward: 1 },
    { outcome: ok(Number.NaN, 0, 1), weights: mixed, reward: 0.8 },
    { outcome: ok(0, 0, Number.NaN), weights: mixed, reward: 1 },
  ])('$outcome → $reward', ({ outcome, weights, reward }) => {
    expect(rewardOf(outcome, weights)).toBeCloseTo(reward, 12)
  })

  it('stays within [0, 1] for any weights that pass the checks', () => {
    const weights: RewardWeights = { success: 0.1, latency: 0.3, cost: 0.3, quality: 0.3, latencyCeilingMs: 1, costCeilingUsd: 1 }
    for (const latencyMs of [0, 0.5, 1, 1e9]) {
      for (const quality of [undefined, 0, 0.5, 1]) {
        const r = rewardOf(ok(latencyMs, 0.2, quality), weights)
        expect(r).toBeGreaterThanOrEqual(0.1)
        expect(r).toBeLessThanOrEqual(1)
      }
    }
  })
})

describe('rewardWeightsProblems', () => {
  it('accepts the default and weights that sum to 1 up to rounding', () => {
    expect(rewardWeightsProblems(DEFAULT_REWARD_WEIGHTS)).toEqual([])
    expect(rewardWeightsProblems({ ...mixed, success: 0.6, latency: 0.3, cost: 0.1, quality: 0 })).toEqual([])
  })

  it.each([
    [{ ...mixed, success: 0.6 }, [{ path: 'bandit.reward', problem: 'the weights success + latency + cost + quality must sum to 1', got: 1.1 }]],
    [{ ...mixed, cost: -0.1, success: 0.7 }, [{ path: 'bandit.reward.cost', problem: 'must be a number from 0 to 1', got: -0.1 }]],
    [{ ...mixed, latencyCeilingMs: 0 }, [{ path: 'bandit.reward.latencyCeilingMs', problem: 'must be a positive number', got: 0 }]],
  ])('reports %j', (weights, problems) => {
    const found = rewardWeightsProblems(weights, ['bandit', 'reward'])
    expect(found.map((p) => ({ ...p, got: typeof p.got === 'number' ? Number(p.got.toFixed(9)) : p.got }))).toEqual(problems)
  })
})
