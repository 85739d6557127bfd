// Paired outcomes of a shadow: for each mirrored request, the primary's and the shadow's call
// side by side (latency, time to first token, error, tokens, cost), aggregated as paired
// differences (shadow − primary) with n, mean and sample standard deviation, so a confidence
// interval of the mean difference can be shown. Error counts are kept for both sides. A metric
// missing on either side (no first token, no usage) leaves that pair out of that metric only.

/** One side's call as the pairing reads it. */
export interface CallOutcome {
  readonly latencyMs: number | undefined
  readonly ttftMs: number | undefined
  /** A non-2xx answer, or a response that broke or was cut. */
  readonly error: boolean
  readonly inputTokens: number | undefined
  readonly outputTokens: number | undefined
  readonly costUsd: number | undefined
}

export const PAIRED_METRICS = ['latencyMs', 'ttftMs', 'inputTokens', 'outputTokens', 'costUsd'] as const
export type PairedMetric = (typeof PAIRED_METRICS)[number]

export interface DifferenceSummary {
  readonly n: number
  /** Mean of shadow − primary; undefined with no pair. */
  readonly mean: number | undefined
  /** Sample standard deviation of the differences; undefined below two pairs. */
  readonly sd: number | undefined
  /** Half-width of the normal-approximation 95 % interval of the mean (1.96 sd / √n); undefined below two pairs. */
  readonly ci95: number | undefined
}

export interface ShadowSummary {
  readonly pairs: number
  readonly primaryErrors: number
  readonly shadowErrors: number
  readonly differences: Readonly<Record<PairedMetric, DifferenceSummary>>
}

/** Welford's running mean and sum of squared deviations: stable for long runs. */
class Running {
  n = 0
  mean = 0
  m2 = 0

  add(x: number): void {
    this.n++
    const delta = x - this.mean
    this.mean += delta / this.n
    this.m2 += delta * (x - this.mean)
  }

  summary(): DifferenceSummary {
    if (this.n === 0) return { n: 0, mean: undefined, sd: undefined, ci95: undefined }
    if (this.n < 2) return { n: 1, mean: this.mean, sd: undefined, ci95: undefined }
    const sd = Math.sqrt(this.m2 / (this.n - 1))
    return { n: this.n, mean: this.mean, sd, ci95: (1.96 * sd) / Math.sqrt(this.n) }
  }
}

export class ShadowPairing {
  #pairs = 0
  #primaryErrors = 0
  #shadowErrors = 0
  readonly #running = new Map<PairedMetric, Running>(PAIRED_METRICS.map((m) => [m, new Running()]))

  record(primary: CallOutcome, shadow: CallOutcome): void {
    this.#pairs++
    if (primary.error) this.#primaryErrors++
    if (shadow.error) this.#shadowErrors++
    for (const metric of PAIRED_METRICS) {
      const a = primary[metric]
      const b = shadow[metric]
      if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b)) continue
      this.#running.get(metric)!.add(b - a)
    }
  }

  summary(): ShadowSummary {
    const differences = {} as Record<PairedMetric, DifferenceSummary>
    for (const metric of PAIRED_METRICS) differences[metric] = this.#running.get(metric)!.summary()
    return { pairs: this.#pairs, primaryErrors: this.#primaryErrors, shadowErrors: this.#shadowErrors, differences }
  }
}
