// A streamed answer scanned piece by piece with bounded hold-back reports what a scanner that
// rescans all the text so far on every piece reports (each match once, the first time it is seen,
// even if more text later unmakes it: `logo@2x.pn` is an address until the `g` arrives), whatever
// the cuts, with each detector's parts holding back only their own reach. Text: the labelled positives of every category (detectors/fixtures.ts)
// and their near-miss negatives, joined by prose, so look-behinds meet real neighbours.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createCredentialsDetector, createDenyListDetector, createInjectionDetector, createPiiDetector, scanAll, type Finding } from './detectors/index.js'
import { DENY_LIST_OPTIONS, FIXTURES } from './detectors/fixtures.js'
import { ScanPlan, StreamScanner } from './stream-scan.js'

const detectors = [createPiiDetector(), createCredentialsDetector(), createInjectionDetector(), createDenyListDetector(DENY_LIST_OPTIONS)]
const pieces = Object.values(FIXTURES).flatMap((categories) => Object.values(categories).flatMap((c) => [...c.positives.map((p) => p.text), ...c.negatives]))
const FILLER = ['. Then ', ' and so on.\n', ' — see: ', ' (ok) ', '\n\n', ' word '.repeat(40)]

const key = (f: Finding): string => `${f.detector}/${f.category}@${f.start}`
const overlaps = (a: Finding, b: Finding): boolean => a.detector === b.detector && a.category === b.category && a.start < b.end && b.start < a.end

/** The unbounded reference: every piece rescans the whole text so far. */
function rescanned(text: string, cuts: readonly number[]): string[] {
  const found: Finding[] = []
  for (const cut of [...cuts, text.length]) {
    for (const f of scanAll(detectors, text.slice(0, cut))) if (!found.some((r) => overlaps(r, f))) found.push(f)
  }
  return found.map(key).sort()
}

function streamed(text: string, cuts: readonly number[]): string[] {
  const scanner = new StreamScanner(new ScanPlan(detectors))
  const found: Finding[] = []
  let at = 0
  for (const cut of [...cuts, text.length]) {
    found.push(...scanner.push(text.slice(at, cut)))
    at = cut
  }
  return found.map(key).sort()
}

const answer = fc
  .array(fc.tuple(fc.constantFrom(...pieces), fc.constantFrom(...FILLER)), { minLength: 1, maxLength: 8 })
  .map((parts) => parts.map(([piece, filler]) => piece + filler).join(''))

describe('StreamScanner against rescanning everything', () => {
  it('reports the same matches for any cuts of the text', () => {
    fc.assert(
      fc.property(answer, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 40 }), (text, fractions) => {
        const cuts = [...new Set(fractions.map((f) => Math.floor(f * text.length)))].sort((a, b) => a - b)
        expect(streamed(text, cuts)).toEqual(rescanned(text, cuts))
      }),
      { numRuns: 400 },
    )
  })

  it('reports the same matches when the text arrives one character at a time', () => {
    for (let i = 0; i < pieces.length; i += 1) {
      const text = `${FILLER[5]}${pieces[i]}${FILLER[i % 5]}${pieces[(i * 7) % pieces.length]} end`
      const cuts = Array.from({ length: text.length - 1 }, (_, k) => k + 1)
      expect(streamed(text, cuts), text).toEqual(rescanned(text, cuts))
    }
  })
})
