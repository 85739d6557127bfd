// The shapes of an experiment's results (results.ts): its input, and the JSON that
// `GET /v1/experiments/{key}/results` serves. Every number is finite or null; a section that cannot
// be answered is the statistics library's Unavailable.
import type { Interval, Unavailable } from '../stats/index.js'
import type { Fields, Quantiles } from './results-fields.js'

export interface MetricSpec {
  readonly name: string
  readonly kind: 'mean' | 'proportion'
  readonly lowerIsBetter: boolean
  /** Read `h:<name>:*` fields for p50/p95/p99. */
  readonly histogram: boolean
}

export interface ResultsInput {
  readonly experiment: string
  /** draft | running | stopped | concluded, echoed. */
  readonly status: string
  readonly control: string
  /** In config order, control included. */
  readonly variants: readonly { readonly name: string; readonly weight: number }[]
  /** In the order to report. */
  readonly metrics: readonly MetricSpec[]
  readonly primaryMetric: string
  readonly guardrailMetrics: readonly string[]
  /** Variant → stored fields; a variant never written is absent (no data). */
  readonly fields: ReadonlyMap<string, Fields>
  readonly confidence: number
  /** N* of the confidence sequence (both variants' units). */
  readonly tuningSampleSize: number
  /** Relative: 0.05 for +5 %. */
  readonly minimumDetectableEffect: number
  readonly power: number
  readonly srmPValueThreshold: number
}

export interface SrmSummary {
  readonly ok: true
  /** null only when beyond double range (a weight whose expected count underflows to 0). */
  readonly chiSquare: number | null
  readonly pValue: number
  readonly mismatch: boolean
}

export interface EffectEstimate {
  readonly ok: true
  readonly estimate: number
  readonly interval: Interval
  readonly pValue: number
}

export interface SequentialEstimate {
  readonly ok: true
  readonly estimate: number
  readonly interval: Interval
}

export type Verdict = 'better' | 'worse' | 'inconclusive'

export interface VariantComparison {
  readonly variant: string
  readonly absolute: EffectEstimate | Unavailable
  readonly relative: EffectEstimate | Unavailable
  readonly sequential: { readonly absolute: SequentialEstimate | Unavailable; readonly relative: SequentialEstimate | Unavailable }
  readonly chanceToBeatControl: number | null
  readonly verdict: Verdict
}

/** `p50`, `p95`, `p99` are present only for a metric with a histogram. */
export interface VariantSummary extends Partial<Quantiles> {
  readonly variant: string
  readonly n: number
  readonly mean: number | null
  readonly variance: number | null
}

export interface SampleSize {
  readonly ok: true
  readonly requiredPerVariant: number
  readonly smallestVariantN: number
  /** min(1, smallestVariantN / requiredPerVariant). */
  readonly progress: number
}

export interface MetricResults {
  readonly name: string
  readonly kind: 'mean' | 'proportion'
  readonly lowerIsBetter: boolean
  readonly guardrail: boolean
  readonly primary: boolean
  readonly variants: readonly VariantSummary[]
  readonly comparisons: readonly VariantComparison[]
  readonly sampleSize: SampleSize | Unavailable
}

export type Decision =
  | { readonly decisive: true; readonly winner: string; readonly reason: string }
  | { readonly decisive: false; readonly winner: null; readonly reason: string }

export interface ExperimentResults {
  readonly experiment: string
  readonly status: string
  readonly control: string
  readonly confidence: number
  /** Every configured variant; 0 when it has no data. */
  readonly users: Readonly<Record<string, number>>
  readonly srm: SrmSummary | Unavailable
  readonly primaryMetric: string
  readonly metrics: readonly MetricResults[]
  readonly decision: Decision
}
