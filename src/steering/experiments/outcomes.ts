// Per-variant outcome statistics, aggregated in memory on the hot path and sent to the outcome
// store in the background (outcome-store.ts), so no request waits on it. Each variant keeps, per
// metric, the count, sum and sum of squares (the sufficient statistics of every test in
// ../stats/), and latency histograms (histogram.ts); a flush turns what accumulated into one
// atomic batch with an id, retried as it is until the store takes it, so nothing is counted twice
// or lost while the store is away. Reads add what is not yet flushed to the store's totals, so
// this replica's own requests are always in its results; other replicas' are within one flush
// interval. docs/experiments.md "Metrics".
//
// Built-in metrics, per request credited to a variant:
//   success       1 for a 2xx answer from the variant's own target (no fallback), complete and
//                 not abandoned by the client; else 0
//   latency_ms    arrival to the end of the response; successful requests only (histogram)
//   ttft_ms       arrival to the first body byte; successful requests only (histogram)
//   cost_usd      from the budget price table; successful, priced requests only
//   input_tokens, output_tokens   from the provider's usage report; successful requests only
import { LRUCache } from 'lru-cache'
import type { Credit, SettledRequest, Target } from '../../core/target.js'
import type { Usage } from '../../core/wire.js'
import { bucketOf } from './histogram.js'
import type { OutcomeBatch, OutcomeStore } from './outcome-store.js'
import { BUILTIN_METRIC_NAMES } from './schema.js'

/** USD for `usage` on `target` with native `model`; undefined when the model has no price. */
export type CostOf = (target: Target, model: string, usage: Usage) => number | undefined

export interface RecorderOptions {
  /** Names this replica's batches: unique per process (a UUID). */
  readonly replica: string
  readonly costOf: CostOf
  /** How often pending sums are sent; default 1000 ms. */
  readonly flushMs?: number
  /** A flush failed; it is retried at the next interval. */
  readonly onFlushError?: (err: unknown) => void
  /** Users remembered as already exposed, so each is sent once; default 100,000. */
  readonly exposureCacheSize?: number
}

const [SUCCESS, LATENCY, TTFT, COST, INPUT, OUTPUT] = [0, 1, 2, 3, 4, 5] as const
const BUILTINS = BUILTIN_METRIC_NAMES.length
const HISTOGRAMS = new Set<number>([LATENCY, TTFT])

/** What accumulated for one variant since the last flush. */
class Tally implements Credit {
  /** n, sum, sum of squares per built-in metric. */
  moments = new Float64Array(BUILTINS * 3)
  histograms = new Map<number, Map<number, number>>()
  /** Application metrics by name: n, sum, sum of squares. */
  events = new Map<string, [number, number, number]>()
  users: string[] = []
  dirty = false
  readonly arm: string

  constructor(
    private readonly recorder: OutcomeRecorder,
    readonly experiment: string,
    readonly variant: string,
  ) {
    this.arm = `${experiment}/${variant}`
  }

  settle(request: SettledRequest): void {
    this.recorder.expose(this, request.user)
    this.observe(SUCCESS, request.ok ? 1 : 0)
    if (!request.ok) return
    this.observe(LATENCY, request.durationMs)
    if (request.ttftMs !== undefined) this.observe(TTFT, request.ttftMs)
    const usage = request.usage
    if (usage === undefined) return
    this.observe(INPUT, usage.inputTokens)
    this.observe(OUTPUT, usage.outputTokens)
    if (request.served !== undefined && request.model !== undefined) {
      const cost = this.recorder.costOf(request.served, request.model, usage)
      if (cost !== undefined) this.observe(COST, cost)
    }
  }

  observe(metric: number, value: number): void {
    const m = this.moments
    const at = metric * 3
    m[at]! += 1
    m[at + 1]! += value
    m[at + 2]! += value * value
    this.dirty = true
    if (!HISTOGRAMS.has(metric)) return
    let histogram = this.histograms.get(metric)
    if (histogram === undefined) this.histograms.set(metric, (histogram = new Map()))
    const bucket = bucketOf(value)
    histogram.set(bucket, (histogram.get(bucket) ?? 0) + 1)
  }

  event(metric: string, value: number): void {
    const sums = this.events.get(metric)
    if (sums === undefined) this.events.set(metric, [1, value, value * value])
    else {
      sums[0] += 1
      sums[1] += value
      sums[2] += value * value
    }
    this.dirty = true
  }

  /** What accumulated, as store fields; resets the tally. Undefined when nothing did. */
  drain(): OutcomeBatch | undefined {
    if (!this.dirty) return undefined
    const add: Record<string, number> = {}
    const moments = (name: string, n: number, sum: number, sq: number): void => {
      if (n === 0) return
      add[`m:${name}:n`] = n
      add[`m:${name}:sum`] = sum
      add[`m:${name}:sq`] = sq
    }
    for (let i = 0; i < BUILTINS; i++) moments(BUILTIN_METRIC_NAMES[i]!, this.moments[i * 3]!, this.moments[i * 3 + 1]!, this.moments[i * 3 + 2]!)
    for (const [metric, counts] of this.histograms) {
      const name = BUILTIN_METRIC_NAMES[metric]!
      for (const [bucket, count] of counts) add[`h:${name}:${bucket}`] = count
    }
    for (const [name, [n, sum, sq]] of this.events) moments(name, n, sum, sq)
    const batch: OutcomeBatch = { experiment: this.experiment, variant: this.variant, add, users: this.users }
    this.moments = new Float64Array(BUILTINS * 3)
    this.histograms = new Map()
    this.events = new Map()
    this.users = []
    this.dirty = false
    return batch
  }
}

