// The outcome store contract against the memory engine, on an injected clock.
import { createMemoryOutcomeStore } from './outcome-store-memory.js'
import { describeOutcomeStore } from './outcome-store.contract.js'

describeOutcomeStore('memory', async () => {
  let offset = 0
  const store = createMemoryOutcomeStore({ now: () => Date.now() + offset })
  return { store, advance: (ms) => void (offset += ms), cleanup: () => store.close() }
})
