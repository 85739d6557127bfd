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
}

/** What the control plane adds to a config: the compiled flags and the store's kill switches. */
export interface ControlInputs {
  readonly flags: FlagSet
  readonly killSwitches: readonly KillSwitch[]
  readonly rateLimiter: RateLimiter | undefined
  readonly budgets: BudgetRuntime | undefined
}

function poolKey(origin: URL, config: ProviderConfig): string {
  return `${origin.origin}|${config.connections}|${config.connectTimeoutMs}|${config.headersTimeoutMs}|${config.bodyTimeoutMs}`
}

const pools = new WeakMap<Pool, string>()

export function buildSnapshot(config: Readonly<Config>, environment: string, control: ControlInputs, previous?: Snapshot): Snapshot {
  const reusable = new Map<string, Pool>()
  for (const mount of previous?.mounts ?? []) reusable.set(pools.get(mount.pool) ?? '', mount.pool)

  const mounts: Mount[] = []
  for (const [name, provider] of Object.entries(config.providers)) {
    const adapter = adapters[provider.type]
    const endpoint = new URL(provider.endpoint ?? adapter.defaultEndpoint(provider))
    const key = poolKey(endpoint, provider)
    let pool = reusable.get(key)
    if (pool === undefined) {
      pool = new Pool(endpoint.origin, {
        connections: provider.connections,
        connect: { timeout: provider.connectTimeoutMs },
        headersTimeout: provider.headersTimeoutMs,
        bodyTimeout: provider.bodyTimeoutMs,
        keepAliveTimeout: 30_000,
      })
      pools.set(pool, key)
    }
    reusable.delete(key)
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
  return Object.freeze({ config, environment, mounts, clientsByKey, clientsByAccessKeyId, flags: control.flags, kills, rateLimiter: control.rateLimiter, budgets: control.budgets })
}

/** Pools of `old` that `next` no longer uses; close them once their in-flight requests finish. */
export function retiredPools(old: Snapshot, next: Snapshot): Pool[] {
  const kept = new Set(next.mounts.map((m) => m.pool))
  return [...new Set(old.mounts.map((m) => m.pool))].filter((p) => !kept.has(p))
}

export function findMount(snapshot: Snapshot, path: string): Mount | undefined {
  for (const mount of snapshot.mounts) {
    if (path.startsWith(mount.prefix) && (path.length === mount.prefix.length || path.charCodeAt(mount.prefix.length) === 47)) {
      return mount
    }
  }
  return undefined
}
