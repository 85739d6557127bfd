// Sluice's own request headers (x-sluice-user, x-sluice-attr-*, x-sluice-force-variant) feed targeting and logs, so they
// are held to a small, printable shape; anything else is refused in the client's dialect. They
// are read in one walk over the request's headers, checked and collected together.
import type { IncomingHttpHeaders } from 'node:http'

const MAX_VALUE_LENGTH = 256
const MAX_ATTRIBUTES = 32
// Visible ASCII and space only: no control characters that could forge log lines.
const PRINTABLE = /^[\x20-\x7e]*$/
const ATTR_PREFIX = 'x-sluice-attr-'

export interface SluiceHeaders {
  /** x-sluice-user: the targeting key. */
  readonly user: string | undefined
  /** x-sluice-attr-<name> → value, or undefined when there are none. */
  readonly attributes: Readonly<Record<string, string>> | undefined
  /** x-sluice-force-variant: an experiment variant by name (honoured for allowed clients only). */
  readonly forceVariant: string | undefined
}

const NONE: SluiceHeaders = Object.freeze({ user: undefined, attributes: undefined, forceVariant: undefined })

/** The x-sluice-* headers, or a description of the first bad one. */
export function readSluiceHeaders(headers: IncomingHttpHeaders): SluiceHeaders | string {
  let user: string | undefined
  let attributes: Record<string, string> | undefined
  let forceVariant: string | undefined
  let count = 0
  for (const name in headers) {
    if (!name.startsWith('x-sluice-')) continue
    const value = headers[name]
    if (Array.isArray(value)) return `${name} must appear once.`
    if (value === undefined) continue
    if (value.length > MAX_VALUE_LENGTH) return `${name} is longer than ${MAX_VALUE_LENGTH} characters.`
    if (!PRINTABLE.test(value)) return `${name} must be printable ASCII.`
    if (name === 'x-sluice-user') user = value
    else if (name === 'x-sluice-force-variant') forceVariant = value
    else if (name.startsWith(ATTR_PREFIX)) {
      if (++count > MAX_ATTRIBUTES) return `More than ${MAX_ATTRIBUTES} x-sluice-attr-* headers.`
      const attribute = name.slice(ATTR_PREFIX.length)
      // An object key that assignment cannot set: the attribute would vanish silently.
      if (attribute === '__proto__') return `${name} names a reserved attribute.`
      ;(attributes ??= {})[attribute] = value
    }
  }
  return user === undefined && attributes === undefined && forceVariant === undefined ? NONE : { user, attributes, forceVariant }
}
