// Paired outcomes of a shadow: for each mirrored request, the primary's and the shadow's call side
// by side (latency, time to first token, error, tokens, cost). `pairEvents` turns one pair into
// metric values for the experiments' outcome store, which keeps count, sum and sum of squares per
// metric (so the summary is exact across a fleet and survives restarts); `summarizePairs` reads
// them back as paired differences (shadow − primary) with n, mean, sample standard deviation and
// a 95 % half-width, and each side's own mean. A metric missing on either side (no first token,
// no usage, no price) leaves that pair out of that metric only.
import { SHADOW_SKIPS, type ShadowSkip } from '../../core/shadow.js'
import type { ShadowConfig } from './schema.js'

/** One side of a pair as the summary reads it. */
export interface ShadowCall {
  /** From sending the request upstream to the end of the answer. */
  readonly latencyMs: number | undefined
  readonly ttftMs: number | undefined
  /** No 2xx answer, or one that broke off. */
  readonly error: boolean
  readonly inputTokens: number | undefined
  readonly outputTokens: number | undefined
  readonly costUsd: number | undefined
}

export const PAIRED_METRICS = ['latencyMs', 'ttftMs', 'inputTokens', 'outputTokens', 'costUsd'] as const
export type PairedMetric = (typeof PAIRED_METRICS)[number]

/** The event names of each paired metric, built once rather than per pair. */
const EVENT_NAMES = PAIRED_METRICS.map((metric) => ({ metric, diff: `diff_${metric}`, primary: `primary_${metric}`, shadow: `shadow_${metric}` }))

export interface DifferenceSummary {
  readonly n: number
  /** Mean of shadow − primary; undefined with no pair. */
  readonly mean: number | undefined
  /** Sample standard deviation of the differences; undefined below two pairs. */
  readonly sd: number | undefined
  /** Half-width of the normal-approximation 95 % interval of the mean (1.96 sd / √n); undefined below two pairs. */
  readonly ci95: number | undefined
  /** Each side's mean over the same pairs. */
  readonly primaryMean: number | undefined
  readonly shadowMean: number | undefined
}

export interface ShadowSummary {
  readonly pairs: number
  readonly primaryErrors: number
  readonly shadowErrors: number
  readonly skipped: Readonly<Record<ShadowSkip, number>>
  readonly differences: Readonly<Record<PairedMetric, DifferenceSummary>>
}

/** Where one pair's values go: the outcome recorder's per-variant event sink. */
export interface PairSink {
  event(metric: string, value: number): void
}

/** Records one pair: counts, errors, and for each metric both sides have, the difference and each side. */
export function pairEvents(sink: PairSink, primary: ShadowCall, shadow: ShadowCall): void {
  sink.event('pairs', 1)
  sink.event('primary_error', primary.error ? 1 : 0)
  sink.event('shadow_error', shadow.error ? 1 : 0)
  for (const names of EVENT_NAMES) {
    const a = primary[names.metric]
    const b = shadow[names.metric]
    if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b)) continue
    sink.event(names.diff, b - a)
    sink.event(names.primary, a)
    sink.event(names.shadow, b)
  }
}

export function skipEvent(sink: PairSink, reason: ShadowSkip): void {
  sink.event(`skip_${reason}`, 1)
}

/** The store's fields of one shadow (`m:<metric>:n|sum|sq`) as its summary. */
export function summarizePairs(fields: Readonly<Record<string, number>> | undefined): ShadowSummary {
  const f = fields ?? {}
  const n = (metric: string): number => f[`m:${metric}:n`] ?? 0
  const sum = (metric: string): number => f[`m:${metric}:sum`] ?? 0
  const mean = (metric: string): number | undefined => (n(metric) === 0 ? undefined : sum(metric) / n(metric))
  const differences = {} as Record<PairedMetric, DifferenceSummary>
  for (const metric of PAIRED_METRICS) {
    const name = `diff_${metric}`
    const count = n(name)
    const sd = count < 2 ? undefined : Math.sqrt(Math.max(0, ((f[`m:${name}:sq`] ?? 0) - (sum(name) * sum(name)) / count) / (count - 1)))
    differences[metric] = {
      n: count,
      mean: mean(name),
      sd,
      ci95: sd === undefined ? undefined : (1.96 * sd) / Math.sqrt(count),
      primaryMean: mean(`primary_${metric}`),
      shadowMean: mean(`shadow_${metric}`),
    }
  }
  const skipped = {} as Record<ShadowSkip, number>
  for (const reason of SHADOW_SKIPS) skipped[reason] = n(`skip_${reason}`)
  return { pairs: n('pairs'), primaryErrors: sum('primary_error'), shadowErrors: sum('shadow_error'), skipped, differences }
}

/** A configured shadow as the admin API shows it. */
export interface ShadowView {
  readonly id: string
  readonly config: ShadowConfig
  /** `<provider>/<model>` of the shadow target. */
  readonly target: string
  /** Mirrored calls in flight on this replica. */
  readonly inFlight: number
  readonly summary: ShadowSummary
}

/** What the admin API reads of the running shadows (runtime/shadows.ts). */
export interface ShadowControl {
  /** The configured shadow ids. */
  ids(): string[]
  list(): Promise<ShadowView[]>
  view(id: string): Promise<ShadowView | undefined>
}
