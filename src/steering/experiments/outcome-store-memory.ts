// Experiment outcomes in this process's memory (outcome-store.ts): for a single Sluice without
// state, and the reference the other engines are tested against (outcome-store.contract.ts). Also
// holds the input check every engine runs before it writes anything.
import type { OutcomeBatch, OutcomeStore, SharedEntry } from './outcome-store.js'

/** How long an applied call id is remembered: a retry comes within seconds, not a day. */
export const APPLIED_ID_TTL_MS = 86_400_000

/**
 * Throws, before anything is written, unless every batch can be applied: a non-empty id,
 * non-empty experiment and variant names, string users and finite amounts.
 */
export function checkOutcomeBatches(id: string, batches: readonly OutcomeBatch[]): void {
  if (typeof id !== 'string' || id === '') throw new Error('outcome store: the call id must be a non-empty string')
  for (const batch of batches) {
    const where = `outcome batch ${JSON.stringify(batch.experiment)}/${JSON.stringify(batch.variant)}`
    if (typeof batch.experiment !== 'string' || batch.experiment === '') throw new Error(`${where}: empty experiment name`)
    if (typeof batch.variant !== 'string' || batch.variant === '') throw new Error(`${where}: empty variant name`)
    for (const [field, amount] of Object.entries(batch.add)) {
      if (typeof amount === 'number' && Number.isFinite(amount)) continue
      throw new Error(`${where}: field ${JSON.stringify(field)} adds ${String(amount)}, not a finite number`)
    }
    for (const user of batch.users) if (typeof user !== 'string') throw new Error(`${where}: a user is not a string`)
  }
}

/** Throws unless `ttlMs` is a positive finite number of milliseconds. */
export function checkTtl(ttlMs: number): void {
  if (!(ttlMs > 0) || !Number.isFinite(ttlMs)) throw new Error(`outcome store: shared ttl ${String(ttlMs)} ms is not a positive finite number`)
}

export interface MemoryOutcomeStoreOptions {
  /** Wall clock (ms), for expiries; default `Date.now`. */
  readonly now?: () => number
}

interface Stored extends SharedEntry {
  readonly expiresAtMs: number
}

export function createMemoryOutcomeStore(options: MemoryOutcomeStoreOptions = {}): OutcomeStore {
  const now = options.now ?? Date.now
  const outcomes = new Map<string, Map<string, Record<string, number>>>() // experiment → variant → fields
  const exposures = new Map<string, Map<string, string>>() // experiment → user → variant
  const applied = new Map<string, number>() // call id → when applied, oldest first
  const shared = new Map<string, Map<string, Stored>>() // key → replica → entry

  const bump = (experiment: string, variant: string, field: string, amount: number): void => {
    if (amount === 0) return
    let variants = outcomes.get(experiment)
    if (variants === undefined) outcomes.set(experiment, (variants = new Map()))
    let fields = variants.get(variant)
    if (fields === undefined) variants.set(variant, (fields = {}))
    fields[field] = (fields[field] ?? 0) + amount
  }
  const live = (key: string): Map<string, Stored> | undefined => {
    const entries = shared.get(key)
    const at = now()
    for (const [replica, entry] of entries ?? []) if (entry.expiresAtMs <= at) entries?.delete(replica)
    if (entries?.size === 0) shared.delete(key)
    return entries
  }

  return {
    kind: 'memory',
    async add(id, batches) {
      checkOutcomeBatches(id, batches)
      if (batches.length === 0) return
      const at = now()
      for (const [old, appliedAt] of applied) {
        if (appliedAt >= at - APPLIED_ID_TTL_MS) break
        applied.delete(old)
      }
      if (applied.has(id)) return
      applied.set(id, at)
      for (const { experiment, variant, add, users } of batches) {
        let exposed = exposures.get(experiment)
        if (exposed === undefined) exposures.set(experiment, (exposed = new Map()))
        let fresh = 0
        for (const user of users) {
          if (exposed.has(user)) continue
          exposed.set(user, variant)
          fresh++
        }
        bump(experiment, variant, 'users', fresh)
        for (const [field, amount] of Object.entries(add)) bump(experiment, variant, field, amount)
      }
    },
    async read(experiment) {
      const copy = new Map<string, Record<string, number>>()
      for (const [variant, fields] of outcomes.get(experiment) ?? []) copy.set(variant, { ...fields })
      return copy
    },
    async exposure(experiment, user) {
      return exposures.get(experiment)?.get(user)
    },
    async clear(experiment) {
      outcomes.delete(experiment)
      exposures.delete(experiment)
    },
    async putShared(key, replica, value, ttlMs) {
      checkTtl(ttlMs)
      const writtenAtMs = now()
      let entries = shared.get(key)
      if (entries === undefined) shared.set(key, (entries = new Map()))
      entries.set(replica, { replica, value, writtenAtMs, expiresAtMs: writtenAtMs + ttlMs })
    },
    async listShared(key) {
      return [...(live(key)?.values() ?? [])].map(({ replica, value, writtenAtMs }) => ({ replica, value, writtenAtMs }))
    },
    async close() {},
  }
}
