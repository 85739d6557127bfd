// Spend in the state store's generic records (src/state/store.ts), for a single Sluice on sqlite
// or memory. Read-modify-write is serialised in this process, which makes it exact for one
// process; a fleet shares spend through Redis (redis-spend-store.ts) instead.
//
// Adapter point: every `put-record` is audit-logged, so each sync writes one audit row per
// active scope. Keep `budgets.sync.intervalMs` coarse with this store, or give the state store an
// unaudited counter op and implement SpendStore over it; nothing else in the ledger changes.
import { createHash } from 'node:crypto'
import type { JsonObject, StateOp, StateStore } from '../../state/index.js'
import { fromNanos, toNanos, type SpendStore } from './spend-store.js'

export const SPEND_NAMESPACE = 'budget-spend'
export const MARK_NAMESPACE = 'budget-marks'

const by = { actor: 'sluice', reason: 'budget spend sync' }
/** Record keys are capped (256 characters); longer scope keys, e.g. long user ids, are hashed. */
const MAX_KEY = 200
const recordKey = (raw: string): string =>
  raw.length <= MAX_KEY ? raw : `sha256:${createHash('sha256').update(raw).digest('hex')}`
/** Expired documents are deleted this often, in the same commit as spend. */
const PRUNE_EVERY_MS = 3_600_000

interface Add {
  readonly key: string
  readonly nanos: number
  readonly seenNanos: number
  readonly expiresAtMs: number
  readonly resolve: (totalUsd: number) => void
  readonly reject: (error: unknown) => void
}

export interface RecordSpendStoreOptions {
  readonly now?: () => number
}

export function createRecordSpendStore(store: StateStore, options: RecordSpendStoreOptions = {}): SpendStore {
  const now = options.now ?? Date.now
  let chain: Promise<unknown> = Promise.resolve()
  let queue: Add[] = []
  let lastPruneMs = 0
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = chain.then(work)
    chain = next.catch(() => undefined)
    return next
  }

  // Adds that arrive in one turn (a sync sends all its scopes at once) commit as one transaction.
  const flush = async (): Promise<void> => {
    const batch = queue
    queue = []
    try {
      const totals = new Map<string, { nanos: number; expiresAtMs: number }>()
      for (const add of batch) {
        let entry = totals.get(add.key)
        if (entry === undefined) {
          const stored = await store.getRecord(SPEND_NAMESPACE, add.key)
          entry = { nanos: typeof stored?.nanoUsd === 'number' ? stored.nanoUsd : 0, expiresAtMs: add.expiresAtMs }
          totals.set(add.key, entry)
        }
        entry.nanos = Math.max(entry.nanos + add.nanos, add.seenNanos + add.nanos)
        entry.expiresAtMs = Math.max(entry.expiresAtMs, add.expiresAtMs)
      }
      const ops: StateOp[] = [...totals].map(([key, t]) => put(SPEND_NAMESPACE, key, { nanoUsd: t.nanos, expiresAt: iso(t.expiresAtMs) }))
      if (now() - lastPruneMs >= PRUNE_EVERY_MS) {
        lastPruneMs = now()
        ops.push(...(await expired(store, now(), totals)))
      }
      await store.transaction(ops)
      for (const add of batch) add.resolve(fromNanos(totals.get(add.key)?.nanos ?? 0))
    } catch (error) {
      for (const add of batch) add.reject(error)
    }
  }

  return {
    add(scopeKey, windowKey, usd, expiresAtMs, seenUsd) {
      return new Promise((resolve, reject) => {
        if (queue.length === 0) queueMicrotask(() => void serial(flush))
        queue.push({ key: recordKey(`${scopeKey}|${windowKey}`), nanos: toNanos(usd), seenNanos: toNanos(seenUsd), expiresAtMs, resolve, reject })
      })
    },
    async get(scopeKey, windowKey) {
      const stored = await store.getRecord(SPEND_NAMESPACE, recordKey(`${scopeKey}|${windowKey}`))
      return typeof stored?.nanoUsd === 'number' ? fromNanos(stored.nanoUsd) : 0
    },
    claim(marker, expiresAtMs) {
      return serial(async () => {
        const key = recordKey(marker)
        if ((await store.getRecord(MARK_NAMESPACE, key)) !== null) return false
        await store.transaction([{ ...put(MARK_NAMESPACE, key, { marker, expiresAt: iso(expiresAtMs) }), action: 'budget.threshold' }])
        return true
      })
    },
  }
}

const iso = (ms: number): string => new Date(ms).toISOString()

const put = (namespace: string, key: string, value: JsonObject): StateOp => ({ op: 'put-record', namespace, key, value, ...by })

async function expired(store: StateStore, nowMs: number, keep: ReadonlyMap<string, unknown>): Promise<StateOp[]> {
  const ops: StateOp[] = []
  for (const namespace of [SPEND_NAMESPACE, MARK_NAMESPACE]) {
    for (const { key, value } of await store.listRecords(namespace)) {
      const expiresAt = typeof value.expiresAt === 'string' ? Date.parse(value.expiresAt) : Number.NaN
      if (expiresAt <= nowMs && !(namespace === SPEND_NAMESPACE && keep.has(key))) {
        ops.push({ op: 'delete-record', namespace, key, ...by })
      }
    }
  }
  return ops
}
