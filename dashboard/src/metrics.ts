// Reads Prometheus text from /metrics: sums counters and histogram buckets over all label sets, so
// the overview can turn two scrapes into rates and an interval p95.
export type Scrape = Map<string, number>

const label = (labels: string, name: string): string | undefined => new RegExp(`(?:^|[{,])${name}="([^"]*)"`).exec(labels)?.[1]

/** A request that failed or was refused: an HTTP status of 400 or more, or a SLUICE_ERR_* code. */
function failed(labels: string): boolean {
  const status = label(labels, 'status')
  if (status !== undefined) return Number(status) >= 400
  const code = label(labels, 'code')
  return code !== undefined && code !== 'none' && code !== '' && code !== '200'
}

export function parseMetrics(text: string): Scrape {
  const out: Scrape = new Map()
  const add = (key: string, value: number) => out.set(key, (out.get(key) ?? 0) + value)
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})?\s+(\S+)/.exec(line)
    if (match === null) continue
    const name = match[1]!
    const labels = match[2] ?? ''
    const value = Number(match[3])
    if (!Number.isFinite(value)) continue
    const le = label(labels, 'le')
    add(le === undefined ? name : `${name}|le=${le}`, value)
    if (name === 'sluice_requests_total') {
      const provider = label(labels, 'provider') ?? 'none'
      add(`sluice_requests_total|provider=${provider}`, value)
      if (failed(labels)) {
        add('sluice_requests_total|failed', value)
        add(`sluice_requests_total|failed|provider=${provider}`, value)
      }
    }
  }
  return out
}

const delta = (now: Scrape, before: Scrape, key: string): number => Math.max(0, (now.get(key) ?? 0) - (before.get(key) ?? 0))

/** The p95 (seconds) of what was observed between two scrapes, from the cumulative buckets; null if nothing was. */
export function p95(now: Scrape, before: Scrape, name: string): number | null {
  const prefix = `${name}_bucket|le=`
  const buckets = [...now.keys()]
    .filter((k) => k.startsWith(prefix))
    .map((k) => ({ le: Number(k.slice(prefix.length)), count: delta(now, before, k) }))
    .sort((a, b) => a.le - b.le)
  const total = buckets.at(-1)?.count ?? 0
  if (total <= 0) return null
  const bucket = buckets.find((b) => b.count >= 0.95 * total)
  return bucket === undefined || !Number.isFinite(bucket.le) ? (buckets.at(-2)?.le ?? null) : bucket.le
}

export interface Rates {
  readonly requestsPerSecond: number
  readonly failedPerSecond: number
  readonly costUsdPerMinute: number
  readonly p95Seconds: number | null
  readonly ttftP95Seconds: number | null
}

export function rates(now: Scrape, before: Scrape, seconds: number): Rates {
  return {
    requestsPerSecond: delta(now, before, 'sluice_requests_total') / seconds,
    failedPerSecond: delta(now, before, 'sluice_requests_total|failed') / seconds,
    costUsdPerMinute: (delta(now, before, 'sluice_cost_usd_total') / seconds) * 60,
    p95Seconds: p95(now, before, 'sluice_request_duration_seconds'),
    ttftP95Seconds: p95(now, before, 'sluice_time_to_first_token_seconds'),
  }
}

export interface ProviderRates {
  readonly provider: string
  readonly requestsPerSecond: number
  readonly failedPerSecond: number
}

/** Requests and failures per second by provider between two scrapes, busiest first; idle ones left out. */
export function providerRates(now: Scrape, before: Scrape, seconds: number): ProviderRates[] {
  const prefix = 'sluice_requests_total|provider='
  return [...now.keys()]
    .filter((k) => k.startsWith(prefix))
    .map((k) => {
      const provider = k.slice(prefix.length)
      return {
        provider,
        requestsPerSecond: delta(now, before, k) / seconds,
        failedPerSecond: delta(now, before, `sluice_requests_total|failed|provider=${provider}`) / seconds,
      }
    })
    .filter((r) => r.requestsPerSecond > 0)
    .sort((a, b) => b.requestsPerSecond - a.requestsPerSecond || a.provider.localeCompare(b.provider))
}
