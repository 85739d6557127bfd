// The guardrails' metrics: one check per detector per request side with its outcome, the
// would-have-blocked count of log-only mode, and the time each detector took.
import { cachedLabels, metrics } from '../../core/metrics.js'
import type { GuardrailEvent } from '../../core/facts.js'

const checks = cachedLabels(metrics.guardrailChecks)
const wouldBlock = cachedLabels(metrics.guardrailWouldBlock)
const duration = cachedLabels(metrics.guardrailDuration)

export type CheckOutcome = GuardrailEvent['outcome'] | 'pass'

export function countCheck(detector: string, action: string, mode: string, outcome: CheckOutcome, side: 'request' | 'response'): void {
  checks(detector, action, mode, outcome).inc()
  if (outcome === 'would_block') wouldBlock(detector, side).inc()
}

export function observeDuration(detector: string, side: 'request' | 'response', ms: number): void {
  duration(detector, side).observe(ms / 1000)
}
