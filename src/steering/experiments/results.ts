// An experiment's results, as `GET /v1/experiments/{key}/results` serves them: the stored aggregates
// (outcome-store.ts, read by results-fields.ts) through the statistics of ../stats
// (docs/experiment-statistics.md). Pure: fields in, a JSON-ready object out — no NaN, Infinity or
// undefined anywhere (a number that cannot be given is null; a section that cannot be answered is
// the library's `{ ok: false, reason, message }`).
//
// Per metric and non-control variant: Welch (fixed horizon) and the always-valid confidence sequence,
// each for the absolute and relative effect, and the Bayesian chance to beat control on the relative
// lift. The verdict reads the sequential ABSOLUTE interval, the one valid at every look: above 0 is
// `better` (below 0 when lower is better), the other side `worse`, containing 0 `inconclusive`.
//
// Decision rule:
//  1. A sample-ratio mismatch (SRM p-value below the threshold) means assignment or counting is
//     broken: nothing is decisive. An SRM that cannot be computed (no traffic yet) does not block.
//  2. Among non-control variants `better` on the primary metric and `worse` on no guardrail metric,
//     the winner is the one with the best primary mean (highest, or lowest when lower is better;
//     the first in config order on a tie).
//  3. Otherwise, when every non-control variant is `worse` than the control on the primary metric,
//     the control wins.
//  4. Otherwise nothing is decisive, and the reason names what is missing.
// Sample size: the fixed-horizon units per variant to detect the relative minimum detectable effect
// as an improvement (a decrease when lower is better) at the control's observed mean and variance;
// progress counts the smallest variant that still receives traffic (weight > 0; a variant ramped
// down to 0 gains no units).
import { compareVariants, momentsOf, requiredSampleSize, sampleRatioMismatch, type SequentialResult, type Unavailable, type WelchResult } from '../stats/index.js'
import { unavailable } from '../stats/types.js'
import { fieldOf, finiteOrNull, metricStatsOf, quantilesOf } from './results-fields.js'
import type { Decision, EffectEstimate, ExperimentResults, MetricResults, MetricSpec, ResultsInput, SampleSize, SequentialEstimate, SrmSummary, VariantComparison, VariantSummary, Verdict } from './results-types.js'

export type {
  Decision,
  EffectEstimate,
  ExperimentResults,
  MetricResults,
  MetricSpec,
  ResultsInput,
  SampleSize,
  SequentialEstimate,
  SrmSummary,
  VariantComparison,
  VariantSummary,
  Verdict,
} from './results-types.js'
export type { Fields, Quantiles } from './results-fields.js'

export function experimentResults(input: ResultsInput): ExperimentResults {
  const counts = input.variants.map((v) => fieldOf(input.fields.get(v.name), 'users'))
  const metrics = input.metrics.map((spec) => metricResults(input, spec))
  const srm = srmOf(input, counts)
  return {
    experiment: input.experiment,
    status: input.status,
    control: input.control,
    confidence: input.confidence,
    users: Object.fromEntries(input.variants.map((v, i) => [v.name, counts[i]!])),
    srm,
    primaryMetric: input.primaryMetric,
    metrics,
    decision: decide(input, srm, metrics),
  }
}

function srmOf(input: ResultsInput, counts: readonly number[]): SrmSummary | Unavailable {
  const r = sampleRatioMismatch(counts, input.variants.map((v) => v.weight), { alpha: input.srmPValueThreshold })
  if (!r.ok) return r
  return { ok: true, chiSquare: finiteOrNull(r.chiSquare), pValue: r.pValue, mismatch: r.mismatch }
}

