// What a storage engine implements. Engines only move validated JSON documents and audit rows;
// validation, typed views and listener fan-out live once in build-store.ts, so a new engine
// (redis) is this interface plus the contract suite, and every engine refuses the same input.
import type { AuditEntry, JsonObject } from '../core/store.js'
import { StateError } from './errors.js'

/** One document write inside a commit; `value: null` deletes. */
export interface RecordWrite {
  readonly namespace: string
  readonly key: string
  readonly value: JsonObject | null
  /**
   * Compare-and-set: the stored JSON text this write expects, or null for "no record"; undefined
   * writes unconditionally. The engine checks every write's precondition before applying any, in
   * the same atomic step, and throws `conflictError` when one fails.
   */
  readonly ifMatch?: string | null
  /** The audit row for this write; the engine fills `before` and `after` inside the commit. */
  readonly audit: Omit<AuditEntry, 'id' | 'before' | 'after'>
}

export interface AppliedWrite {
  readonly namespace: string
  readonly key: string
  readonly value: JsonObject | null
}

/** A committed change as listeners learn of it. */
export interface Commit {
  readonly revision: number
  readonly applied: readonly AppliedWrite[]
}

export interface CommitResult extends Commit {
  readonly audit: readonly AuditEntry[]
}

/**
 * Called once per committed change this process should learn of: for sqlite and memory, right
 * after each local commit; for redis, on each pub/sub message (local and remote commits alike).
 */
export type CommitSink = (commit: Commit) => void

export interface StateEngine {
  readonly kind: 'sqlite' | 'memory' | 'redis'
  get(namespace: string, key: string): Promise<JsonObject | null>
  /** Any order; the caller sorts. */
  list(namespace: string): Promise<{ key: string; value: JsonObject }[]>
  /**
   * Atomically, in order: read each write's current value; skip a delete of nothing; otherwise
   * write it and append its audit row (`before` = the value read, `after` = `value`). If anything
   * was applied, bump the revision by one and report the commit to the sink after it is durable.
   */
  commit(writes: readonly RecordWrite[]): Promise<CommitResult>
  appendAudit(entry: Omit<AuditEntry, 'id'>): Promise<AuditEntry>
  /** Newest first by `at`, then `id`; `since` is a normalised ISO string compared as text. */
  listAudit(since: string | undefined, limit: number): Promise<AuditEntry[]>
  revision(): Promise<number>
  /** Throws (any error) when the engine cannot serve; build-store reports it as not ok. */
  health(): Promise<void>
  close(): Promise<void>
}

export type OpenEngine = (sink: CommitSink) => Promise<StateEngine>

/** Whether `stored` (the record's JSON text, undefined when absent) meets `write`'s precondition. */
export function matches(write: RecordWrite, stored: string | undefined): boolean {
  if (write.ifMatch === undefined) return true
  return write.ifMatch === null ? stored === undefined : stored === write.ifMatch
}

export function conflictError(write: Pick<RecordWrite, 'namespace' | 'key'>): StateError {
  return new StateError('conflict', `${write.namespace}/${write.key} changed since it was read (compare-and-set failed); nothing was written`)
}
