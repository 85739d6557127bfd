// Response headers for a rate-limit decision (docs/rate-limits.md):
// - IETF draft-ietf-httpapi-ratelimit-headers (-10): `RateLimit-Policy: "name";q=100;w=60` lists
//   every limit that applied, `RateLimit: "name";r=42;t=10` its remaining quota and seconds until
//   it is full again. Each rule contributes one policy per limit, named `<rule>.<kind>`; token and
//   concurrency policies carry `qu` ("concurrent-requests" is registered, "tokens" is ours).
// - OpenAI's x-ratelimit-{limit,remaining,reset}-{requests,tokens}, which the OpenAI SDKs and
//   dashboards read: one value each, from the most restrictive limit of that kind.
// - Retry-After (RFC 9110 §10.2.3) on a denial; x-sluice-would-block in monitor mode.
import type { LimitDecision, LimitState } from './types.js'

/** Writes the headers for `decision` into `out` (lower-case names, as node:http sends them). */
export function writeRateLimitHeaders(decision: LimitDecision, out: Record<string, string>): void {
  const { limits } = decision
  if (limits.length > 0) {
    let policy = ''
    let state = ''
    for (const limit of limits) {
      const name = `"${limit.rule}.${limit.kind}"`
      const unit = limit.kind === 'tokens' ? ';qu="tokens"' : limit.kind === 'concurrent' ? ';qu="concurrent-requests"' : ''
      const window = limit.kind === 'concurrent' ? '' : `;w=${limit.windowSeconds}`
      policy += `${policy === '' ? '' : ', '}${name};q=${limit.limit}${unit}${window}`
      state += `${state === '' ? '' : ', '}${name};r=${limit.remaining}${limit.kind === 'concurrent' ? '' : `;t=${Math.ceil(limit.resetMs / 1000)}`}`
    }
    out['ratelimit-policy'] = policy
    out.ratelimit = state
    writeOpenAi(limits, 'requests', out)
    writeOpenAi(limits, 'tokens', out)
  }
  const denial = decision.deniedBy
  if (!decision.allowed) out['retry-after'] = String(decision.retryAfterSeconds)
  else if (denial !== undefined) out['x-sluice-would-block'] = `${denial.rule}.${denial.kind}`
}

function writeOpenAi(limits: readonly LimitState[], kind: 'requests' | 'tokens', out: Record<string, string>): void {
  let worst: LimitState | undefined
  for (const limit of limits) {
    if (limit.kind !== kind) continue
    // Every request costs the same on each rule, so the fewest remaining binds first; on a tie,
    // the one slower to refill.
    if (worst === undefined || limit.remaining < worst.remaining || (limit.remaining === worst.remaining && limit.resetMs > worst.resetMs)) {
      worst = limit
    }
  }
  if (worst === undefined) return
  out[`x-ratelimit-limit-${kind}`] = String(worst.limit)
  out[`x-ratelimit-remaining-${kind}`] = String(worst.remaining)
  out[`x-ratelimit-reset-${kind}`] = formatDuration(worst.resetMs)
}

/** OpenAI's reset format, Go-style durations: `20ms`, `1.5s`, `6m0s`, `1h2m3s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.ceil(ms)}ms`
  const totalMs = Math.ceil(ms)
  const hours = Math.floor(totalMs / 3_600_000)
  const minutes = Math.floor((totalMs % 3_600_000) / 60_000)
  const seconds = (totalMs % 60_000) / 1000
  const s = `${seconds}s`
  if (hours > 0) return `${hours}h${minutes}m${s}`
  return minutes > 0 ? `${minutes}m${s}` : s
}
