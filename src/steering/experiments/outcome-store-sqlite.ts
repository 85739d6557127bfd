// Experiment outcomes for a single Sluice (outcome-store.ts): a sqlite file of its own beside the
// state store (`experiments.db` in `state.path`), or `:memory:`. Each `add` is one transaction:
// the call id is recorded first (a repeat is a no-op), every new user of an experiment is
// recorded with the batch's variant and counted, then each field is upserted `value + amount`.
// Several stores (processes) may share the file: writes take the lock up front (BEGIN IMMEDIATE).
// WAL with synchronous=NORMAL, like the budget store: a process crash loses nothing committed.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { APPLIED_ID_TTL_MS, checkOutcomeBatches, checkTtl } from './outcome-store-memory.js'
import type { OutcomeBatch, OutcomeStore } from './outcome-store.js'

export interface SqliteOutcomeStoreOptions {
  /** Wall clock (ms), for expiries; default `Date.now`. */
  readonly now?: () => number
}

interface SharedRow {
  replica: string
  value: string
  written_at: number
}

export function createSqliteOutcomeStore(directory: string | ':memory:', options: SqliteOutcomeStoreOptions = {}): OutcomeStore {
  const now = options.now ?? Date.now
  let file = ':memory:'
  if (directory !== ':memory:') {
    mkdirSync(directory, { recursive: true })
    file = join(directory, 'experiments.db')
  }
  const db = new Database(file)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.exec(`
    CREATE TABLE IF NOT EXISTS outcome (experiment TEXT NOT NULL, variant TEXT NOT NULL, field TEXT NOT NULL, value REAL NOT NULL,
      PRIMARY KEY (experiment, variant, field)) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS exposure (experiment TEXT NOT NULL, user TEXT NOT NULL, variant TEXT NOT NULL,
      PRIMARY KEY (experiment, user)) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS shared (key TEXT NOT NULL, replica TEXT NOT NULL, value TEXT NOT NULL,
      written_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, PRIMARY KEY (key, replica)) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS applied (id TEXT PRIMARY KEY, applied_at INTEGER NOT NULL);
    CREATE INDEX IF NOT EXISTS applied_by_time ON applied (applied_at);`)

  const markApplied = db.prepare<[string, number]>('INSERT OR IGNORE INTO applied (id, applied_at) VALUES (?, ?)')
  const pruneApplied = db.prepare<[number]>('DELETE FROM applied WHERE applied_at < ?')
  const expose = db.prepare<[string, string, string]>('INSERT OR IGNORE INTO exposure (experiment, user, variant) VALUES (?, ?, ?)')
  const bump = db.prepare<[string, string, string, number]>(
    'INSERT INTO outcome (experiment, variant, field, value) VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET value = value + excluded.value',
  )
  const readAll = db.prepare<[string], { variant: string; field: string; value: number }>(
    'SELECT variant, field, value FROM outcome WHERE experiment = ?',
  )
  const readExposure = db.prepare<[string, string], { variant: string }>('SELECT variant FROM exposure WHERE experiment = ? AND user = ?')
  const clearOutcome = db.prepare<[string]>('DELETE FROM outcome WHERE experiment = ?')
  const clearExposure = db.prepare<[string]>('DELETE FROM exposure WHERE experiment = ?')
  const putShared = db.prepare<[string, string, string, number, number]>(
    'INSERT OR REPLACE INTO shared (key, replica, value, written_at, expires_at) VALUES (?, ?, ?, ?, ?)',
  )
  const pruneShared = db.prepare<[string, number]>('DELETE FROM shared WHERE key = ? AND expires_at <= ?')
  const listShared = db.prepare<[string, number], SharedRow>('SELECT replica, value, written_at FROM shared WHERE key = ? AND expires_at > ?')

  const add = db.transaction((id: string, batches: readonly OutcomeBatch[], at: number): void => {
    // Forget ids applied over a day ago: a retry comes within seconds.
    pruneApplied.run(at - APPLIED_ID_TTL_MS)
    if (markApplied.run(id, at).changes === 0) return
    for (const { experiment, variant, add: amounts, users } of batches) {
      let fresh = 0
      for (const user of users) fresh += expose.run(experiment, user, variant).changes
      if (fresh > 0) bump.run(experiment, variant, 'users', fresh)
      for (const [field, amount] of Object.entries(amounts)) if (amount !== 0) bump.run(experiment, variant, field, amount)
    }
  })
  const clear = db.transaction((experiment: string): void => {
    clearOutcome.run(experiment)
    clearExposure.run(experiment)
  })
  const list = db.transaction((key: string, at: number): SharedRow[] => {
    pruneShared.run(key, at)
    return listShared.all(key, at)
  })

  return {
    kind: 'sqlite',
    async add(id, batches) {
      checkOutcomeBatches(id, batches)
      if (batches.length > 0) add.immediate(id, batches, now())
    },
    async read(experiment) {
      const variants = new Map<string, Record<string, number>>()
      for (const { variant, field, value } of readAll.all(experiment)) {
        let fields = variants.get(variant)
        if (fields === undefined) variants.set(variant, (fields = {}))
        fields[field] = value
      }
      return variants
    },
    async exposure(experiment, user) {
      return readExposure.get(experiment, user)?.variant
    },
    async clear(experiment) {
      clear.immediate(experiment)
    },
    async putShared(key, replica, value, ttlMs) {
      checkTtl(ttlMs)
      const at = now()
      putShared.run(key, replica, value, at, at + ttlMs)
    },
    async listShared(key) {
      return list.immediate(key, now()).map((row) => ({ replica: row.replica, value: row.value, writtenAtMs: row.written_at }))
    },
    async close() {
      if (db.open) db.close()
    },
  }
}
