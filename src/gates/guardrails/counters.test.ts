// The guardrails' check counts through the real metrics: a detector's `pass` count kept on the
// detector adds to the same series as every other way of counting it, and a would-have-blocked
// check also counts on its side.
import { describe, expect, it } from 'vitest'
import { metrics } from '../../core/metrics.js'
import { countCheck, countDetector } from './counters.js'

async function value(metric: { get(): Promise<{ values: { labels: Record<string, string | number>; value: number }[] }> }, labels: Record<string, string>): Promise<number> {
  const found = (await metric.get()).values.find((v) => Object.entries(labels).every(([k, want]) => v.labels[k] === want))
  return found?.value ?? 0
}

describe('countDetector', () => {
  it('counts passes per detector and mode into the checks series, and other outcomes as countCheck does', async () => {
    const detector = { key: 'counters-test', action: 'block' }
    const pass = { detector: 'counters-test', action: 'block', mode: 'block', outcome: 'pass' }
    const before = await value(metrics.guardrailChecks, pass)
    countDetector(detector, 'block', 'pass', 'request')
    countDetector(detector, 'block', 'pass', 'response')
    countCheck('counters-test', 'block', 'block', 'pass', 'request')
    expect(await value(metrics.guardrailChecks, pass)).toBe(before + 3)
    // Another mode is its own series.
    countDetector(detector, 'log-only', 'pass', 'request')
    expect(await value(metrics.guardrailChecks, { ...pass, mode: 'log-only' })).toBe(1)
    expect(await value(metrics.guardrailChecks, pass)).toBe(before + 3)
    countDetector(detector, 'log-only', 'would_block', 'response')
    expect(await value(metrics.guardrailChecks, { ...pass, mode: 'log-only', outcome: 'would_block' })).toBe(1)
    expect(await value(metrics.guardrailWouldBlock, { detector: 'counters-test', side: 'response' })).toBe(1)
  })
})
