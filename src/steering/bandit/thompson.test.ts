// The policy: exact choices on the floor branch for fixed random points, the choice frequencies of
// pickArm against the exact mixture floor + (1 − floor × K) · P(draw is highest) computed by
// quadrature, and the discounted, fractional credit.
import { describe, expect, it } from 'vitest'
import { banditSettings } from './settings.js'
import { exactThompsonShares, sfc32 } from './test-support.js'
import { creditReward, floorShare, pickArm, pickShares, posteriorMean, type Posterior } from './thompson.js'

const settings = banditSettings({ floor: 0.1, discount: 0.5, evidenceWeight: 1 })
const none: Posterior = { successes: 0, failures: 0 }

/** A source that returns `values` in turn, then 0.5 forever. */
function scripted(...values: number[]): () => number {
  let i = 0
  return () => values[i++] ?? 0.5
}

describe('pickArm', () => {
  // Three arms, floor 0.1: u < 0.3 picks arm ⌊u / 0.1⌋ with no further draw.
  it.each([
    { u: 0, index: 0 },
    { u: 0.0999, index: 0 },
    { u: 0.1, index: 1 },
    { u: 0.2999, index: 2 },
  ])('u = $u is the floor branch and picks arm $index', ({ u, index }) => {
    expect(pickArm([none, none, none], settings, scripted(u))).toEqual({ index, by: 'floor' })
  })

  it('u above floor × K goes to the Thompson draw', () => {
    const strong: Posterior = { successes: 10_000, failures: 0 }
    expect(pickArm([none, strong, none], settings, scripted(0.31))).toEqual({ index: 1, by: 'thompson' })
  })

  it('is uniform when floor × K exceeds 1, and -1 with no arms', () => {
    const wide = banditSettings({ floor: 0.5 })
    expect(floorShare(wide, 3)).toBe(1)
    expect(pickArm([none, none, none], wide, scripted(0.99))).toEqual({ index: 2, by: 'floor' })
    expect(pickArm([], settings, scripted(0.5)).index).toBe(-1)
  })

  it.each([
    // One arm far ahead: the others get exactly their floor.
    { posteriors: [{ successes: 900, failures: 100 }, { successes: 100, failures: 900 }, { successes: 50, failures: 950 }] },
    // Overlapping posteriors: the Thompson part matters.
    { posteriors: [{ successes: 7, failures: 3 }, { successes: 6, failures: 4 }, { successes: 2, failures: 1 }] },
  ])('chooses each arm with the exact mixture probability ($posteriors.0.successes…)', ({ posteriors }) => {
    const s = banditSettings({ floor: 0.05, evidenceWeight: 1 })
    const random = sfc32(11)
    const n = 100_000
    const counts = [0, 0, 0]
    for (let i = 0; i < n; i++) counts[pickArm(posteriors, s, random).index]!++
    const params = posteriors.map((p) => [s.priorAlpha + p.successes, s.priorBeta + p.failures] as const)
    const exact = exactThompsonShares(params).map((p) => s.floor + (1 - 3 * s.floor) * p)
    exact.forEach((p, i) => {
      // 5 binomial standard errors (at most 0.0016 here).
      expect(Math.abs(counts[i]! / n - p), `arm ${i}`).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / n))
      expect(p).toBeGreaterThanOrEqual(s.floor)
    })
  })
})

describe('pickShares', () => {
  it('reports the floor exactly for a hopeless arm, sums to 1, and tracks the exact shares', () => {
    const s = banditSettings({ floor: 0.02, evidenceWeight: 1 })
    const posteriors = [{ successes: 60, failures: 40 }, { successes: 55, failures: 45 }, { successes: 0, failures: 200 }]
    const shares = pickShares(posteriors, s, sfc32(5), 20_000)
    expect(shares[2]).toBe(0.02)
    expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12)
    const exact = exactThompsonShares(posteriors.map((p) => [1 + p.successes, 1 + p.failures] as const)).map((p) => 0.02 + 0.94 * p)
    shares.forEach((share, i) => expect(Math.abs(share - exact[i]!)).toBeLessThan(0.02))
  })
})

describe('exactThompsonShares (the test oracle)', () => {
  it.each([
    // P(X > Y) for X ~ Beta(2, 1), Y ~ U(0, 1): ∫ 2x · x dx = 2/3.
    { params: [[2, 1], [1, 1]] as const, shares: [2 / 3, 1 / 3] },
    { params: [[1, 1], [1, 1], [1, 1]] as const, shares: [1 / 3, 1 / 3, 1 / 3] },
    // P(X > Y) for X ~ Beta(1, 2) (density 2(1 − x)), Y ~ U(0, 1): ∫ 2(1 − x) · x dx = 1/3.
    { params: [[1, 2], [1, 1]] as const, shares: [1 / 3, 2 / 3] },
  ])('matches closed forms for $params', ({ params, shares }) => {
    exactThompsonShares(params).forEach((p, i) => expect(p).toBeCloseTo(shares[i]!, 5))
  })
})

describe('creditReward', () => {
  it('discounts the sums, then adds a fractional reward to both sides', () => {
    const after = creditReward({ successes: 4, failures: 2 }, 0.25, settings)
    expect(after).toEqual({ successes: 2.25, failures: 1.75 })
  })

  it.each([
    [1.5, { successes: 1, failures: 0 }],
    [-1, { successes: 0, failures: 1 }],
    [Number.NaN, { successes: 0, failures: 1 }],
  ])('clamps the reward %s into [0, 1]', (reward, expected) => {
    expect(creditReward(none, reward, settings)).toEqual(expected)
  })

  it('keeps at most about 1 / (1 − discount) observations', () => {
    const s = banditSettings({ discount: 0.998 })
    let p = none
    for (let i = 0; i < 20_000; i++) p = creditReward(p, 1, s)
    expect(p.successes + p.failures).toBeCloseTo(500, 6)
  })

  it('counts every observation evidenceWeight times in the posterior mean', () => {
    expect(posteriorMean({ successes: 3, failures: 1 }, banditSettings({ evidenceWeight: 1 }))).toBeCloseTo(4 / 6, 12)
    expect(posteriorMean({ successes: 3, failures: 1 }, banditSettings({ evidenceWeight: 8 }))).toBeCloseTo(25 / 34, 12)
  })
})
