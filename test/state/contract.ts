// The behaviour every state engine must share (sqlite, memory, and redis when it lands). An
// engine's test file calls `runStoreContract` with a factory for fresh, empty stores.
import { afterEach, beforeEach, describe } from 'vitest'
import type { StateStore, StoreOptions } from '../../src/state/index.js'
import { describeAudit } from './contract-audit.js'
import { describeCompareAndSet } from './contract-cas.js'
import { describeConcerns } from './contract-concerns.js'
import { describeTransactions } from './contract-transactions.js'

export type MakeStore = (options: StoreOptions) => Promise<{ store: StateStore; cleanup: () => Promise<void> }>

/** A fresh store per test, on a clock that only moves when the test says so. */
export interface StoreContext {
  readonly store: StateStore
  /** Errors thrown by listeners, as the store reported them. */
  readonly listenerErrors: unknown[]
  /** The ISO time the store stamps now. */
  readonly nowIso: string
  advance(ms: number): void
}

const START = Date.parse('2030-01-02T03:04:05.000Z')

export function runStoreContract(name: string, makeStore: MakeStore): void {
  describe(`${name} state store contract`, () => {
    let made: Awaited<ReturnType<MakeStore>>
    let time = START
    const listenerErrors: unknown[] = []
    const ctx: StoreContext = {
      get store() {
        return made.store
      },
      listenerErrors,
      get nowIso() {
        return new Date(time).toISOString()
      },
      advance(ms) {
        time += ms
      },
    }

    beforeEach(async () => {
      time = START
      listenerErrors.length = 0
      made = await makeStore({ now: () => new Date(time), onListenerError: (err) => listenerErrors.push(err) })
    })
    afterEach(async () => {
      await made.cleanup()
    })

    describeConcerns(ctx)
    describeAudit(ctx)
    describeTransactions(ctx)
    describeCompareAndSet(ctx)
  })
}
