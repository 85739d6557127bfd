// Opens the state store named by `state.store` in the config (docs/state.md).
import { buildStore, type StoreOptions } from './build-store.js'
import { StateError } from './errors.js'
import { openMemoryEngine } from './memory.js'
import { openRedisEngine } from './redis.js'
import { openSqliteEngine } from './sqlite.js'
import type { StateStore } from '../core/store.js'

export { StateError, type StateErrorCode } from './errors.js'
export type { StoreOptions } from './build-store.js'
export * from '../core/store.js'

/** The `state` section of the config; `path` is the directory that holds `sluice.db`. */
export interface StateConfig {
  readonly store: 'sqlite' | 'memory' | 'redis'
  readonly path: string
  readonly redis?: { readonly url: string }
}

/** Rejects with a `StateError` when the store cannot be opened; startup should then fail. */
export async function createStore(config: StateConfig, options: StoreOptions = {}): Promise<StateStore> {
  switch (config.store) {
    case 'sqlite':
      return buildStore((sink) => openSqliteEngine(config.path, sink), options)
    case 'memory':
      return buildStore(openMemoryEngine, options)
    case 'redis': {
      // The config check (src/config/semantic.ts) already requires it; this keeps the type honest.
      const redis = config.redis
      if (redis === undefined) throw new StateError('invalid_input', 'state.redis is required when state.store is redis')
      return buildStore((sink) => openRedisEngine(redis, sink), options)
    }
  }
}
