// Reading a variant's stored aggregate (outcome-store.ts) for results.ts: the flat map of numeric
// fields `users`, `m:<metric>:n|sum|sq` and `h:<metric>:<bucket>`. A field that is missing — or
// holds anything but a finite number, which no store writes — reads as 0, so a variant with no data
// reads as n = 0 and the statistics answer "too few units" rather than NaN.
import type { VariantStats } from '../stats/index.js'
import { quantileOf } from './histogram.js'

export type Fields = Readonly<Record<string, number>>

/** The quantiles reported for a metric with a histogram; null when the histogram is empty. */
export interface Quantiles {
  readonly p50: number | null
  readonly p95: number | null
  readonly p99: number | null
}

/** A field's amount; 0 when absent or not a finite number (-0 as 0, as JSON reads it back). */
export function fieldOf(fields: Fields | undefined, key: string): number {
  if (fields === undefined || !Object.hasOwn(fields, key)) return 0
  const value = fields[key]
  return typeof value === 'number' && Number.isFinite(value) ? value + 0 : 0
}

/** A metric's count, sum and sum of squares (`m:<metric>:n|sum|sq`). */
export function metricStatsOf(fields: Fields | undefined, metric: string): VariantStats {
  return { n: fieldOf(fields, `m:${metric}:n`), sum: fieldOf(fields, `m:${metric}:sum`), sumSquares: fieldOf(fields, `m:${metric}:sq`) }
}

const BUCKET = /^-?\d+$/

/**
 * A metric's histogram (bucket → count) from its `h:<metric>:<bucket>` fields. A key whose tail is
 * not an integer is another metric's (`h:a:b:3` belongs to metric `a:b`, not `a`) and is skipped.
 */
export function histogramOf(fields: Fields | undefined, metric: string): Map<number, number> {
  const counts = new Map<number, number>()
  if (fields === undefined) return counts
  const prefix = `h:${metric}:`
  for (const key of Object.keys(fields)) {
    if (!key.startsWith(prefix)) continue
    const tail = key.slice(prefix.length)
    const bucket = Number(tail)
    if (!BUCKET.test(tail) || !Number.isSafeInteger(bucket)) continue
    // `7` and `07`, `0` and `-0` name the same bucket: add rather than overwrite.
    counts.set(bucket, (counts.get(bucket) ?? 0) + fieldOf(fields, key))
  }
  return counts
}

export function quantilesOf(fields: Fields | undefined, metric: string): Quantiles {
  const counts = histogramOf(fields, metric)
  return { p50: finiteOrNull(quantileOf(counts, 0.5)), p95: finiteOrNull(quantileOf(counts, 0.95)), p99: finiteOrNull(quantileOf(counts, 0.99)) }
}

/** JSON has no NaN or Infinity (JSON.stringify writes null): say so explicitly. -0 reads back as 0. */
export function finiteOrNull(x: number | undefined): number | null {
  return x !== undefined && Number.isFinite(x) ? x + 0 : null
}
