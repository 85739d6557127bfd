import { describe, expect, it } from 'vitest'
import { flagdAssigner } from '../../../test/support/flagd.js'
import { assign, assignmentTable } from '../experiments/assign.js'
import { canaryThreshold, inCanary, rolloutBucket } from './assign.js'

const STEPS = [1, 5, 10, 25, 50, 100]
const key = (i: number): string => `user-${i}`

describe('canary assignment', () => {
  it('is monotone: raising the percent never moves a user out of the canary (10,000 users, 1 → 5 → 10 → 25 → 50 → 100)', () => {
    const moved: string[] = []
    for (let i = 0; i < 10_000; i++) {
      let was = false
      for (const percent of STEPS) {
        const now = inCanary('rollout-seed', key(i), percent)
        if (was && !now) moved.push(`${key(i)} at ${percent} %`)
        was = now
      }
      expect(was).toBe(true)
    }
    expect(moved).toEqual([])
  })

  it.each(STEPS)('puts %s % of 100,000 users in the canary, within ±1 %', (percent) => {
    let n = 0
    for (let i = 0; i < 100_000; i++) if (inCanary('rollout-seed', key(i), percent)) n++
    expect(Math.abs(n / 1_000 - percent)).toBeLessThanOrEqual(1)
  })

  it('is sticky and depends on the seed', () => {
    expect(rolloutBucket('a', 'u1')).toBe(rolloutBucket('a', 'u1'))
    let differ = 0
    for (let i = 0; i < 1_000; i++) if (rolloutBucket('a', key(i)) !== rolloutBucket('b', key(i))) differ++
    expect(differ).toBeGreaterThan(990)
  })

  it('agrees with experiment assignment (flagd fractional) at the same seed and allocation, and with flagd-core', () => {
    for (const percent of [0.01, 1, 12.5, 50]) {
      const table = assignmentTable('rollout-seed', [{ name: 'canary', weight: 1 }], percent)
      const theirs = flagdAssigner(table)
      for (let i = 0; i < 2_000; i++) {
        const mine = inCanary('rollout-seed', key(i), percent)
        expect(assign(table, key(i)) === 'canary', `${key(i)} at ${percent} %`).toBe(mine)
        if (i < 300) expect(theirs(key(i)) === 'canary', `${key(i)} at ${percent} % (flagd-core)`).toBe(mine)
      }
    }
  })

  it('keeps users without a key on stable and refuses percents outside 0–100', () => {
    expect(inCanary('s', '', 100)).toBe(false)
    expect(canaryThreshold(12.34)).toBe(1234)
    expect(() => canaryThreshold(101)).toThrow()
    expect(() => canaryThreshold(Number.NaN)).toThrow()
  })
})
