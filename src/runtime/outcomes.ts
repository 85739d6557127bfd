// The experiment outcome machinery of one Sluice, built once and kept across reloads: the outcome
// store (Redis when the state store is Redis, so a fleet adds up exactly; else a sqlite file of
// its own in `state.path`, or memory), the recorder that aggregates per variant and syncs to it,
// and the price table that turns usage into cost (the budgets' table, used even without budgets).
import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { Redis } from 'ioredis'
import { pino, type Logger } from 'pino'
import type { Config } from '../config/schema.js'
import type { StateStore } from '../core/store.js'
import { buildPriceTable, costUsd, readShippedPrices } from '../gates/budget/index.js'
import type { ResolvedPrice } from '../gates/budget/prices.js'
import type { OutcomeStore } from '../steering/experiments/outcome-store.js'
import { createMemoryOutcomeStore } from '../steering/experiments/outcome-store-memory.js'
import { createRedisOutcomeStore } from '../steering/experiments/outcome-store-redis.js'
import { createSqliteOutcomeStore } from '../steering/experiments/outcome-store-sqlite.js'
import { OutcomeRecorder, type CostOf } from '../steering/experiments/outcomes.js'
import { Bandits } from './bandits.js'
import { Rollouts } from './rollouts.js'
import { Shadows } from './shadows.js'
import type { ExperimentHooks } from './experiments.js'

export interface Outcomes {
  readonly hooks: ExperimentHooks
  close(): Promise<void>
}

async function openStore(config: Readonly<Config>): Promise<{ store: OutcomeStore; disconnect: () => void }> {
  const redisConfig = config.state.store === 'redis' ? config.state.redis : undefined
  if (redisConfig !== undefined) {
    // Fail fast while Redis is away: the recorder keeps its batch and resends it under the same id.
    // A command that takes over 2 s fails (like the state store's): a paused Redis must not stall flushes, results or events.
    const redis = new Redis(redisConfig.url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 2000 })
    redis.on('error', () => undefined) // reported through the recorder's flush errors
    // Connected before the first flush and sync, which would otherwise fail (and warn) at startup;
    // a Redis that is not there within the wait is retried by them as an outage.
    await Promise.race([once(redis, 'ready'), new Promise((resolve) => setTimeout(resolve, 2000).unref())]).catch(() => undefined)
    return { store: createRedisOutcomeStore(redis), disconnect: () => redis.disconnect() }
  }
  const store = config.state.store === 'sqlite' ? createSqliteOutcomeStore(config.state.path) : createMemoryOutcomeStore()
  return { store, disconnect: () => undefined }
}

/**
 * Prices from the budgets' table; an unknown model has no cost rather than a guessed one. The
 * lookup (model id normalisation, key matching) is remembered per provider type and model.
 */
function costFunction(config: Readonly<Config>): CostOf {
  const table = buildPriceTable(readShippedPrices(), config.budgets)
  const known = new Map<string, ResolvedPrice | null>()
  return (target, model, usage) => {
    const type = target.mount.config.type
    const key = `${type}\u0000${model}`
    let price = known.get(key)
    if (price === undefined) {
      const found = table.lookup(type, model)
      price = found === undefined || found.source === 'unknown' ? null : found
      // Bounded: model ids come from config and recognised requests, but a client can name many.
      if (known.size < 10_000) known.set(key, price)
    }
    return price === null ? undefined : costUsd(price, usage)
  }
}

export async function startOutcomes(config: Readonly<Config>, state: StateStore, logger: Logger): Promise<Outcomes> {
  const opened = await openStore(config)
  let warnedAt = -Infinity
  const replica = randomUUID()
  const costOf = costFunction(config)
  const recorder = new OutcomeRecorder(opened.store, {
    replica,
    costOf,
    onFlushError: (err) => {
      // At most once a minute: the batch is kept and resent, so nothing is lost while it lasts.
      if (performance.now() - warnedAt < 60_000) return
      warnedAt = performance.now()
      logger.warn({ err }, 'experiment outcomes could not be sent to the store; retrying')
    },
  })
  const bandits = new Bandits(opened.store, replica, costOf, logger)
  const hooks: ExperimentHooks = {
    recorder,
    bandits,
    rollouts: new Rollouts(recorder, logger),
    shadows: new Shadows(recorder, logger),
    audit: (entry) => void state.appendAudit(entry).catch((err: unknown) => logger.error({ err, entry }, 'audit append failed')),
  }
  return {
    hooks,
    async close() {
      await hooks.rollouts.close()
      await bandits.close()
      await recorder.close()
      await opened.store.close()
      opened.disconnect()
    },
  }
}

/** Hooks over a memory store with nothing priced and audits dropped: for benches and unit tests that build snapshots directly. */
export function memoryExperimentHooks(): ExperimentHooks {
  const store = createMemoryOutcomeStore()
  const replica = randomUUID()
  const recorder = new OutcomeRecorder(store, { replica, costOf: () => undefined })
  const logger = pino({ level: 'silent' })
  // Rollouts never started: without a state store every rollout is pending and serves stable.
  return { recorder, bandits: new Bandits(store, replica, () => undefined, logger), rollouts: new Rollouts(recorder, logger), shadows: new Shadows(recorder, logger), audit: () => undefined }
}
