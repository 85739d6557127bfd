import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { runs } from '../../../../test/support/arbitraries.js'
import { maxMatchLengthOf } from './max-length.js'

describe('maxMatchLengthOf', () => {
  it.each([
    [/abc/, 3],
    [/a|bcd|ef/, 3],
    [/(?:ab){2,3}c?/, 7],
    [/x{4}/, 4],
    [/x{2,}/, Infinity],
    [/a+/, Infinity],
    [/a*?/, Infinity],
    [/[a-z\]]{0,5}/, 5],
    [/\d\s\w./, 4],
    [/\bword\b(?=ahead)(?<!behind)/, 4],
    [/^start$/m, 5],
    [/(?<name>ab)\k<name>/, 4],
    [/([ -])x\1/, 3],
    [/\u0041\x41\cJ/, 4], // \uXXXX is counted loosely as 2
    [/\p{L}/u, 2],
    [/a{/, 2], // a literal brace
    [/[^]/, 1],
    [/(a)|\2(b)/, Infinity], // a reference to a group not yet closed
  ])('%s → %s', (pattern, expected) => {
    expect(maxMatchLengthOf(pattern)).toBe(expected)
  })

  it('is never below the length of an actual match', () => {
    // Bounded patterns from a small grammar, matched against strings of their own alphabet.
    const atom = fc.constantFrom('a', 'b', '.', '[ab]', String.raw`\w`, String.raw`\s`, '(?:ab)', '(a|bb)', String.raw`(?:\b)`, '(?:(?=a))')
    const quantifier = fc.constantFrom('', '?', '{2}', '{0,3}', '{1,2}?')
    const source = fc.array(fc.tuple(atom, quantifier), { minLength: 1, maxLength: 5 }).map((parts) => parts.map(([a, q]) => a + q).join(''))
    const alternation = fc.array(source, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('|'))
    fc.assert(
      fc.property(alternation, fc.stringMatching(/^[ab ]{0,30}$/), (pattern, text) => {
        const regex = new RegExp(pattern, 'g')
        for (const match of text.matchAll(regex)) expect(match[0].length).toBeLessThanOrEqual(maxMatchLengthOf(regex))
      }),
      runs(300),
    )
  })
})
