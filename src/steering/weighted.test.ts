// pickByWeight: exact choices for fixed random points, and a seeded simulation through the real
// function showing each share converges on weight / total (reported per seed).
import { describe, expect, it } from 'vitest'
import { seededRandom } from '../../test/support/random.js'
import { pickByWeight } from './weighted.js'

describe('pickByWeight', () => {
  it.each([
    { weights: [1], random: 0, chosen: 0 },
    { weights: [1], random: 0.999, chosen: 0 },
    { weights: [3, 1], random: 0, chosen: 0 },
    { weights: [3, 1], random: 0.7499, chosen: 0 },
    { weights: [3, 1], random: 0.75, chosen: 1 },
    { weights: [3, 1], random: 0.9999, chosen: 1 },
    // A zero weight is a fallback only: never picked while a positive weight exists.
    { weights: [0, 1], random: 0, chosen: 1 },
    { weights: [1, 0, 1], random: 0.5, chosen: 2 },
    { weights: [1, 0, 1], random: 0.4999, chosen: 0 },
    // Only fallbacks left (the weighted targets were dropped by the gates): the first.
    { weights: [0, 0], random: 0.9, chosen: 0 },
    { weights: [], random: 0.5, chosen: -1 },
  ])('$weights at $random → $chosen', ({ weights, random, chosen }) => {
    expect(pickByWeight(weights, random)).toBe(chosen)
  })

  it('over 20 seeds × 20,000 draws, each share is within 1.5 points of weight / total', () => {
    const weights = [5, 3, 2, 0]
    const worst: number[] = []
    for (let seed = 1; seed <= 20; seed++) {
      const random = seededRandom(seed)
      const counts = [0, 0, 0, 0]
      for (let i = 0; i < 20_000; i++) counts[pickByWeight(weights, random())]!++
      expect(counts[3]).toBe(0)
      worst.push(Math.max(...weights.map((w, i) => Math.abs(counts[i]! / 20_000 - w / 10))))
    }
    // Binomial sd at p = 0.5, n = 20,000 is 0.35 points: 1.5 points is over 4 sd.
    expect(Math.max(...worst)).toBeLessThan(0.015)
  })
})
