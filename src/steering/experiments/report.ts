// An experiment's results from its config and its stored totals: the metric list (built-in
// metrics, then the application's), each with its kind and direction, fed to `experimentResults`.
// The admin API serves this; auto-conclusion reads its decision.
import { experimentResults, type ExperimentResults, type Fields, type MetricSpec } from './results.js'
import type { ExperimentConfig } from './schema.js'

/** The built-in metrics (outcomes.ts records them): cost and tokens count against a variant. */
export const BUILTIN_METRICS: readonly MetricSpec[] = [
  { name: 'success', kind: 'proportion', lowerIsBetter: false, histogram: false },
  { name: 'latency_ms', kind: 'mean', lowerIsBetter: true, histogram: true },
  { name: 'ttft_ms', kind: 'mean', lowerIsBetter: true, histogram: true },
  { name: 'cost_usd', kind: 'mean', lowerIsBetter: true, histogram: false },
  { name: 'input_tokens', kind: 'mean', lowerIsBetter: true, histogram: false },
  { name: 'output_tokens', kind: 'mean', lowerIsBetter: true, histogram: false },
]

/** Power the sample-size estimate is for. */
const POWER = 0.8
/** A sample-ratio mismatch is flagged below this p-value (a common choice; see docs/experiment-statistics.md). */
const SRM_P = 0.001

export function metricSpecs(experiment: ExperimentConfig): MetricSpec[] {
  const application = Object.entries(experiment.metrics).map(([name, m]) => ({ name, kind: m.kind, lowerIsBetter: m.lowerIsBetter, histogram: false }))
  return [...BUILTIN_METRICS, ...application]
}

export function reportOf(key: string, experiment: ExperimentConfig, fields: ReadonlyMap<string, Fields>): ExperimentResults {
  return experimentResults({
    experiment: key,
    status: experiment.status,
    control: experiment.variants.find((v) => v.control)?.name ?? '',
    variants: experiment.variants.map((v) => ({ name: v.name, weight: v.weight })),
    metrics: metricSpecs(experiment),
    primaryMetric: experiment.primaryMetric,
    guardrailMetrics: experiment.guardrailMetrics.filter((name) => name !== experiment.primaryMetric),
    fields,
    confidence: experiment.confidence,
    tuningSampleSize: experiment.tuningSampleSize,
    minimumDetectableEffect: experiment.minimumDetectableEffect,
    power: POWER,
    srmPValueThreshold: SRM_P,
  })
}
