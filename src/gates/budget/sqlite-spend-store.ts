// Spend for a single Sluice: its own sqlite file beside the state store (`budgets.db` in
// `state.path`), or `:memory:` for the memory store. Counters are not audit-logged: the state
// store audits every record write, and a ledger syncing every 250 ms would flood the audit log.
// WAL with synchronous=NORMAL: a process crash loses nothing committed; a power loss can lose the
// last commits, i.e. at most a sync interval of spend (docs/budgets.md).
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { fromNanos, toNanos, type SpendStore } from './spend-store.js'

export interface SqliteSpendStore extends SpendStore {
  close(): void
}

export function createSqliteSpendStore(directory: string | ':memory:'): SqliteSpendStore {
  let file = ':memory:'
  if (directory !== ':memory:') {
    mkdirSync(directory, { recursive: true })
    file = join(directory, 'budgets.db')
  }
  const db = new Database(file)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.exec(`CREATE TABLE IF NOT EXISTS spend (key TEXT PRIMARY KEY, nanos INTEGER NOT NULL, expires_at INTEGER NOT NULL);
           CREATE TABLE IF NOT EXISTS marks (marker TEXT PRIMARY KEY, expires_at INTEGER NOT NULL)`)
  const read = db.prepare<[string], { nanos: number }>('SELECT nanos FROM spend WHERE key = ?')
  const upsert = db.prepare<[string, number, number]>(
    'INSERT INTO spend (key, nanos, expires_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET nanos = excluded.nanos, expires_at = max(expires_at, excluded.expires_at)',
  )
  const mark = db.prepare<[string, number]>('INSERT OR IGNORE INTO marks (marker, expires_at) VALUES (?, ?)')
  const prune = db.prepare<[number]>('DELETE FROM spend WHERE expires_at < ?')
  const pruneMarks = db.prepare<[number]>('DELETE FROM marks WHERE expires_at < ?')
  const keyOf = (scopeKey: string, windowKey: string): string => `${scopeKey}|${windowKey}`
  const add = db.transaction((key: string, nanos: number, expiresAt: number, seenNanos: number): number => {
    const total = Math.max((read.get(key)?.nanos ?? 0) + nanos, seenNanos + nanos)
    upsert.run(key, total, expiresAt)
    return total
  })
  const claim = db.transaction((marker: string, expiresAt: number): boolean => {
    // Drop what expired over a day ago. The caller's clock may differ from ours (tests inject
    // one), so never prune past the expiry being claimed now.
    const cutoff = Math.min(Date.now(), expiresAt) - 86_400_000
    pruneMarks.run(cutoff)
    prune.run(cutoff)
    return mark.run(marker, expiresAt).changes === 1
  })
  return {
    async add(scopeKey, windowKey, usd, expiresAtMs, seenUsd) {
      return fromNanos(add(keyOf(scopeKey, windowKey), toNanos(usd), Math.ceil(expiresAtMs), toNanos(seenUsd)))
    },
    async get(scopeKey, windowKey) {
      return fromNanos(read.get(keyOf(scopeKey, windowKey))?.nanos ?? 0)
    },
    async claim(marker, expiresAtMs) {
      return claim(marker, Math.ceil(expiresAtMs))
    },
    close: () => db.close(),
  }
}
