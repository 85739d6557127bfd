// The rollout issue's simulations through the real recordRequest / judge (test-support.ts): seeded
// request streams, `judge` after every request, distributions over seeds printed as console lines
// and the bounds asserted. Detection holds the canary's share fixed (a step that never passes), so
// it measures detection at that share. Stable: 1 % errors, lognormal latency (median 200 ms, log-sd
// 0.5), lognormal cost (median $0.002, log-sd 0.3). SLUICE_ROLLOUT_SEEDS raises the seed count.
// The A/A bound (60,000 requests) is in simulation-aa.test.ts, so the two files run in parallel.
import { beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_ROLLOUT_SETTINGS, type RolloutSettings } from './index.js'
import { fixedShare, quantile, runRollout, spread, STABLE, type ArmModel, type RolloutRun } from './test-support.js'

const SEEDS = Number(process.env.SLUICE_ROLLOUT_SEEDS ?? 200)
const CAP = 20_000
const settings = DEFAULT_ROLLOUT_SETTINGS

function detection(label: string, percent: number, canary: ArmModel): number[] {
  const at = Array.from({ length: SEEDS }, (_, i) => runRollout({ seed: i + 1, settings: fixedShare(settings, percent), requests: CAP, stable: STABLE, canary }))
  const requests = at.map((r) => r.rolledBackAt ?? Number.POSITIVE_INFINITY)
  const never = requests.filter((n) => n === Number.POSITIVE_INFINITY).length
  const finite = requests.filter((n) => Number.isFinite(n))
  console.log(
    `rollout sim: ${label} at ${percent} % canary traffic: requests to rollback ${finite.length > 0 ? spread(finite, 0) : '-'}, p95 ${quantile(requests, 0.95)} (${never}/${SEEDS} seeds not rolled back by ${CAP})`,
  )
  return requests
}

describe(`rollout detection, ${SEEDS} seeds`, () => {
  it('rolls back a canary at 5 % errors (stable 1 %) within 6,500 requests at 10 % traffic, p95', () => {
    const requests = detection('errors 1 % → 5 %', 10, { ...STABLE, errorRate: 0.05 })
    expect(quantile(requests, 0.95)).toBeLessThanOrEqual(6_500)
  })

  it('rolls back a canary at 5 % errors within 1,600 requests at 50 % traffic, p95', () => {
    const requests = detection('errors 1 % → 5 %', 50, { ...STABLE, errorRate: 0.05 })
    expect(quantile(requests, 0.95)).toBeLessThanOrEqual(1_600)
  })

  it('rolls back a canary 1.3× slower (lognormal, log-sd 0.5) within 4,000 requests at 10 % traffic, p95', () => {
    const requests = detection('latency 1.3×', 10, { ...STABLE, latencyMedianMs: 1.3 * STABLE.latencyMedianMs })
    expect(quantile(requests, 0.95)).toBeLessThanOrEqual(4_000)
  })

  it('reports what the eager rollback costs: a canary at half the latency tolerance (1.1×)', () => {
    const seeds = Math.min(SEEDS, 50)
    const runs = Array.from({ length: seeds }, (_, i) => runRollout({ seed: i + 1, settings: fixedShare(settings, 10), requests: CAP, stable: STABLE, canary: { ...STABLE, latencyMedianMs: 1.1 * STABLE.latencyMedianMs } }))
    const rolledBack = runs.filter((r) => r.rolledBackAt !== undefined).length
    console.log(`rollout sim: latency 1.1× (inside the 1.2× tolerance) at 10 % over ${CAP} requests: rolled back on ${rolledBack}/${seeds} seeds`)
    expect(rolledBack / seeds).toBeLessThanOrEqual(0.1)
  })
})

describe(`zero errors on both arms, ${SEEDS} seeds`, () => {
  // Short steps from 10 %, so the error-rate rule (not the step minimums) is what holds a step and
  // 30,000 requests can show it: at 1 % the canary would need ~37,000 requests for the rule alone.
  const quick: RolloutSettings = { ...settings, steps: [10, 25, 50, 100].map((percent) => ({ percent, minDurationMs: 0, minSamplesPerArm: 10 })) }
  const alpha = (1 - settings.health.promoteConfidence) / 2
  const needed = Math.ceil(Math.log(1 / alpha) / settings.health.errorRateTolerance)
  const flawless = { ...STABLE, errorRate: 0 }
  let runs: RolloutRun[] = []
  beforeAll(() => {
    runs = Array.from({ length: SEEDS }, (_, i) => runRollout({ seed: i + 1, settings: quick, requests: 30_000, stable: flawless, canary: flawless }))
  })

  it('is never rolled back for errors', () => {
    const errorRollbacks = runs.filter((r) => r.rollbackReasons?.some((reason) => reason.startsWith('error-rate'))).length
    const rollbacks = runs.filter((r) => r.rolledBackAt !== undefined).length
    console.log(`rollout sim: zero errors on both arms, 30,000 requests: rolled back on ${rollbacks}/${SEEDS} seeds (${errorRollbacks} for errors)`)
    expect(errorRollbacks).toBe(0)
  })

  it(`is never promoted before ${needed} canary requests in the step, and is promoted once they are in`, () => {
    const promotions = runs.flatMap((r) => r.events.filter((e) => e.decision !== 'rollback'))
    const canaryAtPromotion = promotions.map((e) => e.stats.canary.requests)
    const steps = runs.map((r) => r.events.filter((e) => e.decision !== 'rollback').length)
    console.log(`rollout sim: zero errors: canary requests in the step at promotion ${spread(canaryAtPromotion, 0)} (rule: ≥ ${needed}); steps passed per seed ${spread(steps, 0)}`)
    for (const n of canaryAtPromotion) expect(n).toBeGreaterThanOrEqual(needed)
    expect(Math.min(...steps)).toBeGreaterThanOrEqual(1)
  })
})
