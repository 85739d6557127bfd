import { describe, expect, it } from 'vitest'
import { DEFAULT_HEALTH_SETTINGS, emptyArmStats, judgeHealth, recordRequest, type ArmStats, type HealthSettings } from './health.js'

/** An arm of `n` requests, `errors` of them failed, latencies cycling through `latencies`, cost `cost` each (× a small cycle). */
function arm(n: number, errors: number, latencies: readonly number[] = [150, 200, 260], cost = 0.002): ArmStats {
  let a = emptyArmStats()
  for (let i = 0; i < n; i++) a = recordRequest(a, { error: i < errors, latencyMs: latencies[i % latencies.length]!, costUsd: cost * (0.8 + 0.1 * (i % 5)) })
  return a
}
const settings: HealthSettings = DEFAULT_HEALTH_SETTINGS
const verdicts = (report: ReturnType<typeof judgeHealth>): Record<string, string> => Object.fromEntries(report.metrics.map((m) => [m.metric, m.verdict]))

describe('canary health', () => {
  it('accumulates sufficient statistics', () => {
    const a = recordRequest(recordRequest(emptyArmStats(), { error: true, latencyMs: Math.E, costUsd: 0.5 }), { error: false, latencyMs: 1, costUsd: 1 })
    expect(a).toEqual({ requests: 2, errors: 1, logLatencySum: 1, logLatencySumSquares: 1, costSum: 1.5, costSumSquares: 1.25 })
    expect(recordRequest(emptyArmStats(), { error: false, latencyMs: 0, costUsd: Number.NaN }).logLatencySum).toBe(Math.log(0.001))
  })

  it('is inconclusive before minTestSamples on each arm', () => {
    const report = judgeHealth({ stable: arm(1_000, 10), canary: arm(50, 40) }, settings)
    expect(report.worse).toBe(false)
    expect(report.informative).toBe(false)
    expect(new Set(Object.values(verdicts(report)))).toEqual(new Set(['inconclusive']))
  })

  it('finds a clearly worse error rate', () => {
    const report = judgeHealth({ stable: arm(5_000, 50), canary: arm(1_000, 100) }, settings)
    expect(verdicts(report)['error-rate']).toBe('worse')
    expect(report.worse).toBe(true)
  })

  it('finds a clearly slower canary against log(1 + tolerance), and not a slightly slower one', () => {
    expect(verdicts(judgeHealth({ stable: arm(5_000, 50), canary: arm(2_000, 20, [300, 400, 520]) }, settings)).latency).toBe('worse')
    const slight = judgeHealth({ stable: arm(5_000, 50), canary: arm(2_000, 20, [165, 220, 286]) }, settings)
    expect(verdicts(slight).latency).not.toBe('worse')
  })

  it('judges cost relative to stable', () => {
    expect(verdicts(judgeHealth({ stable: arm(5_000, 50), canary: arm(2_000, 20, undefined, 0.004) }, settings)).cost).toBe('worse')
    expect(verdicts(judgeHealth({ stable: arm(5_000, 50), canary: arm(2_000, 20, undefined, 0.002) }, settings)).cost).toBe('not-worse')
    expect(verdicts(judgeHealth({ stable: arm(5_000, 50, undefined, 0), canary: arm(2_000, 20, undefined, 0) }, settings)).cost).toBe('not-worse')
    expect(judgeHealth({ stable: arm(500, 5), canary: arm(500, 5) }, { ...settings, costTolerance: null }).metrics.map((m) => m.metric)).toEqual(['error-rate', 'latency'])
  })

  it('with identical healthy arms and enough data, every metric is not worse', () => {
    const report = judgeHealth({ stable: arm(20_000, 200), canary: arm(5_000, 50) }, settings)
    expect(verdicts(report)).toEqual({ 'error-rate': 'not-worse', latency: 'not-worse', cost: 'not-worse' })
    expect(report.informative).toBe(true)
  })

  it('zero errors on both arms: never worse; not-worse for errors only from ln(1/α)/tolerance canary requests', () => {
    const alpha = (1 - settings.promoteConfidence) / 2
    const needed = Math.ceil(Math.log(1 / alpha) / settings.errorRateTolerance)
    expect(needed).toBe(369)
    for (const n of [100, 200, needed - 1]) {
      const report = judgeHealth({ stable: arm(10 * n, 0), canary: arm(n, 0) }, settings)
      expect(verdicts(report)['error-rate']).toBe('inconclusive')
      expect(report.informative).toBe(false)
    }
    expect(verdicts(judgeHealth({ stable: arm(10 * needed, 0), canary: arm(needed, 0) }, settings))['error-rate']).toBe('not-worse')
  })

  it('errors on the canary against a flawless stable: stable counted with one pseudo-error, read for rollback only', () => {
    // 20 % canary errors against none in 5,000 stable requests: worse.
    const failing = judgeHealth({ stable: arm(5_000, 0), canary: arm(500, 100) }, settings)
    expect(verdicts(failing)['error-rate']).toBe('worse')
    expect(failing.metrics.find((m) => m.metric === 'error-rate')!.reason).toMatch(/counted as one/)
    // One canary error in 500 against a flawless stable: within the tolerance, and never promotable from it.
    const fine = judgeHealth({ stable: arm(5_000, 0), canary: arm(500, 1) }, settings)
    expect(verdicts(fine)['error-rate']).toBe('inconclusive')
    expect(fine.informative).toBe(false)
    // Too few canary requests to tell 2 errors in 50 from noise at this confidence... but 40 in 50 is clear.
    expect(verdicts(judgeHealth({ stable: arm(5_000, 0), canary: arm(100, 2) }, settings))['error-rate']).toBe('inconclusive')
    expect(verdicts(judgeHealth({ stable: arm(5_000, 0), canary: arm(100, 40) }, settings))['error-rate']).toBe('worse')
    // The hard stop still applies on its own.
    const stopped = judgeHealth({ stable: arm(5_000, 0), canary: arm(500, 100) }, { ...settings, maxErrorRate: 0.1 })
    expect(stopped.hardStop).toMatch(/hard stop/)
  })

  it('skips the promotion sequences when asked: nothing is then not-worse from them', () => {
    const report = judgeHealth({ stable: arm(20_000, 200), canary: arm(5_000, 50) }, settings, false)
    expect(report.informative).toBe(false)
    expect(report.metrics.every((m) => m.promoteInterval === undefined)).toBe(true)
  })
})
