// IBANs for the PII detector (ISO 13616): a country code, two check digits and the BBAN, written
// compact or in groups of four separated by single spaces. A candidate counts only at its
// country's registered length and when ISO 7064 mod 97-10 gives 1, which a random string of the
// right shape passes about once in 97 tries. Upper case only, as IBANs are printed and registered.
import type { Finding } from './types.js'

/** IBAN lengths from the SWIFT IBAN registry: the SEPA countries and the other common ones. */
const LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BR: 29, BY: 28,
  CH: 21, CR: 22, CY: 28, CZ: 24, DE: 22, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18,
  FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HR: 21, HU: 28, IE: 22,
  IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20,
  LU: 20, LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MR: 27, MT: 31, MU: 30, NL: 18,
  NO: 15, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, SA: 24, SC: 31, SD: 18,
  SE: 24, SI: 19, SK: 24, SM: 27, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26, UA: 29, VA: 22,
  VG: 24, XK: 20,
}

/**
 * Country, check digits, then 11–28 more characters compact, or groups of four (the last may be
 * shorter). A trailing group can belong to the next word (`… 7034 CASH`); the country's length
 * decides where the IBAN ends.
 */
const CANDIDATE = /(?<![A-Za-z0-9])[A-Z][A-Z]\d\d(?:[A-Z0-9]{11,28}|(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,3})?)(?![A-Za-z0-9])/g

/** The longest registered IBAN (32) in groups of four: 7 spaces more. */
export const IBAN_MAX_LENGTH = 39

/** ISO 7064 mod 97-10 over the IBAN moved so that its first four characters come last, letters as 10–35. */
function mod97(iban: string): number {
  let remainder = 0
  for (let k = 0; k < iban.length; k++) {
    const code = iban.charCodeAt((k + 4) % iban.length)
    remainder = code <= 57 ? (remainder * 10 + code - 48) % 97 : (remainder * 100 + code - 55) % 97
  }
  return remainder
}

/** How much of `candidate` is an IBAN: its country's length of characters, ending on a group boundary. */
function ibanLength(candidate: string): number | undefined {
  const expected = LENGTHS[candidate.slice(0, 2)]
  if (expected === undefined) return undefined
  let compact = ''
  let i = 0
  for (; i < candidate.length && compact.length < expected; i++) if (candidate[i] !== ' ') compact += candidate[i]
  if (compact.length < expected || (i < candidate.length && candidate[i] !== ' ')) return undefined
  const check = Number(compact.slice(2, 4))
  return check >= 2 && check <= 98 && mod97(compact) === 1 ? i : undefined
}

export function scanIbans(text: string, out: Finding[]): void {
  CANDIDATE.lastIndex = 0
  for (let match = CANDIDATE.exec(text); match !== null; match = CANDIDATE.exec(text)) {
    const length = ibanLength(match[0])
    if (length !== undefined) out.push({ detector: 'pii', category: 'iban', start: match.index, end: match.index + length })
    // Resume after what was reported, or just past a rejected start: a valid one may begin inside it.
    CANDIDATE.lastIndex = match.index + (length ?? 1)
  }
}
