// The PII detector: e-mail addresses, phone numbers, payment cards, US social security numbers and
// IBANs (docs/guardrail-detectors.md). Each kind is one or two native scans (a regex, or indexOf
// for the `@` of an address), and the kinds that carry a checksum or a registered range (card,
// iban, ssn) are validated before they count, so ordinary numbers in chat — dates, versions,
// order numbers, amounts — do not trip them.
import { CARD_MAX_LENGTH, scanCards } from './card.js'
import { IBAN_MAX_LENGTH, scanIbans } from './iban.js'
import { maxMatchLengthOf } from './max-length.js'
import type { Finding, TextDetector } from './types.js'

import { PII_KINDS } from '../schema.js'

export { PII_KINDS }
export type PiiKind = (typeof PII_KINDS)[number]

/** RFC 5321 limits: a local part of at most 64 characters, a domain of at most 253. */
const MAX_LOCAL = 64
const MAX_DOMAIN = 253

/** The domain after an `@`: dot-separated labels (no edge hyphens), then a TLD of two or more letters. */
const DOMAIN = /(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,10}[A-Za-z]{2,63}(?![A-Za-z0-9-]|\.[A-Za-z0-9])/y

/** Image names such as `logo@2x.png` have an address's shape; these are file extensions, not TLDs. */
const IMAGE_EXTENSION = /\.(?:png|jpe?g|gif|svg|webp|ico)$/i

/** The practical local-part alphabet: letters, digits and `._%+-`. */
function isLocalChar(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) || code === 46 || code === 95 || code === 37 || code === 43 || code === 45
}

/**
 * Addresses are found from their `@` (indexOf is far cheaper than a regex that could start at
 * every letter): the local part is read backwards from it, the domain forwards.
 */
function scanEmails(text: string, out: Finding[]): void {
  for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', at + 1)) {
    let start = at
    while (start > 0 && at - start < MAX_LOCAL && isLocalChar(text.charCodeAt(start - 1))) start--
    if (start > 0 && isLocalChar(text.charCodeAt(start - 1))) continue // a local part longer than 64
    while (start < at && text.charCodeAt(start) === 46) start++ // nor does it start with a dot
    if (start === at || text.charCodeAt(at - 1) === 46) continue
    DOMAIN.lastIndex = at + 1
    const domain = DOMAIN.exec(text)
    if (domain !== null && domain[0].length <= MAX_DOMAIN && !IMAGE_EXTENSION.test(domain[0])) out.push({ detector: 'pii', category: 'email', start, end: at + 1 + domain[0].length })
  }
}

/**
 * E.164: `+`, a country code not starting with 0, 8–15 digits in all, a space, dot, dash or
 * parenthesis allowed between digits (`+44 20 7946 0958`, `+1 (212) 555-0123`). Only scanned for
 * when the text has a `+` at all.
 */
const E164 = /(?<![\w+])\+[1-9](?:(?:[ .-]|\)[ .-]?|[ .-]?\()?\d){7,14}(?!\d)/g
/**
 * North American numbers without `+`: `(212) 555-0123`, or three groups with one consistent
 * separator (`212-555-0123`, `212.555.0123`), area code and exchange starting 2–9, optionally
 * after `1-`. Dates (4-2-2), versions, times and bare digit runs have neither shape.
 */
const NANP = /(?<![\w.+-])(?:1[ .-]?)?(?:\([2-9]\d\d\) ?[2-9]\d\d[ .-]|[2-9]\d\d([ .-])[2-9]\d\d\1)\d\d\d\d(?![\w]|[.-]\d)/g

/** Parentheses in an E.164 match must pair up: `+1 (212) 555-0123`, not `+1 212) 555 0123`. */
function balanced(phone: string): boolean {
  let depth = 0
  for (let i = 0; i < phone.length; i++) {
    const code = phone.charCodeAt(i)
    if (code === 40) depth++
    else if (code === 41 && --depth < 0) return false
  }
  return depth === 0
}

