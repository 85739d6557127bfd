// Experiment lifecycle records (docs/admin-api.md): an operator's start, stop or conclude — and the whole
// definition of an experiment created through the admin API — kept in the state store (namespace
// `experiments`, audited like every record) and winning over the config file's `status`. Every
// replica folds them into the config its snapshots are built from, so a change made on one
// replica applies on all (the store's change notifications).
import type { JsonObject } from '../../core/store.js'
import { ExperimentStatuses, type ExperimentConfig } from './schema.js'

/** What `withStoredExperiments` reads of a config (the whole config satisfies it). */
interface WithExperiments {
  readonly experiments: Readonly<Record<string, ExperimentConfig>>
}

/** The store namespace of lifecycle records. */
export const EXPERIMENTS_NAMESPACE = 'experiments'

/** A lifecycle record: the status an operator set, the winner of a concluded experiment, and the definition of one created through the API. */
export interface StoredExperiment {
  readonly status: ExperimentConfig['status']
  readonly winner?: string
  readonly definition?: ExperimentConfig
}

export function parseStored(value: JsonObject): StoredExperiment | undefined {
  const status = value.status
  if (typeof status !== 'string' || !(ExperimentStatuses as readonly string[]).includes(status)) return undefined
  const winner = typeof value.winner === 'string' ? value.winner : undefined
  const definition = value.definition !== null && typeof value.definition === 'object' ? (value.definition as unknown as ExperimentConfig) : undefined
  return { status: status as ExperimentConfig['status'], ...(winner === undefined ? {} : { winner }), ...(definition === undefined ? {} : { definition }) }
}

/**
 * The config with the store's lifecycle records applied: a stored definition (created through the
 * API) is added, or replaces the file's; a stored status and winner win over the file's. Stored
 * definitions are validated when written (control/routes/experiments.ts) and again with the whole
 * config by the semantic checks before any snapshot is built from it.
 */
export function withStoredExperiments<C extends WithExperiments>(config: Readonly<C>, stored: ReadonlyMap<string, StoredExperiment>): Readonly<C> {
  if (stored.size === 0) return config
  const experiments: Record<string, ExperimentConfig> = { ...config.experiments }
  for (const [key, record] of stored) {
    const base = record.definition ?? experiments[key]
    if (base === undefined) continue
    experiments[key] = { ...base, status: record.status, ...(record.winner === undefined ? {} : { winner: record.winner }) }
  }
  return { ...config, experiments }
}