function metricResults(input: ResultsInput, spec: MetricSpec): MetricResults {
  const { control, fields } = input
  const variants = input.variants.map(({ name }): VariantSummary => {
    const stats = metricStatsOf(fields.get(name), spec.name)
    const m = momentsOf(stats, spec.kind)
    // One unit has a mean but no sample variance: show the mean from n ≥ 1.
    const mean = m.ok ? finiteOrNull(m.mean) : stats.n > 0 ? finiteOrNull(stats.sum / stats.n) : null
    const summary = { variant: name, n: stats.n, mean, variance: m.ok ? finiteOrNull(m.variance) : null }
    return spec.histogram ? { ...summary, ...quantilesOf(fields.get(name), spec.name) } : summary
  })
  const controlStats = metricStatsOf(fields.get(control), spec.name)
  const comparisons = input.variants
    .filter((v) => v.name !== control)
    .map(({ name }): VariantComparison => {
      const options = { metric: spec.kind, confidence: input.confidence, tuningSampleSize: input.tuningSampleSize, lowerIsBetter: spec.lowerIsBetter }
      const c = compareVariants(controlStats, metricStatsOf(fields.get(name), spec.name), options)
      const sequential = { absolute: sequentialOf(c.absolute.sequential), relative: sequentialOf(c.relative.sequential) }
      const bayesian = c.relative.bayesian
      return {
        variant: name,
        absolute: welchOf(c.absolute.welch),
        relative: welchOf(c.relative.welch),
        sequential,
        chanceToBeatControl: bayesian.ok ? finiteOrNull(bayesian.chanceToBeatControl) : null,
        verdict: verdictOf(sequential.absolute, spec.lowerIsBetter),
      }
    })
  return {
    name: spec.name,
    kind: spec.kind,
    lowerIsBetter: spec.lowerIsBetter,
    guardrail: input.guardrailMetrics.includes(spec.name),
    primary: spec.name === input.primaryMetric,
    variants,
    comparisons,
    sampleSize: sampleSizeOf(input, spec, variants),
  }
}

function welchOf(r: WelchResult | Unavailable): EffectEstimate | Unavailable {
  if (!r.ok) return r
  const x = finite([r.estimate, ...r.interval, r.pValue])
  return x === undefined ? OUT_OF_RANGE : { ok: true, estimate: x[0]!, interval: [x[1]!, x[2]!], pValue: x[3]! }
}

function sequentialOf(r: SequentialResult | Unavailable): SequentialEstimate | Unavailable {
  if (!r.ok) return r
  const x = finite([r.estimate, ...r.interval])
  return x === undefined ? OUT_OF_RANGE : { ok: true, estimate: x[0]!, interval: [x[1]!, x[2]!] }
}

/** An interval as wide as the double range (huge sums, a confidence of 1 − 1e-16) has no JSON form. */
const OUT_OF_RANGE = unavailable('invalid-input', 'the effect or its interval is beyond floating-point range')

/** The numbers as JSON reads them back (-0 as 0), or undefined when one has no JSON form. */
function finite(numbers: readonly number[]): number[] | undefined {
  const clean = numbers.map(finiteOrNull)
  return clean.every((x) => x !== null) ? (clean as number[]) : undefined
}

function verdictOf(sequential: SequentialEstimate | Unavailable, lowerIsBetter: boolean): Verdict {
  if (!sequential.ok) return 'inconclusive'
  const [lower, upper] = sequential.interval
  const higher = lower > 0 ? true : upper < 0 ? false : undefined
  if (higher === undefined) return 'inconclusive'
  return higher !== lowerIsBetter ? 'better' : 'worse'
}

function sampleSizeOf(input: ResultsInput, spec: MetricSpec, variants: readonly VariantSummary[]): SampleSize | Unavailable {
  const m = momentsOf(metricStatsOf(input.fields.get(input.control), spec.name), spec.kind)
  if (!m.ok) return unavailable(m.reason, `control: ${m.message}`)
  const r = requiredSampleSize({
    baselineMean: m.mean,
    baselineVariance: m.variance,
    // An improvement: a decrease when lower is better (power.ts takes the lift's sign).
    minimumDetectableLift: Math.abs(input.minimumDetectableEffect) * (spec.lowerIsBetter ? -1 : 1),
    alpha: 1 - input.confidence,
    power: input.power,
  })
  if (!r.ok) return r
  const live = variants.filter((_, i) => input.variants[i]!.weight > 0)
  const counted = (live.length > 0 ? live : variants).map((v) => v.n)
  const smallestVariantN = counted.length > 0 ? Math.min(...counted) : 0
  const progress = Math.max(0, Math.min(1, smallestVariantN / r.sampleSizePerVariant))
  return { ok: true, requiredPerVariant: r.sampleSizePerVariant, smallestVariantN, progress }
}

