// Settings checks: every problem reported with its path, the defaults valid for K ≥ 2.
import { describe, expect, it } from 'vitest'
import { formatProblem } from '../../core/problems.js'
import { banditSettings, banditSettingsProblems, DEFAULT_BANDIT_SETTINGS, type BanditOverrides } from './settings.js'

describe('banditSettingsProblems', () => {
  it.each([2, 3, 10, 50])('accepts the defaults for %i arms', (arms) => {
    expect(banditSettingsProblems(DEFAULT_BANDIT_SETTINGS, arms)).toEqual([])
  })

  it.each<[BanditOverrides, number, string[]]>([
    [{}, 1, ['bandit: a bandit needs at least 2 arms (got 1)']],
    [{ floor: 0.2 }, 6, ['bandit.floor: floor × arms must be at most 1 (6 arms) (got 0.2)']],
    [{ floor: -0.01 }, 3, ['bandit.floor: must be a number ≥ 0 (got -0.01)']],
    [{ discount: 0 }, 3, ['bandit.discount: must be a number above 0 and at most 1 (got 0)']],
    [{ discount: 1.01 }, 3, ['bandit.discount: must be a number above 0 and at most 1 (got 1.01)']],
    [{ halfLifeMs: 0, evidenceWeight: Number.NaN }, 3, ['bandit.evidenceWeight: must be a positive number (got null)', 'bandit.halfLifeMs: must be a positive number (got 0)']],
    [{ priorAlpha: 0 }, 3, ['bandit.priorAlpha: must be a positive number (got 0)']],
    [{ reward: { success: 0.5 } }, 3, ['bandit.reward: the weights success + latency + cost + quality must sum to 1 (got 0.5)']],
    [
      { constraints: { maxErrorRate: 2, maxLatencyMs: -1, latencyQuantile: 1, minSamples: 0 } },
      3,
      [
        'bandit.constraints.maxErrorRate: must be a number from 0 to 1 (got 2)',
        'bandit.constraints.maxLatencyMs: must be a positive number (got -1)',
        'bandit.constraints.latencyQuantile: must be a number between 0 and 1 (got 1)',
        'bandit.constraints.minSamples: must be a number ≥ 1 (got 0)',
      ],
    ],
  ])('%j over %i arms', (overrides, arms, expected) => {
    expect(banditSettingsProblems(banditSettings(overrides), arms, ['bandit']).map(formatProblem)).toEqual(expected)
  })

  it('keeps the time decay optional', () => {
    expect(banditSettingsProblems(banditSettings({ halfLifeMs: undefined }), 3)).toEqual([])
  })
})
