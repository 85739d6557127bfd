// Classifying a failed upstream attempt (docs/resilience.md): which FailureKind it is — what circuit breakers
// count and retries act on — how long the upstream asked us to wait, and the backoff before the
// next attempt on the same target.
import type { IncomingHttpHeaders } from 'node:http'
import type { ErrorCode } from '../core/errors.js'
import type { RetriesConfig } from '../resilience/schema.js'
import type { FailureKind } from '../core/target.js'

/** A response status that is a failure of the target; undefined for every other status. */
export function statusFailure(status: number): FailureKind | undefined {
  if (status >= 500) return '5xx'
  return status === 429 ? '429' : undefined
}

/** An error from undici before or while the response arrived. */
export function errorFailure(err: Error & { code?: string }): FailureKind {
  switch (err.code) {
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'timeout'
    default:
      return 'connection'
  }
}

/** Sluice's own error when no upstream answer can be passed on. */
export function failureCode(kind: FailureKind): ErrorCode {
  return kind === 'timeout' ? 'SLUICE_ERR_UPSTREAM_TIMEOUT' : 'SLUICE_ERR_UPSTREAM_UNREACHABLE'
}

/** `Retry-After` (RFC 9110 §10.2.3) as milliseconds from `nowMs`: delay-seconds or an HTTP date. */
export function retryAfterMs(headers: IncomingHttpHeaders, nowMs: number): number | undefined {
  const value = headers['retry-after']
  if (typeof value !== 'string' || value === '') return undefined
  if (/^\d+$/.test(value)) return Number(value) * 1000
  const at = Date.parse(value)
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs)
}

/** Full-jitter exponential backoff before retry `n` (1-based): uniform in [0, min(max, base·2ⁿ⁻¹)). */
export function backoffMs(n: number, retries: RetriesConfig, random: number): number {
  return Math.floor(random * Math.min(retries.maxBackoffMs, retries.backoffMs * 2 ** (n - 1)))
}
