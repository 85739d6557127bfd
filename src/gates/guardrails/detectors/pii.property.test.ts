// The PII detector skips a kind when the text has fewer digits than any finding of that kind has
// (pii.ts `minDigits`). Property: what it finds in a text is what it finds when the same text is
// followed by enough digits that every kind is scanned for — a newline, then digits that are no
// finding themselves — so the skip never loses a finding.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createPiiDetector, PII_KINDS } from './pii.js'

/** 13 digits (every kind's minimum reached) that are none of the kinds: no separators, no issuer prefix, no `+`. */
const DIGITS = '\nzz 0000000000000'

/** Characters the PII shapes are made of, with letters and space enough to form and break them. */
const unit = fc.constantFrom(...'0123456789012345678901234567890123456789 -.+()@ABGDEFXYZabcxyz\n'.split(''))
const text = fc.oneof(
  fc.string({ unit, maxLength: 48 }),
  // Near-minimal shapes: separated groups of digits of the lengths the kinds use.
  fc.array(fc.stringMatching(/^[0-9]{1,5}$/), { maxLength: 6 }).chain((groups) => fc.constantFrom(' ', '-', '.').map((sep) => groups.join(sep))),
  fc.tuple(fc.constantFrom('', '+1 ', '+44 ', 'GB', 'DE', 'x@y.io '), fc.stringMatching(/^[0-9 -]{0,24}$/)).map(([head, tail]) => head + tail),
)

describe('pii: skipping kinds by digit count', () => {
  it.each([undefined, ...PII_KINDS.map((kind) => [kind] as const)])('loses no finding (kinds %s)', (kinds) => {
    const pii = createPiiDetector(kinds === undefined ? undefined : [...kinds])
    fc.assert(
      fc.property(text, (t) => {
        const full = pii.scan(t + DIGITS).filter((f) => f.end <= t.length)
        expect(pii.scan(t)).toEqual(full)
      }),
      { numRuns: 3000 },
    )
  })

  it('still finds each kind at its fewest digits', () => {
    const pii = createPiiDetector()
    const categories = (t: string) => pii.scan(t).map((f) => f.category)
    expect(categories('call +1 2345678 now')).toEqual(['phone'])
    expect(categories('ssn 123-45-6789')).toEqual(['ssn'])
    expect(categories('card 4222222222222')).toEqual(['card'])
  })
})