function decide(input: ResultsInput, srm: SrmSummary | Unavailable, metrics: readonly MetricResults[]): Decision {
  const { control, primaryMetric } = input
  const none = (reason: string): Decision => ({ decisive: false, winner: null, reason })
  if (srm.ok && srm.mismatch) {
    return none(`sample ratio mismatch (p = ${format(srm.pValue)} < ${input.srmPValueThreshold}): assignment or counting is broken, so no result can be trusted`)
  }
  const primary = metrics.find((m) => m.name === primaryMetric)
  if (primary === undefined) return none(`the primary metric ${primaryMetric} is not among the metrics`)
  const missing = input.guardrailMetrics.filter((g) => !metrics.some((m) => m.name === g))
  if (missing.length > 0) return none(`guardrail metric ${missing.join(', ')} is not among the metrics`)
  if (primary.comparisons.length === 0) return none(`there is no variant besides the control ${control}`)
  const guardrails = metrics.filter((m) => m.guardrail)
  const worseOn = (variant: string) => guardrails.filter((g) => g.comparisons.some((c) => c.variant === variant && c.verdict === 'worse')).map((g) => g.name)
  const better = primary.comparisons.filter((c) => c.verdict === 'better')
  const candidates = better.filter((c) => worseOn(c.variant).length === 0)
  if (candidates.length > 0) {
    const meanOf = (variant: string) => primary.variants.find((v) => v.variant === variant)?.mean ?? Number.NaN
    const sign = primary.lowerIsBetter ? -1 : 1
    const best = candidates.reduce((a, b) => (sign * meanOf(b.variant) > sign * meanOf(a.variant) ? b : a))
    const others = candidates.filter((c) => c !== best).map((c) => c.variant)
    const also = others.length > 0 ? `; ${others.join(', ')} also better, ${best.variant} has the best mean` : ''
    return {
      decisive: true,
      winner: best.variant,
      reason: `${best.variant} is better than ${control} on ${primaryMetric} (${intervalText(input, best)}) and no guardrail metric is worse${also}`,
    }
  }
  if (primary.comparisons.every((c) => c.verdict === 'worse')) {
    const which = primary.comparisons.length === 1 ? primary.comparisons[0]!.variant : 'every variant'
    return { decisive: true, winner: control, reason: `${which} is worse than ${control} on ${primaryMetric}: ${control} wins` }
  }
  const parts = better.map((c) => `${c.variant} is better than ${control} on ${primaryMetric} but worse on guardrail ${worseOn(c.variant).join(', ')}`)
  const worse = primary.comparisons.filter((c) => c.verdict === 'worse').map((c) => c.variant)
  if (worse.length > 0) parts.push(`${worse.join(', ')} ${worse.length === 1 ? 'is' : 'are'} worse than ${control} on ${primaryMetric}`)
  const undecided = primary.comparisons.filter((c) => c.verdict === 'inconclusive').map((c) => c.variant)
  if (undecided.length > 0) {
    const who = undecided.length === primary.comparisons.length ? 'no variant differs' : `${undecided.join(', ')} ${undecided.length === 1 ? 'does' : 'do'} not differ`
    parts.push(`${who} from ${control} on ${primaryMetric} yet`)
  }
  return none(parts.join('; '))
}

function intervalText(input: ResultsInput, c: VariantComparison): string {
  const s = c.sequential.absolute
  const range = s.ok ? ` [${format(s.interval[0])}, ${format(s.interval[1])}]` : ''
  return `sequential ${format(input.confidence * 100)} % interval of the difference${range}`
}

function format(x: number): string {
  return String(Number(x.toPrecision(4)))
}
