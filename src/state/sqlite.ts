// The sqlite engine: one file, `<state.path>/sluice.db`, the embedded default (docs/state.md).
// better-sqlite3 is synchronous; methods return settled promises to fit the async interface.
// Durability choices are explained in docs/state.md#sqlite.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { conflictError, matches, type AppliedWrite, type CommitSink, type RecordWrite, type StateEngine } from './engine.js'
import { asUnavailable, StateError } from './errors.js'
import { migrate } from './sqlite-schema.js'
import type { AuditEntry, JsonObject, JsonValue } from '../core/store.js'

export const sqliteFileName = 'sluice.db'
// How long a write waits for another connection's write lock (a CLI, or the previous process
// during a restart) before failing with `unavailable`.
const busyTimeoutMs = 5000

interface AuditRow {
  id: number
  at: string
  actor: string
  action: string
  target: string
  before: string
  after: string
  reason: string
}

const toEntry = (row: AuditRow): AuditEntry => ({
  ...row,
  before: JSON.parse(row.before) as JsonValue,
  after: JSON.parse(row.after) as JsonValue,
})

/** Opens (creating and migrating as needed) `<dir>/sluice.db`. */
export async function openSqliteEngine(dir: string, sink: CommitSink): Promise<StateEngine> {
  let db: Database.Database | undefined
  try {
    mkdirSync(dir, { recursive: true })
    db = new Database(join(dir, sqliteFileName), { timeout: busyTimeoutMs })
    // WAL: readers never block the writer, and a second opener sees committed writes.
    // FULL: fsync the WAL on every commit. Admin mutations are rare, and an acknowledged kill
    // switch must survive power loss, not only a process crash (NORMAL only guarantees the latter).
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = FULL')
    migrate(db)
  } catch (err) {
    db?.close()
    throw asUnavailable(err, `open ${join(dir, sqliteFileName)}`)
  }

  const getDoc = db.prepare<[string, string], { value: string }>('SELECT value FROM records WHERE namespace = ? AND key = ?')
  const listDocs = db.prepare<[string], { key: string; value: string }>('SELECT key, value FROM records WHERE namespace = ?')
  const putDoc = db.prepare<[string, string, string]>(
    'INSERT INTO records (namespace, key, value) VALUES (?, ?, ?) ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value',
  )
  const deleteDoc = db.prepare<[string, string]>('DELETE FROM records WHERE namespace = ? AND key = ?')
  const insertAudit = db.prepare<[string, string, string, string, string, string, string], AuditRow>(
    `INSERT INTO audit (at, actor, action, target, before, after, reason) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *`,
  )
  const auditSince = db.prepare<[string, number], AuditRow>('SELECT * FROM audit WHERE at >= ? ORDER BY at DESC, id DESC LIMIT ?')
  const auditAll = db.prepare<[number], AuditRow>('SELECT * FROM audit ORDER BY at DESC, id DESC LIMIT ?')
  const readRevision = db.prepare<[], { value: number }>("SELECT value FROM meta WHERE name = 'revision'")
  const bumpRevision = db.prepare<[], { value: number }>("UPDATE meta SET value = value + 1 WHERE name = 'revision' RETURNING value")

  const revisionOf = (row: { value: number } | undefined): number => {
    if (row === undefined) throw new StateError('corrupt', 'the revision row in table meta is missing')
    return row.value
  }
  const currentRevision = (): number => revisionOf(readRevision.get())
  const append = (e: Omit<AuditEntry, 'id'>): AuditEntry =>
    toEntry(insertAudit.get(e.at, e.actor, e.action, e.target, JSON.stringify(e.before), JSON.stringify(e.after), e.reason) as AuditRow)

  const applyWrites = db.transaction((writes: readonly RecordWrite[]) => {
    // Thrown inside the transaction: better-sqlite3 rolls it back, and nothing was written yet.
    for (const w of writes) if (!matches(w, getDoc.get(w.namespace, w.key)?.value)) throw conflictError(w)
    const applied: AppliedWrite[] = []
    const audit: AuditEntry[] = []
    for (const { namespace, key, value, audit: entry } of writes) {
      const row = getDoc.get(namespace, key)
      if (row === undefined && value === null) continue
      if (value === null) deleteDoc.run(namespace, key)
      else putDoc.run(namespace, key, JSON.stringify(value))
      applied.push({ namespace, key, value })
      audit.push(append({ ...entry, before: row === undefined ? null : (JSON.parse(row.value) as JsonObject), after: value }))
    }
    const revision = applied.length > 0 ? revisionOf(bumpRevision.get()) : currentRevision()
    return { revision, applied, audit }
  })

  // Every failure from here on is the file or the disk: report it as `unavailable`.
  const guard = <T>(doing: string, run: () => T): Promise<T> => {
    try {
      return Promise.resolve(run())
    } catch (err) {
      return Promise.reject(asUnavailable(err, doing))
    }
  }

  return {
    kind: 'sqlite',
    get: (namespace, key) =>
      guard('read a record', () => {
        const row = getDoc.get(namespace, key)
        return row === undefined ? null : (JSON.parse(row.value) as JsonObject)
      }),
    list: (namespace) =>
      guard('list records', () => listDocs.all(namespace).map((row) => ({ key: row.key, value: JSON.parse(row.value) as JsonObject }))),
    commit: (writes) =>
      guard('commit', () => {
        // IMMEDIATE takes the write lock before the first read, so two connections cannot both
        // read a stale `before` and then fail to upgrade their lock.
        const result = applyWrites.immediate(writes)
        if (result.applied.length > 0) sink(result)
        return result
      }),
    appendAudit: (entry) => guard('append to the audit log', () => append(entry)),
    listAudit: (since, limit) =>
      guard('read the audit log', () => (since === undefined ? auditAll.all(limit) : auditSince.all(since, limit)).map(toEntry)),
    revision: () => guard('read the revision', currentRevision),
    health: () => guard('read the revision', () => void currentRevision()),
    close: () => guard('close', () => void db.close()),
  }
}
