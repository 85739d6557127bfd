import { describe, expect, it } from 'vitest'
import { emptyArmStats, recordRequest, type ArmStats, type RolloutStats } from './health.js'
import { canaryPercent, DEFAULT_ROLLOUT_SETTINGS, judge, pause, promote, resume, rollback, startRollout, validateSteps, type RolloutSettings } from './rollout.js'

function arm(n: number, errors: number, latencies: readonly number[] = [150, 200, 260]): ArmStats {
  let a = emptyArmStats()
  for (let i = 0; i < n; i++) a = recordRequest(a, { error: i < errors, latencyMs: latencies[i % latencies.length]!, costUsd: 0.002 * (0.8 + 0.1 * (i % 5)) })
  return a
}
const healthy: RolloutStats = { stable: arm(20_000, 200), canary: arm(5_000, 50) }
const broken: RolloutStats = { stable: arm(5_000, 50), canary: arm(1_000, 100) }
const settings: RolloutSettings = DEFAULT_ROLLOUT_SETTINGS
const MIN = settings.steps[0]!.minDurationMs

describe('the rollout step machine', () => {
  it('holds until the step minimum duration has passed, then promotes with healthy, informative data', () => {
    const state = startRollout(0)
    const early = judge(state, healthy, settings, MIN - 1)
    expect(early.decision).toBe('hold')
    expect(early.reasons.join()).toMatch(/ms/)
    const later = judge(state, healthy, settings, MIN)
    expect(later.decision).toBe('promote')
    expect(later.state).toMatchObject({ stepIndex: 1, stepStartedAtMs: MIN, status: 'progressing' })
    expect(canaryPercent(later.state, settings)).toBe(5)
  })

  it('holds for the minimum samples per arm', () => {
    const few = { stable: arm(20_000, 200), canary: arm(299, 2) }
    const j = judge(startRollout(0), few, settings, MIN)
    expect(j.decision).toBe('hold')
    expect(j.reasons.join()).toMatch(/canary has 299 of 300/)
  })

  it('holds while a metric is not yet shown not worse (too little data)', () => {
    const j = judge(startRollout(0), { stable: arm(400, 4), canary: arm(400, 4) }, { ...settings, steps: settings.steps.map((s) => ({ ...s, minSamplesPerArm: 0 })) }, MIN)
    expect(j.decision).toBe('hold')
    expect(j.reasons.some((r) => r.includes('not yet shown not worse'))).toBe(true)
  })

  it('rolls back as soon as a metric is worse, before the minimums, and while paused', () => {
    const j = judge(startRollout(0), broken, settings, 1)
    expect(j.decision).toBe('rollback')
    expect(j.state.status).toBe('rolled-back')
    expect(j.reasons[0]).toMatch(/^error-rate worse/)
    expect(canaryPercent(j.state, settings)).toBe(0)
    expect(judge(pause(startRollout(0)), broken, settings, 1).decision).toBe('rollback')
    expect(judge(j.state, healthy, settings, MIN).decision).toBe('hold')
  })

  it('completes when the step before 100 % passes', () => {
    const last = { stepIndex: settings.steps.length - 2, stepStartedAtMs: 0, status: 'progressing' as const, reason: '' }
    const j = judge(last, healthy, settings, MIN)
    expect(j.decision).toBe('complete')
    expect(j.state.status).toBe('promoted')
    expect(canaryPercent(j.state, settings)).toBe(100)
    expect(judge(j.state, broken, settings, MIN).decision).toBe('hold')
  })

  it('manual actions are pure transitions', () => {
    const s = startRollout(0)
    const paused = pause(s, 'looking')
    expect(paused).toEqual({ ...s, status: 'paused', reason: 'looking' })
    expect(judge(paused, healthy, settings, MIN).decision).toBe('hold')
    expect(resume(paused)).toMatchObject({ status: 'progressing', stepStartedAtMs: 0 })
    expect(promote(paused, settings, 5)).toMatchObject({ stepIndex: 1, stepStartedAtMs: 5, status: 'progressing' })
    expect(rollback(s, 'bad')).toMatchObject({ status: 'rolled-back', reason: 'bad' })
    expect(() => resume(s)).toThrow()
    expect(() => pause(paused)).toThrow()
    expect(() => promote(rollback(s), settings, 0)).toThrow()
    expect(() => rollback(rollback(s))).toThrow()
    expect(s.status).toBe('progressing')
  })

  it('validates steps', () => {
    expect(() => validateSteps(settings.steps)).not.toThrow()
    expect(() => validateSteps([{ percent: 100, minDurationMs: 0, minSamplesPerArm: 0 }])).toThrow()
    expect(() => validateSteps([{ percent: 5, minDurationMs: 0, minSamplesPerArm: 0 }, { percent: 5, minDurationMs: 0, minSamplesPerArm: 0 }, { percent: 100, minDurationMs: 0, minSamplesPerArm: 0 }])).toThrow()
    expect(() => validateSteps([{ percent: 5, minDurationMs: 0, minSamplesPerArm: 0 }, { percent: 50, minDurationMs: 0, minSamplesPerArm: 0 }])).toThrow()
  })
})
