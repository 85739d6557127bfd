// A snapshot is everything the data plane reads per request, built once from a validated config
// and then never mutated: mounts with their adapter, upstream pool and signer, and client indexes.
// Reload builds a new snapshot and swaps the reference; pools whose upstream settings did not
// change are carried over so keep-alive connections survive a reload.
import { Pool } from 'undici'
import type { ClientConfig, Config, ProviderConfig } from './schema.js'
import type { ProviderAdapter, UpstreamAuth } from '../providers/adapter.js'
import { adapters } from '../providers/index.js'
import type { FlagSet } from '../flags/index.js'
import { buildKillIndex, type KillIndex } from '../gates/kill-switch/kill-index.js'
import { providerFlagKey } from '../gates/control-flags/gate.js'
import type { KillSwitch } from '../state/index.js'
import type { RateLimiter } from '../gates/rate-limit/types.js'
import type { BudgetRuntime } from '../gates/budget/gate.js'
import { buildRouting, type Routing } from '../models/targets.js'
import type { CircuitRegistry } from '../resilience/circuits.js'

export interface Mount {
  /** The provider's key under `providers:`; also the `route` of native requests. */
  readonly name: string
  readonly prefix: string
  readonly config: ProviderConfig
  readonly adapter: ProviderAdapter
  readonly origin: URL
  /** Path of the endpoint URL without a trailing slash ('' for a bare origin). */
  readonly basePath: string
  readonly pool: Pool
  readonly upstreamAuth: UpstreamAuth
  /** `ai.provider.<name>.enabled`, built once. */
  readonly enabledFlag: string
}

export interface Snapshot {
  readonly config: Readonly<Config>
  readonly environment: string
  /** Longest prefix first, so `/a/b` wins over `/a`. */
  readonly mounts: readonly Mount[]
  readonly clientsByKey: ReadonlyMap<string, ClientConfig>
  readonly clientsByAccessKeyId: ReadonlyMap<string, ClientConfig>
  readonly flags: FlagSet
  readonly kills: KillIndex
  /** Undefined when no rate-limit rule is configured. */
  readonly rateLimiter: RateLimiter | undefined
  /** Undefined when no budget is configured. */
  readonly budgets: BudgetRuntime | undefined
  /** Virtual models, alternates and the targets native requests start on. */
  readonly routing: Routing
  /** Long-lived: circuit state outlives snapshots. */
  readonly circuits: CircuitRegistry
  /** Every upstream pool this snapshot uses (mounts' and targets' own). */
  readonly pools: readonly Pool[]
}

/** What the control plane adds to a config: the compiled flags and the store's kill switches. */
export interface ControlInputs {
  readonly flags: FlagSet
  readonly killSwitches: readonly KillSwitch[]
  readonly rateLimiter: RateLimiter | undefined
  readonly budgets: BudgetRuntime | undefined
  readonly circuits: CircuitRegistry
}

const poolKeys = new WeakMap<Pool, string>()

/**
 * Pools by origin and connection settings, carried over from the previous snapshot when nothing
 * changed so keep-alive connections survive a reload. Timeouts for the first byte and between
 * chunks are set per request (per target), so they are not part of a pool's identity.
 */
class Pools {
  readonly #reusable = new Map<string, Pool>()
  readonly #used = new Map<string, Pool>()

  constructor(previous: Snapshot | undefined) {
    for (const pool of previous?.pools ?? []) this.#reusable.set(poolKeys.get(pool) ?? '', pool)
  }

  get(origin: URL, provider: ProviderConfig, connectTimeoutMs: number): Pool {
    const key = `${origin.origin}|${provider.connections}|${connectTimeoutMs}`
    let pool = this.#used.get(key) ?? this.#reusable.get(key)
    if (pool === undefined) {
      pool = new Pool(origin.origin, {
        connections: provider.connections,
        connect: { timeout: connectTimeoutMs },
        headersTimeout: provider.headersTimeoutMs,
        bodyTimeout: provider.bodyTimeoutMs,
        keepAliveTimeout: 30_000,
      })
      poolKeys.set(pool, key)
    }
    this.#used.set(key, pool)
    return pool
  }

  get used(): Pool[] {
    return [...this.#used.values()]
  }
}

export function buildSnapshot(config: Readonly<Config>, environment: string, control: ControlInputs, previous?: Snapshot): Snapshot {
  const pools = new Pools(previous)
  const mounts: Mount[] = []
  for (const [name, provider] of Object.entries(config.providers)) {
    const adapter = adapters[provider.type]
    const endpoint = new URL(provider.endpoint ?? adapter.defaultEndpoint(provider))
    const pool = pools.get(endpoint, provider, provider.connectTimeoutMs)
    mounts.push({
      name,
      prefix: provider.mount,
      config: provider,
      adapter,
      origin: endpoint,
      basePath: endpoint.pathname.replace(/\/+$/, ''),
      pool,
      upstreamAuth: adapter.createUpstreamAuth(provider),
      enabledFlag: providerFlagKey(name),
    })
  }
  mounts.sort((a, b) => b.prefix.length - a.prefix.length)

  const clientsByKey = new Map<string, ClientConfig>()
  const clientsByAccessKeyId = new Map<string, ClientConfig>()
  for (const client of config.clients) {
    if (client.credentials.apiKey !== undefined) clientsByKey.set(client.credentials.apiKey, client)
    if (client.credentials.accessKeyId !== undefined) clientsByAccessKeyId.set(client.credentials.accessKeyId, client)
  }
  const kills = buildKillIndex(control.killSwitches, control.flags)
  const { circuits } = control
  const routing = buildRouting(config, mounts, circuits, (mount, connectMs) => pools.get(mount.origin, mount.config, connectMs))
  circuits.retain(routing.circuitIds)
  return Object.freeze({
    config,
    environment,
    mounts,
    clientsByKey,
    clientsByAccessKeyId,
    flags: control.flags,
    kills,
    rateLimiter: control.rateLimiter,
    budgets: control.budgets,
    routing,
    circuits,
    pools: pools.used,
  })
}

/** Pools of `old` that `next` no longer uses; close them once their in-flight requests finish. */
export function retiredPools(old: Snapshot, next: Snapshot): Pool[] {
  const kept = new Set(next.pools)
  return old.pools.filter((p) => !kept.has(p))
}

export function findMount(snapshot: Snapshot, path: string): Mount | undefined {
  for (const mount of snapshot.mounts) {
    if (path.startsWith(mount.prefix) && (path.length === mount.prefix.length || path.charCodeAt(mount.prefix.length) === 47)) {
      return mount
    }
  }
  return undefined
}
