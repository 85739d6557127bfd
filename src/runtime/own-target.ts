// The target of a call Sluice makes on its own behalf (a shadow mirror, the guard model).
import type { Config } from '../config/schema.js'
import type { Mount, Target } from '../core/target.js'

/**
 * A target for Sluice's own calls (a shadow mirror, the guard model): the provider's pool and
 * timeouts, and no circuit breaker — such calls neither consult nor feed the breakers client
 * traffic depends on.
 */
export function ownCallTarget(config: Readonly<Config>, mount: Mount, model: string): Target {
  const provider = config.providers[mount.name]!
  return { id: `${mount.name}/${model}`, mount, model, params: undefined, pool: mount.pool, firstByteMs: provider.headersTimeoutMs, idleMs: provider.bodyTimeoutMs, circuit: undefined }
}
