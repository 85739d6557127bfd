// The state store (docs/state.md): everything Sluice must remember across restarts and share across
// replicas. One interface, several engines (sqlite, memory, redis), one contract suite
// (test/state/contract.ts). Methods are async so a networked engine fits the same shape.
// Organised by concern; later concerns (budgets, counters, rollouts…) add typed helpers over the
// generic `records` namespaces or a section of their own. docs/state.md is the operator's view.

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject
export interface JsonObject {
  [key: string]: JsonValue
}

/** Kill-switch scopes (docs/admin-api.md), narrowest last. `global` is emergency shutdown. */
export const killScopes = ['global', 'provider', 'model', 'route', 'client'] as const
export type KillScope = (typeof killScopes)[number]

/** A runtime flag override (docs/flags.md): wins over the file's definition for `key`. */
export interface FlagOverride {
  readonly key: string
  /** A flagd flag definition (or the part of one being overridden). */
  readonly definition: JsonObject
  readonly actor: string
  readonly reason: string
  /** ISO-8601 UTC, stamped by the store when the override is written. */
  readonly setAt: string
}
export type FlagOverrideInput = Omit<FlagOverride, 'setAt'>

export interface KillSwitch {
  readonly scope: KillScope
  /** What the switch blocks: a provider, model, route or client name; always "*" for `global`. */
  readonly target: string
  readonly reason: string
  readonly actor: string
  /** ISO-8601 UTC, stamped by the store. */
  readonly setAt: string
}
export type KillSwitchInput = Omit<KillSwitch, 'setAt'>

/** One audit-log row (docs/admin-api.md). Append-only; ids increase with insertion order. */
export interface AuditEntry {
  readonly id: number
  /** ISO-8601 UTC. */
  readonly at: string
  readonly actor: string
  /** `<namespace>.put|delete` for store writes unless the op names one; e.g. `config.reload`. */
  readonly action: string
  readonly target: string
  readonly before: JsonValue
  readonly after: JsonValue
  readonly reason: string
}
/** `at` defaults to the store's clock. */
export type AuditInput = Omit<AuditEntry, 'id' | 'at'> & { readonly at?: string }

export interface AuditQuery {
  /** ISO-8601; only entries with `at >= since`. */
  readonly since?: string
  /** Default 100, at most 1000. */
  readonly limit?: number
}

/** Who asked for a delete and why; a put carries these in its record. */
export interface Attribution {
  readonly actor: string
  readonly reason: string
}

/**
 * One write inside `transaction`. Every op is audit-logged in the same commit, with `before` and
 * `after` read inside it; `action` overrides the default audit action (e.g. `activation.apply`).
 *
 * Compare-and-set: a record op with `ifMatch` applies only if the record's stored value is that
 * document (compared as the JSON text Sluice wrote, so a value read back from the store matches), or,
 * with `ifMatch: null`, only if there is no record. If any precondition fails the whole transaction
 * applies nothing, audits nothing, notifies nothing and rejects with `StateError` code `conflict`:
 * among replicas racing on the same record, exactly one write wins.
 */
export type StateOp = (
  | { readonly op: 'put-override'; readonly override: FlagOverrideInput }
  | ({ readonly op: 'delete-override'; readonly key: string } & Attribution)
  | { readonly op: 'put-kill-switch'; readonly killSwitch: KillSwitchInput }
  | ({ readonly op: 'delete-kill-switch'; readonly scope: KillScope; readonly target: string } & Attribution)
  | ({ readonly op: 'put-record'; readonly namespace: string; readonly key: string; readonly value: JsonObject; readonly ifMatch?: JsonObject | null } & Attribution)
  | ({ readonly op: 'delete-record'; readonly namespace: string; readonly key: string; readonly ifMatch?: JsonObject | null } & Attribution)
) & { readonly action?: string }

export interface TransactionResult {
  /** The store's revision after the commit (unchanged when every op was a no-op delete). */
  readonly revision: number
  /** One entry per op that changed something, in op order. */
  readonly audit: readonly AuditEntry[]
}

/** What changed in one committed write; `null` means deleted. */
export type ChangeItem =
  | { readonly kind: 'override'; readonly key: string; readonly override: FlagOverride | null }
  | { readonly kind: 'kill-switch'; readonly scope: KillScope; readonly target: string; readonly killSwitch: KillSwitch | null }
  | { readonly kind: 'record'; readonly namespace: string; readonly key: string; readonly value: JsonObject | null }

/**
 * One committed transaction. `revision` increases by exactly one per commit that changed
 * something, so a gap (`revision > last + 1`) means a missed change: reload via the list methods.
 */
export interface StateChange {
  readonly revision: number
  readonly items: readonly ChangeItem[]
}
export type StateListener = (change: StateChange) => void

export interface StateStore {
  /** Which engine this is, for health output and logs. */
  readonly kind: 'sqlite' | 'memory' | 'redis'

  /** Sorted by key. */
  listOverrides(): Promise<FlagOverride[]>
  putOverride(override: FlagOverrideInput): Promise<FlagOverride>
  /** Resolves false (and audits nothing) when there was no override. */
  deleteOverride(key: string, by: Attribution): Promise<boolean>

  /** Sorted by scope, then target. */
  listKillSwitches(): Promise<KillSwitch[]>
  putKillSwitch(killSwitch: KillSwitchInput): Promise<KillSwitch>
  /** Resolves false (and audits nothing) when the switch was not set. */
  deleteKillSwitch(scope: KillScope, target: string, by: Attribution): Promise<boolean>

  /**
   * Generic JSON documents by namespace, for concerns without typed helpers yet. The namespaces
   * behind the typed helpers (`overrides`, `kill-switches`) are reserved. Writes go through
   * `transaction` so they are audited and notified like everything else.
   */
  getRecord(namespace: string, key: string): Promise<JsonObject | null>
  /** Sorted by key. */
  listRecords(namespace: string): Promise<{ key: string; value: JsonObject }[]>

  /** Applies every op and its audit entry atomically: all or nothing. */
  transaction(ops: readonly StateOp[]): Promise<TransactionResult>

  /** For mutations outside the store (config reload, circuit reset…). */
  appendAudit(entry: AuditInput): Promise<AuditEntry>
  /** Newest first (by `at`, then `id`), so the default page is the latest activity. */
  listAudit(query?: AuditQuery): Promise<AuditEntry[]>

  /** The revision of the last committed change (0 for a fresh store). */
  revision(): Promise<number>
  /**
   * `listener` runs after every committed change to overrides, kill switches or records (not
   * audit-only appends). For sqlite and memory it runs synchronously before the mutating call
   * resolves, so the caller's in-memory view is current when its await returns; redis delivers
   * changes from every replica via pub/sub. Returns the unsubscribe function.
   */
  subscribe(listener: StateListener): () => void

  health(): Promise<{ ok: boolean; detail?: string }>
  /** Idempotent. Afterwards every method rejects with `StateError` code `closed`. */
  close(): Promise<void>
}
