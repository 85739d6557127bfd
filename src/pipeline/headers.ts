// Sluice's own request headers (x-sluice-user, x-sluice-attr-*) feed targeting and logs, so they
// are held to a small, printable shape; anything else is refused in the client's dialect.
import type { IncomingHttpHeaders } from 'node:http'

const MAX_VALUE_LENGTH = 256
const MAX_ATTRIBUTES = 32
// Visible ASCII and space only: no control characters that could forge log lines.
const PRINTABLE = /^[\x20-\x7e]*$/

/** A description of the first bad x-sluice-* header, or undefined when all are fine. */
export function checkSluiceHeaders(headers: IncomingHttpHeaders): string | undefined {
  let attributes = 0
  for (const name in headers) {
    if (!name.startsWith('x-sluice-')) continue
    const value = headers[name]
    if (Array.isArray(value)) return `${name} must appear once.`
    if (value === undefined) continue
    if (value.length > MAX_VALUE_LENGTH) return `${name} is longer than ${MAX_VALUE_LENGTH} characters.`
    if (!PRINTABLE.test(value)) return `${name} must be printable ASCII.`
    if (name.startsWith('x-sluice-attr-') && ++attributes > MAX_ATTRIBUTES) return `More than ${MAX_ATTRIBUTES} x-sluice-attr-* headers.`
  }
  return undefined
}
