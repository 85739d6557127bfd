// Payment card numbers for the PII detector: 13–19 digits, run together or grouped by one kind of
// separator (a single space or dash), that pass the Luhn check and start with a known issuer's
// range at a length that issuer uses. Luhn alone lets one random number in ten through; the issuer
// table removes most of the rest (order numbers, account ids, timestamps in milliseconds).
import type { Finding } from './types.js'

/**
 * A run of 13–19 digits, or 4–6 digits followed by groups of 3–6 with one consistent separator
 * (4-4-4-4, Amex 4-6-5, Diners 4-6-4, 4-4-4-4-3). Not part of a longer digit run. The leading
 * `\d\d\d\d` is spelt out: V8 skips through text for a fixed sequence far faster than for `\d{4}`.
 */
const CANDIDATE = /(?<!\d)\d\d\d\d(?:\d{9,15}|\d{0,2}([ -])\d{3,6}(?:\1\d{3,6}){1,4})(?!\d)/g

/** Reported spans: at most 19 digits in at most 6 groups. */
export const CARD_MAX_LENGTH = 24

interface Issuer {
  /** Inclusive range, compared on the first as many digits as `low` has. */
  readonly low: number
  readonly high: number
  readonly lengths: readonly number[]
}

const lengths = (min: number, max: number): number[] => Array.from({ length: max - min + 1 }, (_, i) => min + i)

const ISSUERS: readonly Issuer[] = [
  { low: 4, high: 4, lengths: [13, 16, 19] }, // Visa
  { low: 51, high: 55, lengths: [16] }, // Mastercard
  { low: 2221, high: 2720, lengths: [16] }, // Mastercard 2-series
  { low: 34, high: 34, lengths: [15] }, // American Express
  { low: 37, high: 37, lengths: [15] },
  { low: 6011, high: 6011, lengths: lengths(16, 19) }, // Discover
  { low: 644, high: 649, lengths: lengths(16, 19) },
  { low: 65, high: 65, lengths: lengths(16, 19) },
  { low: 3528, high: 3589, lengths: lengths(16, 19) }, // JCB
  { low: 300, high: 305, lengths: lengths(14, 19) }, // Diners Club
  { low: 36, high: 36, lengths: lengths(14, 19) },
  { low: 38, high: 38, lengths: lengths(14, 19) },
  { low: 62, high: 62, lengths: lengths(16, 19) }, // UnionPay
]

function knownIssuer(digits: string): boolean {
  return ISSUERS.some(({ low, high, lengths }) => {
    const prefix = Number(digits.slice(0, String(low).length))
    return prefix >= low && prefix <= high && lengths.includes(digits.length)
  })
}

/** The Luhn (mod 10) check of ISO/IEC 7812. */
export function luhnValid(digits: string): boolean {
  let sum = 0
  let double = false
  for (let i = digits.length - 1; i >= 0; i--) {
    let digit = digits.charCodeAt(i) - 48
    if (double) {
      digit *= 2
      if (digit > 9) digit -= 9
    }
    sum += digit
    double = !double
  }
  return sum % 10 === 0
}

const isCard = (digits: string): boolean => digits.length >= 13 && digits.length <= 19 && knownIssuer(digits) && luhnValid(digits)

/**
 * The length of the longest leading run of whole groups of `candidate` that is a card number, if
 * any: `4111 1111 1111 1111 2027` (a card, then an expiry year) is a card followed by something else.
 */
function cardLength(candidate: string, separator: string | undefined): number | undefined {
  if (separator === undefined) return isCard(candidate) ? candidate.length : undefined
  const groups = candidate.split(separator)
  for (let count = groups.length; count >= 2; count--) {
    const digits = groups.slice(0, count).join('')
    if (isCard(digits)) return digits.length + count - 1
  }
  return undefined
}

export function scanCards(text: string, out: Finding[]): void {
  CANDIDATE.lastIndex = 0
  for (let match = CANDIDATE.exec(text); match !== null; match = CANDIDATE.exec(text)) {
    const length = cardLength(match[0], match[1])
    if (length !== undefined) out.push({ detector: 'pii', category: 'card', start: match.index, end: match.index + length })
    // Resume after what was reported, or just past a rejected start: a valid one may begin inside it.
    CANDIDATE.lastIndex = match.index + (length ?? 1)
  }
}
