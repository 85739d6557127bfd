// Where experiment outcomes persist and add up across a fleet. A replica aggregates outcomes in
// memory (outcomes.ts) and sends the sums in batches; the store adds them atomically, so the
// totals are every replica's additions, exactly once each, and survive restarts. Engines: Redis
// (shared by a fleet, outcome-store-redis.ts), a sqlite file of its own beside the state store
// (outcome-store-sqlite.ts), and memory (outcome-store-memory.ts). One contract suite
// (outcome-store.contract.ts) runs against all three.
//
// A variant's aggregate is a flat map of numeric fields (outcomes.ts names them):
//   `users`                 distinct users first exposed to the variant (the store counts them)
//   `m:<metric>:n|sum|sq`   a metric's count, sum and sum of squares
//   `h:<metric>:<bucket>`   a metric's latency-histogram count in one log bucket
// Amounts are added as doubles (integers up to 2^53 stay exact).

export interface OutcomeBatch {
  readonly experiment: string
  readonly variant: string
  /** Field → amount to add (any sign; 0 is allowed and changes nothing). */
  readonly add: Readonly<Record<string, number>>
  /**
   * Users this replica saw in this variant since its last flush. A user the store has not seen in
   * this experiment is recorded with this variant and adds 1 to the variant's `users`; a user it
   * has seen (in any variant, from any replica) adds nothing.
   */
  readonly users: readonly string[]
}

/** One replica's copy of a shared document (bandit statistics), as `putShared` wrote it. */
export interface SharedEntry {
  readonly replica: string
  readonly value: string
  /** Wall-clock ms when it was written, by the writer's clock. */
  readonly writtenAtMs: number
}

export interface OutcomeStore {
  readonly kind: 'sqlite' | 'memory' | 'redis'
  /**
   * Applies every batch atomically (all or nothing). `id` names this call uniquely (replica id +
   * sequence number): a call retried after a lost reply with the same id is applied once, so a
   * timeout never double-counts. Rejects when the store cannot be reached; nothing was applied or
   * the id makes the retry safe.
   */
  add(id: string, batches: readonly OutcomeBatch[]): Promise<void>
  /** Every variant's fields for `experiment` (variant → field → total); variants never written are absent. */
  read(experiment: string): Promise<Map<string, Record<string, number>>>
  /** The variant `user` was first recorded in for `experiment`, or undefined. */
  exposure(experiment: string, user: string): Promise<string | undefined>
  /** Removes every aggregate and exposure of `experiment` (an operator's reset). */
  clear(experiment: string): Promise<void>
  /** Replaces this replica's copy of document `key`; `ttlMs` after which readers may no longer see it. */
  putShared(key: string, replica: string, value: string, ttlMs: number): Promise<void>
  /** Every replica's live copy of `key`, any order. */
  listShared(key: string): Promise<SharedEntry[]>
  close(): Promise<void>
}
