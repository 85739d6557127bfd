// The contract every outcome store engine meets (outcome-store.ts), run by
// outcome-store-{memory,sqlite,redis}.test.ts against real backends: exact sums (also concurrent,
// from two stores over one backend), a call id applied once, users counted once per experiment,
// all-or-nothing on bad input, integers past 2^32, clear, shared entries with a ttl, and totals
// that survive reopening the backend.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { OutcomeBatch, OutcomeStore, SharedEntry } from './outcome-store.js'

export interface OutcomeStoreHarness {
  readonly store: OutcomeStore
  /**
   * Opens another store over the same backend, alongside the ones already open: a second replica,
   * or — once the first is closed — the same one after a restart. Absent for a backend that lives
   * in one store (memory).
   */
  readonly reopen?: () => Promise<OutcomeStore>
  /** Moves the stores' clock forward; without it the ttl test waits in real time. */
  readonly advance?: (ms: number) => void
  /** Closes every store it opened and removes the backend. */
  readonly cleanup: () => Promise<void>
}

const batch = (experiment: string, variant: string, add: Record<string, number>, users: string[] = []): OutcomeBatch => ({ experiment, variant, add, users })
const byReplica = (entries: SharedEntry[]): SharedEntry[] => [...entries].sort((a, b) => a.replica.localeCompare(b.replica))
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

