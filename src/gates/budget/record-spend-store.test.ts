import { describe, expect, it } from 'vitest'
import { createStore } from '../../state/index.js'
import { createRecordSpendStore, MARK_NAMESPACE, SPEND_NAMESPACE } from './record-spend-store.js'

const HOUR = 3_600_000

describe('record spend store', () => {
  it('sums adds exactly and commits one turn\'s adds in one transaction', async () => {
    const state = await createStore({ store: 'memory', path: '' })
    const spend = createRecordSpendStore(state, { now: () => 0 })
    const before = await state.revision()
    const totals = await Promise.all([spend.add('a/*', 'd1', 0.1, HOUR, 0), spend.add('a/*', 'd1', 0.2, HOUR, 0), spend.add('b/*', 'd1', 1e-9, HOUR, 0)])
    expect(totals).toEqual([0.3, 0.3, 1e-9])
    expect(await state.revision()).toBe(before + 1)
    expect(await spend.add('a/*', 'd1', 0, HOUR, 0)).toBe(0.3)
    expect(await spend.get('a/*', 'd1')).toBe(0.3)
    expect(await spend.get('a/*', 'd2')).toBe(0)
    expect(await state.getRecord(SPEND_NAMESPACE, 'a/*|d1')).toEqual({ nanoUsd: 300_000_000, expiresAt: '1970-01-01T01:00:00.000Z' })
  })

  it('keeps the spend of many small calls exact', async () => {
    const spend = createRecordSpendStore(await createStore({ store: 'memory', path: '' }))
    for (let i = 0; i < 1000; i++) await spend.add('a/*', 'd1', 0.000_123_456, HOUR, 0)
    expect(await spend.get('a/*', 'd1')).toBe(0.123_456)
  })

  it('raises a total below what a caller saw to that floor, without double counting', async () => {
    const spend = createRecordSpendStore(await createStore({ store: 'memory', path: '' }))
    // Two replicas saw 4 USD before the data was lost; one adds 1, the other only reads.
    expect(await Promise.all([spend.add('a/*', 'd1', 1, HOUR, 4), spend.add('a/*', 'd1', 0, HOUR, 4)])).toEqual([5, 5])
    expect(await spend.add('a/*', 'd1', 0.5, HOUR, 1)).toBe(5.5)
  })

  it('lets one caller claim a marker', async () => {
    const state = await createStore({ store: 'memory', path: '' })
    const spend = createRecordSpendStore(state)
    expect(await Promise.all([spend.claim('x|d1|80', HOUR), spend.claim('x|d1|80', HOUR), spend.claim('x|d1|100', HOUR)])).toEqual([true, false, true])
    expect((await state.listAudit()).filter((e) => e.action === 'budget.threshold')).toHaveLength(2)
  })

  it('hashes keys too long for a record', async () => {
    const state = await createStore({ store: 'memory', path: '' })
    const spend = createRecordSpendStore(state)
    const user = 'u'.repeat(300)
    expect(await spend.add(`perUser/${user}`, 'd1', 1, HOUR, 0)).toBe(1)
    expect(await spend.get(`perUser/${user}`, 'd1')).toBe(1)
    expect((await state.listRecords(SPEND_NAMESPACE)).map((r) => r.key)).toEqual([expect.stringMatching(/^sha256:[0-9a-f]{64}$/)])
  })

  it('deletes expired spend and markers, at most once an hour', async () => {
    const state = await createStore({ store: 'memory', path: '' })
    let now = 0
    const spend = createRecordSpendStore(state, { now: () => now })
    await spend.add('old/*', 'd1', 1, HOUR, 0)
    await spend.claim('old|d1|50', HOUR)
    now = 2 * HOUR
    await spend.add('new/*', 'd2', 1, 3 * HOUR, 0)
    expect((await state.listRecords(SPEND_NAMESPACE)).map((r) => r.key)).toEqual(['new/*|d2'])
    expect(await state.listRecords(MARK_NAMESPACE)).toEqual([])
  })

  it('rejects every add of a batch the store cannot commit', async () => {
    const state = await createStore({ store: 'memory', path: '' })
    const spend = createRecordSpendStore(state)
    await state.close()
    await expect(spend.add('a/*', 'd1', 1, HOUR, 0)).rejects.toThrow(/closed/)
    await expect(spend.claim('m', HOUR)).rejects.toThrow(/closed/)
  })
})
