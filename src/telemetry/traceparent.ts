// The W3C Trace Context `traceparent` header (https://www.w3.org/TR/trace-context/), read strictly:
// anything malformed is ignored (the request starts a trace of its own), never an error. Only the
// ids and the sampled flag are taken; the header itself is not echoed anywhere by Sluice.

export interface RemoteParent {
  readonly traceId: string
  readonly spanId: string
  /** W3C trace-flags; bit 0 is `sampled`. */
  readonly traceFlags: number
}

// version-traceid-parentid-flags; a later version may append fields after a dash.
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-[^\s]*)?$/
const ZERO_TRACE = '0'.repeat(32)
const ZERO_SPAN = '0'.repeat(16)
/** Far above any real header; a longer value is not parsed at all. */
const MAX_LENGTH = 512

export function parseTraceparent(header: string | string[] | undefined): RemoteParent | undefined {
  // Two traceparent headers are invalid (the spec allows one), not a choice between them.
  if (typeof header !== 'string' || header.length > MAX_LENGTH) return undefined
  const match = TRACEPARENT.exec(header.trim())
  if (match === null) return undefined
  const [, version, traceId, spanId, flags, rest] = match
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined
  if (traceId === ZERO_TRACE || spanId === ZERO_SPAN) return undefined
  return { traceId: traceId!, spanId: spanId!, traceFlags: parseInt(flags!, 16) }
}
