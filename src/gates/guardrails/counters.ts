// The guardrails' metrics: one check per detector per request side with its outcome, the
// would-have-blocked count of log-only mode, and the time each detector took (sampled).
import { cachedLabels, countedLabels, metrics, type LocalCount } from '../../core/metrics.js'
import type { GuardrailEvent } from '../../core/facts.js'

// Counted locally and flushed when collected: a check costs an addition, not a prom-client call.
const checks = countedLabels(metrics.guardrailChecks)
const wouldBlock = countedLabels(metrics.guardrailWouldBlock)
const duration = cachedLabels(metrics.guardrailDuration)

/** One timing in SAMPLE_EVERY is kept: a histogram observation costs more than a detector's scan of a short prompt. */
const SAMPLE_EVERY = 64
let sampled = 0

/** Whether this check's time is to be measured. */
export function timing(): boolean {
  sampled = (sampled + 1) % SAMPLE_EVERY
  return sampled === 0
}

export type CheckOutcome = GuardrailEvent['outcome'] | 'pass'

export function countCheck(detector: string, action: string, mode: string, outcome: CheckOutcome, side: 'request' | 'response'): void {
  checks(detector, action, mode, outcome).inc()
  if (outcome === 'would_block') wouldBlock(detector, side).inc()
}

/** Each detector's `pass` count by mode, kept on the detector: the count of nearly every check, without a label lookup. */
const passes = new WeakMap<object, Map<string, LocalCount>>()

/** `countCheck` for one detector of a compiled set (the same object every request of a snapshot). */
export function countDetector(detector: { readonly key: string; readonly action: string }, mode: string, outcome: CheckOutcome, side: 'request' | 'response'): void {
  if (outcome !== 'pass') return countCheck(detector.key, detector.action, mode, outcome, side)
  let byMode = passes.get(detector)
  if (byMode === undefined) passes.set(detector, (byMode = new Map()))
  let count = byMode.get(mode)
  if (count === undefined) byMode.set(mode, (count = checks(detector.key, detector.action, mode, 'pass')))
  count.inc()
}

export function observeDuration(detector: string, side: 'request' | 'response', ms: number): void {
  duration(detector, side).observe(ms / 1000)
}
