import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createStore, StateError, type StateStore } from '../../src/state/index.js'
import { rejectionOf } from '../support/rejection.js'
import { by, killSwitch, override } from './contract-concerns.js'
import { runStoreContract } from './contract.js'

const tempDir = (): string => mkdtempSync(join(tmpdir(), 'sluice-state-'))

runStoreContract('sqlite', async (options) => {
  const dir = tempDir()
  const store = await createStore({ store: 'sqlite', path: dir }, options)
  return {
    store,
    cleanup: async () => {
      await store.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
})

describe('sqlite store on disk', () => {
  let dir: string
  const open: StateStore[] = []
  const openStore = async (path = dir): Promise<StateStore> => {
    const store = await createStore({ store: 'sqlite', path })
    open.push(store)
    return store
  }
  const raw = (): Database.Database => new Database(join(dir, 'sluice.db'))

  beforeEach(() => {
    dir = tempDir()
  })
  afterEach(async () => {
    await Promise.all(open.splice(0).map((store) => store.close()))
    rmSync(dir, { recursive: true, force: true })
  })

  it('creates <path>/sluice.db (and the directory) in WAL mode', async () => {
    dir = join(dir, 'nested', 'state')
    await openStore()
    const db = raw()
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    db.close()
  })

  it('keeps everything across close and reopen', async () => {
    const first = await openStore()
    const o = await first.putOverride(override('f'))
    const ks = await first.putKillSwitch(killSwitch('global', '*'))
    await first.transaction([{ op: 'put-record', namespace: 'rollouts', key: 'r', value: { step: 3 }, ...by }])
    const audit = await first.listAudit()
    await first.close()

    const second = await openStore()
    expect(await second.listOverrides()).toEqual([o])
    expect(await second.listKillSwitches()).toEqual([ks])
    expect(await second.getRecord('rollouts', 'r')).toEqual({ step: 3 })
    expect(await second.listAudit()).toEqual(audit)
    expect(await second.revision()).toBe(3)
  })

  it("lets a second opener read the first one's committed writes, and the revision is shared", async () => {
    const a = await openStore()
    const b = await openStore()
    const fromA = await a.putKillSwitch(killSwitch('model', 'gpt-4o'))
    expect(await b.listKillSwitches()).toEqual([fromA])
    const fromB = await b.putOverride(override('f'))
    expect(await a.listOverrides()).toEqual([fromB])
    expect(await a.revision()).toBe(2)
    // Each opener notifies only its own commits: a's listener sees the jump past b's revision
    // and knows to reload (docs/state.md).
    const seen: number[] = []
    a.subscribe((change) => seen.push(change.revision))
    await b.deleteOverride('f', by)
    await a.deleteKillSwitch('model', 'gpt-4o', by)
    expect(seen).toEqual([4])
    expect((await b.listAudit()).length).toBe(4)
  })

  it('migrates once: reopening keeps one schema_version row at the current version', async () => {
    await (await openStore()).close()
    await openStore()
    await openStore()
    const db = raw()
    expect(db.prepare('SELECT version FROM schema_version').all()).toEqual([{ version: 1 }])
    expect(db.prepare("SELECT value FROM meta WHERE name = 'revision'").all()).toEqual([{ value: 0 }])
    db.close()
  })

  it('refuses a database migrated by a newer Sluice', async () => {
    await (await openStore()).close()
    const db = raw()
    db.prepare('UPDATE schema_version SET version = 99').run()
    db.close()
    const err = await rejectionOf<StateError>(openStore())
    expect(err.code).toBe('schema_too_new')
  })

  it('rolls back every write and audit row when the engine fails mid-transaction', async () => {
    const store = await openStore()
    await store.putOverride(override('kept'))
    // Storage-level fault injection: the disk "fails" on the second write only.
    const db = raw()
    db.exec(`CREATE TRIGGER fail BEFORE INSERT ON records WHEN NEW.key = 'boom'
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END`)
    db.close()
    const seen: number[] = []
    store.subscribe((change) => seen.push(change.revision))
    const err = await rejectionOf<StateError>(
      store.transaction([
        { op: 'put-override', override: override('a') },
        { op: 'put-override', override: override('boom') },
        { op: 'delete-override', key: 'kept', ...by },
      ]),
    )
    expect([err.code, err.message]).toEqual(['unavailable', 'state store could not commit: injected failure'])
    expect((await store.listOverrides()).map((o) => o.key)).toEqual(['kept'])
    expect((await store.listAudit()).length).toBe(1)
    expect(await store.revision()).toBe(1)
    expect(seen).toEqual([])
  })

  it('fails to open with `unavailable` when the path cannot hold a database', async () => {
    const file = join(dir, 'not-a-directory')
    writeFileSync(file, '')
    const err = await rejectionOf<StateError>(openStore(file))
    expect(err).toBeInstanceOf(StateError)
    expect(err.code).toBe('unavailable')
    expect(err.message).toContain(`could not open ${join(file, 'sluice.db')}`)
  })
})
