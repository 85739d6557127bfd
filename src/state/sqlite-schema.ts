// Forward-only migrations for sluice.db. Entry N brings the schema from version N to N + 1; never
// edit a shipped entry, append a new one. `schema_version` holds one row with the current version.
import type Database from 'better-sqlite3'
import { StateError } from './errors.js'

const migrations: readonly string[] = [
  // 1: documents by namespace, the audit log and the change revision.
  `CREATE TABLE records (
     namespace TEXT NOT NULL,
     key TEXT NOT NULL,
     value TEXT NOT NULL,
     PRIMARY KEY (namespace, key)
   ) WITHOUT ROWID;
   -- AUTOINCREMENT: ids are never reused, even after the newest rows are deleted by hand.
   CREATE TABLE audit (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     at TEXT NOT NULL,
     actor TEXT NOT NULL,
     action TEXT NOT NULL,
     target TEXT NOT NULL,
     before TEXT NOT NULL,
     after TEXT NOT NULL,
     reason TEXT NOT NULL
   );
   CREATE INDEX audit_at ON audit (at, id);
   CREATE TABLE meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
   INSERT INTO meta (name, value) VALUES ('revision', 0);`,
]

export const schemaVersion = migrations.length

/**
 * Brings `db` to `schemaVersion`. One IMMEDIATE transaction: two processes opening a fresh file
 * at once cannot both migrate, and a crash mid-migration leaves the previous version intact.
 */
export function migrate(db: Database.Database): void {
  db.transaction(() => {
    db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)')
    const row = db.prepare<[], { version: number }>('SELECT version FROM schema_version').get()
    const current = row?.version ?? 0
    if (current > schemaVersion) {
      throw new StateError(
        'schema_too_new',
        `${db.name} has schema version ${current}; this Sluice knows up to ${schemaVersion}. Upgrade Sluice.`,
      )
    }
    migrations.slice(current).forEach((sql) => db.exec(sql))
    if (row === undefined) db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(schemaVersion)
    else db.prepare('UPDATE schema_version SET version = ?').run(schemaVersion)
  }).immediate()
}
