// A/A: the canary identical to stable (1 % errors, latency median 200 ms log-sd 0.5, cost median
// $0.002 log-sd 0.3). At a fixed 10 % share over 60,000 requests, judged after every request, it
// must be rolled back falsely on at most 0.5 % of seeds. And through the real step machine with the
// default steps: how far it climbs in 60,000 requests (10 per second) and whether it is ever rolled back.
import { describe, expect, it } from 'vitest'
import { DEFAULT_ROLLOUT_SETTINGS } from './index.js'
import { fixedShare, runRollout, spread, STABLE } from './test-support.js'

const SEEDS = Number(process.env.SLUICE_ROLLOUT_SEEDS ?? 200)
const REQUESTS = 60_000
const settings = DEFAULT_ROLLOUT_SETTINGS

describe(`A/A, ${SEEDS} seeds`, () => {
  it('is rolled back falsely on at most 0.5 % of seeds at 10 % traffic over 60,000 requests', () => {
    const runs = Array.from({ length: SEEDS }, (_, i) => runRollout({ seed: 1_000 + i, settings: fixedShare(settings, 10), requests: REQUESTS, stable: STABLE, canary: STABLE }))
    const false_ = runs.filter((r) => r.rolledBackAt !== undefined)
    const detail = false_.map((r) => `at ${r.rolledBackAt}: ${r.rollbackReasons!.join('; ')}`).join(' | ')
    console.log(`rollout sim: A/A at 10 % over ${REQUESTS} requests: falsely rolled back on ${false_.length}/${SEEDS} seeds${detail === '' ? '' : ` (${detail})`}`)
    expect(false_.length / SEEDS).toBeLessThanOrEqual(0.005)
  }, 600_000)

  it('through the default steps: never rolled back falsely beyond the same rate; reports the step reached', () => {
    const seeds = Math.min(SEEDS, 20)
    const runs = Array.from({ length: seeds }, (_, i) => runRollout({ seed: 5_000 + i, settings, requests: REQUESTS, stable: STABLE, canary: STABLE }))
    const rolledBack = runs.filter((r) => r.rolledBackAt !== undefined).length
    const reached = runs.map((r) => (r.state.status === 'promoted' ? 100 : settings.steps[r.state.stepIndex]!.percent))
    const completedAt = runs.filter((r) => r.state.status === 'promoted').map((r) => r.requests)
    console.log(
      `rollout sim: A/A through the default steps, ${REQUESTS} requests: rolled back on ${rolledBack}/${seeds} seeds; step reached (%) ${spread(reached, 0)}; completed on ${completedAt.length}/${seeds}${completedAt.length > 0 ? ` (requests ${spread(completedAt, 0)})` : ''}`,
    )
    expect(rolledBack / seeds).toBeLessThanOrEqual(0.02)
  }, 600_000)
})