export function describeOutcomeStore(name: string, open: () => Promise<OutcomeStoreHarness>): void {
  describe(`outcome store contract: ${name}`, () => {
    let harness: OutcomeStoreHarness
    let store: OutcomeStore
    /** A second store over the same backend, or the same store when there is only one. */
    const other = async (): Promise<OutcomeStore> => (harness.reopen ? harness.reopen() : store)

    beforeEach(async () => {
      harness = await open()
      store = harness.store
    })
    afterEach(async () => {
      await harness.cleanup()
    })

    it('reads an unknown experiment as empty', async () => {
      expect(await store.read('nobody')).toEqual(new Map())
      expect(await store.exposure('nobody', 'u1')).toBeUndefined()
      await store.add('empty-1', [])
      await store.add('zero-1', [batch('zero', 'A', { 'm:x:n': 0 })])
      expect(await store.read('zero')).toEqual(new Map())
    })

    it('sums many adds, per variant and field, as doubles', async () => {
      for (let i = 0; i < 50; i++) {
        await store.add(`sum-${i}`, [
          batch('sum', 'A', { 'm:lat:n': 1, 'm:lat:sum': i, 'm:lat:sq': i * i, 'h:lat:3': i % 2 }),
          batch('sum', 'B', { 'm:lat:n': 2, 'm:lat:sum': -i }),
        ])
      }
      await store.add('sum-frac-1', [batch('sum', 'C', { f: 0.1 })])
      await store.add('sum-frac-2', [batch('sum', 'C', { f: 0.2 })])
      expect(await store.read('sum')).toEqual(
        new Map([
          ['A', { 'm:lat:n': 50, 'm:lat:sum': 1225, 'm:lat:sq': 40425, 'h:lat:3': 25 }],
          ['B', { 'm:lat:n': 100, 'm:lat:sum': -1225 }],
          ['C', { f: 0.1 + 0.2 }],
        ]),
      )
    })

    it('sums concurrent adds from two stores over the same backend exactly', async () => {
      const second = await other()
      await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          i % 2 === 0
            ? store.add(`conc-a-${i}`, [batch('conc', 'A', { x: 1 }, [`u${i}`])])
            : second.add(`conc-b-${i}`, [batch('conc', 'A', { x: 0.5, y: 1 }, [`u${i}`, 'shared-user'])]),
        ),
      )
      expect((await store.read('conc')).get('A')).toEqual({ x: 150, y: 100, users: 201 })
      expect(await second.read('conc')).toEqual(await store.read('conc'))
    })

    it('applies a repeated call id once, from any store', async () => {
      const second = await other()
      const call = [batch('retry', 'A', { x: 1 }, ['u1']), batch('retry', 'B', { x: 2 })]
      await store.add('retry-1', call)
      await Promise.all([store.add('retry-1', call), second.add('retry-1', call), second.add('retry-1', [batch('retry', 'A', { x: 100 })])])
      await store.add('retry-2', [batch('retry', 'A', { x: 1 })])
      expect(await store.read('retry')).toEqual(new Map([['A', { x: 2, users: 1 }], ['B', { x: 2 }]]))
    })

    it('counts a user once per experiment; the first variant wins', async () => {
      const second = await other()
      await store.add('users-1', [batch('users', 'A', {}, ['u1', 'u2', 'u1'])])
      await store.add('users-2', [batch('users', 'A', {}, ['u1', 'u3'])])
      await second.add('users-3', [batch('users', 'B', { x: 1 }, ['u2', 'u4'])])
      // Within one call, batches apply in order.
      await store.add('users-4', [batch('users', 'B', {}, ['u5']), batch('users', 'A', {}, ['u5', 'u6']), batch('other', 'B', {}, ['u1'])])
      expect(await store.read('users')).toEqual(new Map([['A', { users: 4 }], ['B', { x: 1, users: 2 }]]))
      expect(await store.read('other')).toEqual(new Map([['B', { users: 1 }]]))
      expect(await second.exposure('users', 'u2')).toBe('A')
      expect(await store.exposure('users', 'u4')).toBe('B')
      expect(await store.exposure('users', 'u5')).toBe('B')
      expect(await store.exposure('users', 'u6')).toBe('A')
      expect(await store.exposure('other', 'u1')).toBe('B')
      expect(await store.exposure('users', 'u7')).toBeUndefined()
    })

    it('writes nothing of a call with bad input, and leaves its id unused', async () => {
      const good = batch('bad', 'A', { x: 1 }, ['u1'])
      for (const wrong of [
        batch('bad', 'B', { x: 1, y: Number.NaN }),
        batch('bad', 'B', { x: Number.POSITIVE_INFINITY }),
        batch('bad', 'B', { x: Number.NEGATIVE_INFINITY }),
        batch('', 'B', { x: 1 }),
        batch('bad', '', { x: 1 }),
      ]) {
        await expect(store.add('bad-1', [good, wrong, good])).rejects.toThrow()
      }
      await expect(store.add('', [good])).rejects.toThrow()
      expect(await store.read('bad')).toEqual(new Map())
      expect(await store.exposure('bad', 'u1')).toBeUndefined()
      await store.add('bad-1', [good])
      expect(await store.read('bad')).toEqual(new Map([['A', { x: 1, users: 1 }]]))
    })

    it('keeps integers past 2^32 exact', async () => {
      const big = 2 ** 40 + 3
      for (let i = 0; i < 10; i++) await store.add(`big-${i}`, [batch('big', 'A', { n: big, m: 2 ** 33 + 1, k: -(2 ** 35) - 7 })])
      await store.add('big-max', [batch('big', 'B', { n: Number.MAX_SAFE_INTEGER - 1 })])
      await store.add('big-max-2', [batch('big', 'B', { n: 1 })])
      expect(await store.read('big')).toEqual(
        new Map([
          ['A', { n: 10 * big, m: 10 * (2 ** 33 + 1), k: -10 * (2 ** 35 + 7) }],
          ['B', { n: Number.MAX_SAFE_INTEGER }],
        ]),
      )
    })

    it('clears one experiment, aggregates and exposures', async () => {
      await store.add('clear-1', [batch('gone', 'A', { x: 1 }, ['u1']), batch('gone', 'B', { x: 2 }), batch('kept', 'A', { x: 3 }, ['u1'])])
      await store.clear('gone')
      await store.clear('never-written')
      expect(await store.read('gone')).toEqual(new Map())
      expect(await store.exposure('gone', 'u1')).toBeUndefined()
      expect(await store.read('kept')).toEqual(new Map([['A', { x: 3, users: 1 }]]))
      expect(await store.exposure('kept', 'u1')).toBe('A')
      await store.add('clear-2', [batch('gone', 'B', {}, ['u1'])])
      expect(await store.read('gone')).toEqual(new Map([['B', { users: 1 }]]))
    })

    it('keeps one shared entry per replica, replaced on put', async () => {
      const second = await other()
      const before = Date.now()
      await store.putShared('bandit', 'r1', 'one', 60_000)
      await second.putShared('bandit', 'r2', 'two', 60_000)
      await store.putShared('other', 'r1', 'elsewhere', 60_000)
      await second.putShared('bandit', 'r1', 'one again', 60_000)
      const entries = byReplica(await store.listShared('bandit'))
      expect(entries.map(({ replica, value }) => ({ replica, value }))).toEqual([
        { replica: 'r1', value: 'one again' },
        { replica: 'r2', value: 'two' },
      ])
      for (const entry of entries) expect(entry.writtenAtMs).toBeGreaterThanOrEqual(before)
      expect(await second.listShared('other')).toEqual([expect.objectContaining({ replica: 'r1', value: 'elsewhere' })])
      expect(await store.listShared('nothing')).toEqual([])
    })

    it('hides a shared entry once its ttl has passed', async () => {
      const ttlMs = 200
      const put = Date.now()
      await store.putShared('ttl', 'short', 's', ttlMs)
      await store.putShared('ttl', 'long', 'l', 60_000)
      const first = (await store.listShared('ttl')).map((entry) => entry.replica).sort()
      // Without a controllable clock, a stalled machine may already be past the ttl.
      if (harness.advance || Date.now() - put < ttlMs) expect(first).toEqual(['long', 'short'])
      if (harness.advance) harness.advance(ttlMs)
      else for (let waited = 0; waited < 5_000 && (await store.listShared('ttl')).length > 1; waited += 25) await sleep(25)
      expect((await store.listShared('ttl')).map((entry) => entry.replica)).toEqual(['long'])
      await store.putShared('ttl', 'short', 's2', 60_000)
      expect(byReplica(await store.listShared('ttl')).map((entry) => entry.value)).toEqual(['l', 's2'])
      await expect(store.putShared('ttl', 'x', 'v', Number.NaN)).rejects.toThrow()
      await expect(store.putShared('ttl', 'x', 'v', 0)).rejects.toThrow()
    })

    // Redis forgets ids by its own clock (a day away); the engines on an injected clock show it here.
    it('forgets a call id after a day', async (context) => {
      if (!harness.advance) return context.skip()
      const call = [batch('forget', 'A', { x: 1 })]
      await store.add('forget-1', call)
      // The harness clock also runs in real time: a second's margin either side of the day.
      harness.advance(86_400_000 - 1_000)
      await store.add('forget-1', call)
      harness.advance(2_000)
      await store.add('forget-2', call)
      await store.add('forget-1', call)
      expect((await store.read('forget')).get('A')).toEqual({ x: 3 })
    })

    it('keeps totals, exposures and applied ids across a restart', async (context) => {
      if (!harness.reopen) return context.skip()
      await store.add('restart-1', [batch('restart', 'A', { x: 2 ** 34, y: 0.25 }, ['u1'])])
      await store.putShared('restart', 'r1', 'kept', 60_000)
      await store.close()
      const again = await harness.reopen()
      await again.add('restart-1', [batch('restart', 'A', { x: 1 }, ['u2'])])
      expect(await again.read('restart')).toEqual(new Map([['A', { x: 2 ** 34, y: 0.25, users: 1 }]]))
      expect(await again.exposure('restart', 'u1')).toBe('A')
      expect((await again.listShared('restart')).map((entry) => entry.value)).toEqual(['kept'])
    })
  })
}
