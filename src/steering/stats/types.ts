// Shared shapes of the experiment statistics (docs/experiment-statistics.md).
// Every function here answers with a value: `{ ok: true, ... }` or an `Unavailable` that says why
// there is no answer, so a dashboard can show "not enough data" instead of NaN or a stack trace.

/**
 * What a variant's metric is aggregated to: the count of units, the sum of their values and the
 * sum of their squares. For a proportion (0/1 values) sum = sumSquares = successes.
 */
export interface VariantStats {
  readonly n: number
  readonly sum: number
  readonly sumSquares: number
}

/**
 * `mean`: any numeric metric, sample variance with n − 1. `proportion`: 0/1 values, Bernoulli
 * variance p(1 − p) — GrowthBook's convention, which its reference values depend on.
 */
export type MetricKind = 'mean' | 'proportion'

/** `absolute`: variant − control, in the metric's unit. `relative`: (variant − control) / |control|. */
export type Difference = 'absolute' | 'relative'

export type UnavailableReason =
  | 'invalid-input'
  | 'too-few-units'
  | 'zero-variance'
  | 'zero-baseline'
  | 'no-traffic'
  | 'too-few-variants'

export interface Unavailable {
  readonly ok: false
  readonly reason: UnavailableReason
  readonly message: string
}

/** A two-sided interval: [lower, upper]. */
export type Interval = readonly [lower: number, upper: number]

export function unavailable(reason: UnavailableReason, message: string): Unavailable {
  return { ok: false, reason, message }
}

/**
 * Whether `x` is a probability strictly between 0 and 1 (a confidence, alpha or power) whose
 * complement is too: a confidence of 1e-17 leaves alpha at exactly 1 in doubles.
 */
export function isOpenUnit(x: number): boolean {
  return x > 0 && x < 1 && 1 - x > 0 && 1 - x < 1
}