function scanPhones(text: string, out: Finding[]): void {
  if (text.includes('+')) {
    E164.lastIndex = 0
    for (let match = E164.exec(text); match !== null; match = E164.exec(text)) {
      if (balanced(match[0])) out.push({ detector: 'pii', category: 'phone', start: match.index, end: match.index + match[0].length })
    }
  }
  NANP.lastIndex = 0
  for (let match = NANP.exec(text); match !== null; match = NANP.exec(text)) {
    out.push({ detector: 'pii', category: 'phone', start: match.index, end: match.index + match[0].length })
  }
}

/**
 * `ddd-dd-dddd` or `ddd dd dddd`, one separator throughout. The SSA never issues area 000, 666 or
 * 900–999, group 00 or serial 0000, so those are not numbers anyone has.
 */
const SSN = /(?<![\w-])(?!000|666|9\d\d)\d\d\d([- ])(?!00)\d\d\1(?!0000)\d\d\d\d(?!\w|-\w)/g

function scanSsns(text: string, out: Finding[]): void {
  SSN.lastIndex = 0
  for (let match = SSN.exec(text); match !== null; match = SSN.exec(text)) {
    out.push({ detector: 'pii', category: 'ssn', start: match.index, end: match.index + match[0].length })
  }
}

interface Kind {
  readonly scan: (text: string, out: Finding[]) => void
  readonly maxMatchLength: number
  /** The fewest digits a finding of this kind has: a text with fewer is not scanned for it. */
  readonly minDigits: number
}

const KINDS: Readonly<Record<PiiKind, Kind>> = {
  email: { scan: scanEmails, maxMatchLength: MAX_LOCAL + 1 + MAX_DOMAIN, minDigits: 0 },
  // E.164's 8 (`+` and 1 + 7 digits); a North American number has 10.
  phone: { scan: scanPhones, maxMatchLength: Math.max(maxMatchLengthOf(E164), maxMatchLengthOf(NANP)), minDigits: 8 },
  // Every issuer's numbers have 13 to 19 digits (card.ts).
  card: { scan: scanCards, maxMatchLength: CARD_MAX_LENGTH, minDigits: 13 },
  ssn: { scan: scanSsns, maxMatchLength: maxMatchLengthOf(SSN), minDigits: 9 },
  // The two check digits after the country code.
  iban: { scan: scanIbans, maxMatchLength: IBAN_MAX_LENGTH, minDigits: 2 },
}

/**
 * The digits in `text`, counted up to `enough`. Chat text often has few, and then the kinds that
 * need more are not scanned for. In a running Sluice, where the regexes' code is cold at every
 * answer, this saved about 0.9 µs of a 3–4 µs answer scan (docs/performance.md); a regex to count
 * the digits, faster in a hot loop, saved nothing there. A text rich in digits stops the count early.
 */
function digitsUpTo(text: string, enough: number): number {
  let digits = 0
  for (let i = 0; i < text.length && digits < enough; i++) {
    const code = text.charCodeAt(i)
    if (code >= 48 && code <= 57) digits++
  }
  return digits
}

/** Scans for the given kinds (default all); findings sorted by start. */
export function createPiiDetector(kinds: readonly PiiKind[] = PII_KINDS): TextDetector {
  const enabled = [...new Set(kinds)].map((kind) => KINDS[kind])
  const enough = Math.max(0, ...enabled.map((kind) => kind.minDigits))
  return {
    name: 'pii',
    maxMatchLength: Math.max(1, ...enabled.map((kind) => kind.maxMatchLength)),
    scan(text) {
      const findings: Finding[] = []
      // Counted at the first kind that needs digits: after the e-mail scan, whose indexOf has
      // flattened a text joined from pieces (a stream's window), which the count then reads faster.
      let digits = -1
      for (const kind of enabled) {
        if (kind.minDigits > 0) {
          if (digits === -1) digits = digitsUpTo(text, enough)
          if (digits < kind.minDigits) continue
        }
        kind.scan(text, findings)
      }
      return findings.length > 1 ? findings.sort((a, b) => a.start - b.start) : findings
    },
  }
}
