// The outcome store contract against the sqlite engine: a real file in a temp dir, two stores on it
// (two replicas of one host, or one reopened after a restart), on an injected clock.
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createSqliteOutcomeStore } from './outcome-store-sqlite.js'
import type { OutcomeStore } from './outcome-store.js'
import { describeOutcomeStore } from './outcome-store.contract.js'

const dirs: string[] = []
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-outcomes-'))
  dirs.push(dir)
  return dir
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

describeOutcomeStore('sqlite', async () => {
  const directory = join(tempDir(), 'state')
  let offset = 0
  const stores: OutcomeStore[] = []
  const open = async (): Promise<OutcomeStore> => {
    const store = createSqliteOutcomeStore(directory, { now: () => Date.now() + offset })
    stores.push(store)
    return store
  }
  return {
    store: await open(),
    reopen: open,
    advance: (ms) => void (offset += ms),
    cleanup: async () => {
      for (const store of stores) await store.close()
    },
  }
})

describe('sqlite outcome store', () => {
  it('keeps its own experiments.db in the directory, creating it', async () => {
    const directory = join(tempDir(), 'a', 'b')
    const store = createSqliteOutcomeStore(directory)
    await store.add('id-1', [{ experiment: 'e', variant: 'A', add: { x: 1 }, users: ['u1'] }])
    await store.close()
    await store.close()
    expect(existsSync(join(directory, 'experiments.db'))).toBe(true)
  })

  it('runs in memory', async () => {
    const store = createSqliteOutcomeStore(':memory:')
    await store.add('id-1', [{ experiment: 'e', variant: 'A', add: { x: 1.5 }, users: ['u1'] }])
    expect(await store.read('e')).toEqual(new Map([['A', { x: 1.5, users: 1 }]]))
    await store.close()
  })
})
