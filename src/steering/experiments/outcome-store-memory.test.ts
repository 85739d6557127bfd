// The outcome store contract against the memory engine, on an injected clock; and its forgetting
// of call ids after a day.
import { describe, expect, it } from 'vitest'
import { createMemoryOutcomeStore } from './outcome-store-memory.js'
import { describeOutcomeStore } from './outcome-store.contract.js'

describeOutcomeStore('memory', async () => {
  let offset = 0
  const store = createMemoryOutcomeStore({ now: () => Date.now() + offset })
  return { store, advance: (ms) => void (offset += ms), cleanup: () => store.close() }
})

describe('memory outcome store', () => {
  it('forgets a call id after a day', async () => {
    let now = 1_000_000
    const store = createMemoryOutcomeStore({ now: () => now })
    const call = [{ experiment: 'e', variant: 'A', add: { x: 1 }, users: [] }]
    await store.add('id-1', call)
    now += 86_400_000
    await store.add('id-1', call)
    now += 1
    await store.add('id-2', call)
    await store.add('id-1', call)
    expect((await store.read('e')).get('A')).toEqual({ x: 3 })
  })
})
