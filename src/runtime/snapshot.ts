// The composition root's snapshot builder (pipeline/snapshot.ts has the shape): from a validated
// config and the control inputs, the mounts with their adapter, upstream pool and signer, the client
// indexes, the routing targets and each registered gate built for this snapshot — then frozen.
// Reload builds a new snapshot and swaps the reference; pools whose upstream settings did not
// change are carried over so keep-alive connections survive a reload.
import { Pool } from 'undici'
import type { ClientConfig, Config, ProviderConfig } from '../config/schema.js'
import type { GateView } from '../core/gate.js'
import type { KillSwitch } from '../core/store.js'
import type { Mount } from '../core/target.js'
import { booleanFlag, stringFlag } from '../flags/counted.js'
import type { FlagSet } from '../flags/index.js'
import type { BudgetRuntime } from '../gates/budget/gate.js'
import type { CompiledGuardrails } from '../gates/guardrails/compile.js'
import { providerFlagKey } from '../gates/control-flags/gate.js'
import type { RateLimiter } from '../gates/rate-limit/types.js'
import { GATES, type GateInputs } from '../gates/registry.js'
import type { SnapshotGate } from '../pipeline/snapshot.js'
import type { Snapshot } from '../pipeline/snapshot.js'
import { adapters } from '../providers/index.js'
import { canonicalModelId } from '../providers/model-id.js'
import type { CircuitRegistry } from '../resilience/circuits.js'
import { retarget } from '../steering/plan.js'
import type { ExperimentHooks } from './experiments.js'
import { buildRouting } from './routing.js'
import { ownCallTarget } from './own-target.js'
import { pino, type Logger } from 'pino'
import type { TextClassifier } from '../core/classifier.js'
import { createClassifier } from '../pipeline/classify.js'

/** What the control plane adds to a config: the compiled flags and the long-lived gate runtimes. */
export interface ControlInputs {
  readonly flags: FlagSet
  readonly killSwitches: readonly KillSwitch[]
  readonly rateLimiter: RateLimiter | undefined
  readonly budgets: BudgetRuntime | undefined
  readonly circuits: CircuitRegistry
  readonly experiments: ExperimentHooks
  /** Compiled from `guardrails:` with the deny-list file's entries (runtime/guardrails.ts); undefined when nothing is on. */
  readonly guardrails: CompiledGuardrails | undefined
  /** Where Sluice's own calls (the guard model's) log their failures; default silent. */
  readonly logger?: Logger
}

const SILENT = pino({ level: 'silent' })

/** The guard model's classifier, when `guardrails.model` is on. */
function classifierFor(config: Readonly<Config>, mounts: readonly Mount[], control: ControlInputs): TextClassifier | undefined {
  const settings = control.guardrails?.model
  if (settings?.target === undefined) return undefined
  const mount = mounts.find((m) => m.name === settings.target!.provider)!
  const target = ownCallTarget(config, mount, settings.target.model)
  return createClassifier({ target, timeoutMs: settings.timeoutMs, resilience: config.resilience, budgets: control.budgets, logger: control.logger ?? SILENT })
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
  const { circuits, flags } = control
  const poolFor = (mount: Mount, connectMs: number): Pool => pools.get(mount.origin, config.providers[mount.name]!, connectMs)
  const routing = buildRouting(config, mounts, circuits, poolFor, control.experiments, flags)
  circuits.retain(routing.circuitIds)
  const view: GateView = {
    flag: (key, defaultValue, context) => booleanFlag(flags, key, defaultValue, context),
    variant: (key, defaultValue, context) => stringFlag(flags, key, defaultValue, context),
    retarget: (facts, model) => retarget(routing, facts, model, 'budgets'),
  }
  const shadows = control.experiments.shadows.index(config, mounts, control, view)
  const inputs: GateInputs = { ...control, flagKeys: flags.keys, canonicalModel: canonicalModelId, classifier: classifierFor(config, mounts, control) }
  const gates: SnapshotGate[] = []
  for (const module of GATES) {
    const gate = module.build(inputs)
    if (gate !== undefined) gates.push({ name: module.name, failMode: config.gates[module.name]?.failMode ?? module.failMode, gate })
  }
  return Object.freeze({
    config,
    environment,
    mounts,
    clientsByKey,
    clientsByAccessKeyId,
    flags,
    gates,
    view,
    rateLimiter: control.rateLimiter,
    budgets: control.budgets,
    routing,
    circuits,
    outcomes: control.experiments.recorder,
    bandits: control.experiments.bandits.directory(flags),
    shadows,
    pools: pools.used,
  })
}

/** Pools of `old` that `next` no longer uses; close them once their in-flight requests finish. */
export function retiredPools(old: Snapshot, next: Snapshot): Pool[] {
  const kept = new Set(next.pools)
  return old.pools.filter((p) => !kept.has(p))
}
