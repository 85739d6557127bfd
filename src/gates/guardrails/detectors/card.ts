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
  /** Inclusive range of a prefix of as many digits as `low` has. */
  readonly low: number
  readonly high: number
  readonly lengths: readonly number[]
  /** 10^(4 - prefix digits): the prefix is the first four digits divided by it. */
  readonly divisor: number
}

const issuer = (low: number, high: number, lengths: readonly number[]): Issuer => ({ low, high, lengths, divisor: 10 ** (4 - String(low).length) })
const range = (min: number, max: number): number[] => Array.from({ length: max - min + 1 }, (_, i) => min + i)

const ISSUERS: readonly Issuer[] = [
  issuer(4, 4, [13, 16, 19]), // Visa
  issuer(51, 55, [16]), // Mastercard
  issuer(2221, 2720, [16]), // Mastercard 2-series
  issuer(34, 34, [15]), // American Express
  issuer(37, 37, [15]),
  issuer(6011, 6011, range(16, 19)), // Discover
  issuer(644, 649, range(16, 19)),
  issuer(65, 65, range(16, 19)),
  issuer(3528, 3589, range(16, 19)), // JCB
  issuer(300, 305, range(14, 19)), // Diners Club
  issuer(36, 36, range(14, 19)),
  issuer(38, 38, range(14, 19)),
  issuer(62, 62, range(16, 19)), // UnionPay
]

function knownIssuer(digits: string): boolean {
  let first4 = 0
  for (let i = 0; i < 4; i++) first4 = first4 * 10 + digits.charCodeAt(i) - 48
  return ISSUERS.some(({ low, high, lengths, divisor }) => {
    const prefix = Math.floor(first4 / divisor)
    return prefix >= low && prefix <= high && lengths.includes(digits.length)
  })
}

/** The Luhn (mod 10) check of ISO/IEC 7812. */
function luhnValid(digits: string): boolean {
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

const isCard = (digits: string): boolean => digits.length >= 13 && digits.length <= 19 && luhnValid(digits) && knownIssuer(digits)

/**
 * The length of the longest leading run of whole groups of `candidate` that is a card number, if
 * any: `4111 1111 1111 1111 2027` (a card, then an expiry year) is a card followed by something else.
 */
function cardLength(candidate: string, separator: string | undefined): number | undefined {
  if (separator === undefined) return isCard(candidate) ? candidate.length : undefined
  const groups = candidate.split(separator)
  let digits = groups.join('')
  for (let count = groups.length; count >= 2; count--) {
    if (isCard(digits)) return digits.length + count - 1
    digits = digits.slice(0, digits.length - groups[count - 1]!.length)
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
