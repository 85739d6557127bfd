// Assignment is flagd's `fractional` over seed + targetingKey: checked against @openfeature/flagd-core
// evaluating `flagdRule`'s targeting for random ASCII keys, with allocations of 100 % and less.
import { describe, expect, it } from 'vitest'
import { flagdAssigner } from '../../../test/support/flagd.js'
import { seededRandom } from '../../../test/support/random.js'
import { assign, assignmentTable, UNALLOCATED } from './assign.js'

const randomKey = (next: () => number): string =>
  Array.from({ length: 1 + Math.floor(next() * 30) }, () => String.fromCharCode(0x20 + Math.floor(next() * 95))).join('')

describe('experiment assignment', () => {
  it.each([
    ['100 %, 50/50', 100, [1, 1]],
    ['100 %, three variants 1/2/7', 100, [1, 2, 7]],
    ['12.5 %, 50/50', 12.5, [50, 50]],
    ['0.01 %', 0.01, [1, 1]],
  ])('agrees with flagd-core for 20,000 random keys (%s)', (_name, allocation, weights) => {
    const table = assignmentTable('exp-seed-1', weights.map((weight, i) => ({ name: `v${i}`, weight })), allocation)
    const theirs = flagdAssigner(table)
    const next = seededRandom(7)
    const mismatches: string[] = []
    const counts = new Map<string, number>()
    for (let i = 0; i < 20_000; i++) {
      const key = randomKey(next)
      const mine = assign(table, key)
      if (mine !== theirs(key)) mismatches.push(key)
      counts.set(mine ?? '-', (counts.get(mine ?? '-') ?? 0) + 1)
    }
    expect(mismatches.slice(0, 5)).toEqual([])
    // The split follows the weights and the allocation (within 1.5 points on 20,000 keys).
    const sum = weights.reduce((a, b) => a + b, 0)
    weights.forEach((w, i) => expect(Math.abs((counts.get(`v${i}`) ?? 0) / 20_000 - (allocation / 100) * (w / sum))).toBeLessThan(0.015))
  })

  it('is sticky, and a different seed reshuffles users', () => {
    const a = assignmentTable('seed-a', [{ name: 'control', weight: 1 }, { name: 'treatment', weight: 1 }], 100)
    const b = assignmentTable('seed-b', [{ name: 'control', weight: 1 }, { name: 'treatment', weight: 1 }], 100)
    const next = seededRandom(11)
    let moved = 0
    for (let i = 0; i < 2000; i++) {
      const key = randomKey(next)
      expect(assign(a, key)).toBe(assign(a, key))
      if (assign(a, key) !== assign(b, key)) moved++
    }
    // Independent seeds: about half the users land elsewhere.
    expect(moved / 2000).toBeGreaterThan(0.4)
    expect(moved / 2000).toBeLessThan(0.6)
  })

  it('leaves a user without a targeting key out', () => {
    expect(assign(assignmentTable('s', [{ name: 'a', weight: 1 }], 100), '')).toBeUndefined()
  })

  it('refuses what flagd could not express', () => {
    expect(() => assignmentTable('s', [], 100)).toThrow(/at least one variant/)
    expect(() => assignmentTable('s', [{ name: 'a', weight: 0 }], 100)).toThrow(/above 0/)
    expect(() => assignmentTable('s', [{ name: 'a', weight: 1.5 }], 100)).toThrow(/integer/)
    expect(() => assignmentTable('s', [{ name: UNALLOCATED, weight: 1 }], 100)).toThrow(/reserved/)
    expect(() => assignmentTable('s', [{ name: 'a', weight: 1 }], 101)).toThrow(/0 to 100/)
    expect(() => assignmentTable('s', [{ name: 'a', weight: 300_000 }], 100)).toThrow(/at most 214748/)
  })
})