/** A variant's totals: field → amount (outcome-store.ts names the fields). */
export type VariantFields = Record<string, number>

export class OutcomeRecorder {
  readonly #store: OutcomeStore
  readonly #options: RecorderOptions
  readonly #tallies = new Map<string, Tally>()
  /** `experiment \0 user` → the variant they were first seen in, by this replica. */
  readonly #exposed: LRUCache<string, string>
  #unacked: { id: string; batches: OutcomeBatch[] } | undefined
  #sequence = 0
  #flushing: Promise<void> | undefined
  readonly #timer: NodeJS.Timeout
  readonly costOf: CostOf

  constructor(store: OutcomeStore, options: RecorderOptions) {
    this.#store = store
    this.#options = options
    this.costOf = options.costOf
    this.#exposed = new LRUCache({ max: options.exposureCacheSize ?? 100_000 })
    this.#timer = setInterval(() => void this.flush().catch(options.onFlushError ?? (() => undefined)), options.flushMs ?? 1000).unref()
  }

  get store(): OutcomeStore {
    return this.#store
  }

  /** The credit a request in `variant` of `experiment` settles into; the same object every time. */
  credit(experiment: string, variant: string): Credit {
    return this.#tally(experiment, variant)
  }

  #tally(experiment: string, variant: string): Tally {
    const key = `${experiment}/${variant}`
    let tally = this.#tallies.get(key)
    if (tally === undefined) this.#tallies.set(key, (tally = new Tally(this, experiment, variant)))
    return tally
  }

  /** Records `user`'s exposure to the tally's variant unless this replica already did. */
  expose(tally: Tally, user: string): void {
    const key = `${tally.experiment}\u0000${user}`
    if (this.#exposed.has(key)) return
    this.#exposed.set(key, tally.variant)
    tally.users.push(user)
    tally.dirty = true
  }

  /** Where `variant` of `experiment` takes metric values: the same object every time, so a hot caller keeps it (rollout arms). */
  events(experiment: string, variant: string): { event(metric: string, value: number): void } {
    return this.#tally(experiment, variant)
  }

  /** An application metric's value for a user in `variant` (POST /v1/events). */
  event(experiment: string, variant: string, metric: string, value: number): void {
    this.#tally(experiment, variant).event(metric, value)
  }

  /** The variant `user` was first exposed to in `experiment`, on any replica; undefined if never. */
  async exposure(experiment: string, user: string): Promise<string | undefined> {
    return this.#exposed.get(`${experiment}\u0000${user}`) ?? (await this.#store.exposure(experiment, user))
  }

  /** Every variant's totals: the store's, plus what this replica has not yet flushed. */
  async read(experiment: string): Promise<Map<string, VariantFields>> {
    const totals = await this.#store.read(experiment)
    const add = (batch: OutcomeBatch): void => {
      if (batch.experiment !== experiment) return
      const fields = totals.get(batch.variant) ?? {}
      for (const [field, amount] of Object.entries(batch.add)) fields[field] = (fields[field] ?? 0) + amount
      // Users not yet flushed count when the store has not seen them; the store decides at flush,
      // so here they are counted only if this replica saw them first (an estimate until then).
      if (batch.users.length > 0) fields.users = (fields.users ?? 0) + batch.users.length
      totals.set(batch.variant, fields)
    }
    for (const batch of this.#unacked?.batches ?? []) add(batch)
    for (const tally of this.#tallies.values()) {
      if (tally.experiment !== experiment || !tally.dirty) continue
      const peek = peekBatch(tally)
      if (peek !== undefined) add(peek)
    }
    return totals
  }

  /** Sends what accumulated; at most one flush at a time (a caller joins the running one). */
  flush(): Promise<void> {
    this.#flushing ??= this.#send().finally(() => (this.#flushing = undefined))
    return this.#flushing
  }

  async #send(): Promise<void> {
    if (this.#unacked === undefined) {
      const batches: OutcomeBatch[] = []
      for (const tally of this.#tallies.values()) {
        const batch = tally.drain()
        if (batch !== undefined) batches.push(batch)
      }
      if (batches.length === 0) return
      this.#unacked = { id: `${this.#options.replica}:${++this.#sequence}`, batches }
    }
    // Rejects with the batch kept: the next flush resends it under the same id.
    await this.#store.add(this.#unacked.id, this.#unacked.batches)
    this.#unacked = undefined
  }

  /** Stops the timer and sends what is left (once; a failure is reported, not thrown). */
  async close(): Promise<void> {
    clearInterval(this.#timer)
    try {
      await this.flush()
      if (this.#tallies.size > 0) await this.flush()
    } catch (err) {
      this.#options.onFlushError?.(err)
    }
  }
}

/** A tally's pending fields without resetting it (for reads between flushes). */
function peekBatch(tally: Tally): OutcomeBatch | undefined {
  const { moments, histograms, events, users, dirty } = tally
  const batch = tally.drain()
  tally.moments = moments
  tally.histograms = histograms
  tally.events = events
  tally.users = users
  tally.dirty = dirty
  return batch
}
