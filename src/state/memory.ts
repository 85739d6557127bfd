// The memory engine: for tests and `sluice demo`. Everything is lost when the process exits.
// Documents are kept as JSON text, like sqlite keeps them, so callers get fresh copies on every
// read and cannot mutate stored state through a returned object.
import { conflictError, matches, type AppliedWrite, type CommitSink, type RecordWrite, type StateEngine } from './engine.js'
import type { AuditEntry, JsonObject } from '../core/store.js'

export function openMemoryEngine(sink: CommitSink): Promise<StateEngine> {
  const namespaces = new Map<string, Map<string, string>>()
  const audit: string[] = []
  let revision = 0

  const docs = (namespace: string): Map<string, string> => {
    let docs = namespaces.get(namespace)
    if (docs === undefined) namespaces.set(namespace, (docs = new Map()))
    return docs
  }
  const parse = (json: string | undefined): JsonObject | null => (json === undefined ? null : (JSON.parse(json) as JsonObject))
  const append = (entry: Omit<AuditEntry, 'id'>): AuditEntry => {
    const row = { id: audit.length + 1, ...entry }
    audit.push(JSON.stringify(row))
    return JSON.parse(audit[audit.length - 1] as string) as AuditEntry
  }

  return Promise.resolve({
    kind: 'memory',
    get: async (namespace, key) => parse(namespaces.get(namespace)?.get(key)),
    list: async (namespace) => [...docs(namespace)].map(([key, json]) => ({ key, value: JSON.parse(json) as JsonObject })),

    // Atomic without a rollback path: build-store validated every write, so nothing below throws,
    // and no other code runs until this synchronous loop ends.
    commit: async (writes: readonly RecordWrite[]) => {
      for (const w of writes) if (!matches(w, docs(w.namespace).get(w.key))) throw conflictError(w)
      const applied: AppliedWrite[] = []
      const entries: AuditEntry[] = []
      for (const { namespace, key, value, audit: entry } of writes) {
        const before = parse(docs(namespace).get(key))
        if (before === null && value === null) continue
        if (value === null) docs(namespace).delete(key)
        else docs(namespace).set(key, JSON.stringify(value))
        applied.push({ namespace, key, value })
        entries.push(append({ ...entry, before, after: value }))
      }
      if (applied.length > 0) {
        revision += 1
        sink({ revision, applied })
      }
      return { revision, applied, audit: entries }
    },

    appendAudit: async (entry) => append(entry),
    listAudit: async (since, limit) =>
      audit
        .map((json) => JSON.parse(json) as AuditEntry)
        .filter((entry) => since === undefined || entry.at >= since)
        .sort((a, b) => (a.at === b.at ? b.id - a.id : a.at < b.at ? 1 : -1))
        .slice(0, limit),
    revision: async () => revision,
    health: async () => {},
    close: async () => {},
  })
}
