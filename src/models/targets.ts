// Targets compiled from config once per snapshot (SPEC §3, §9): every virtual model's targets in
// fallback order with cumulative weights, each mount's same-dialect alternates, and the target a
// native request starts on. A target carries what an attempt needs: the provider's mount, its pool
// (its own when the connect timeout differs), its timeouts and its circuit breaker.
import type { Pool } from 'undici'
import type { Config, ProviderConfig } from '../config/schema.js'
import type { Mount } from '../config/snapshot.js'
import type { Circuit, CircuitRegistry } from '../resilience/circuits.js'
import type { TimeoutsConfig } from '../resilience/schema.js'
import type { TargetParams } from './schema.js'

export interface Target {
  /** `<provider>/<model>`, or `<provider>/*` for the provider-wide target of undeclared native models. */
  readonly id: string
  readonly mount: Mount
  readonly model: string
  readonly params: TargetParams | undefined
  readonly pool: Pool
  readonly firstByteMs: number
  readonly idleMs: number
  /** Undefined when circuit breakers are disabled. */
  readonly circuit: Circuit | undefined
}

export interface VirtualModel {
  readonly name: string
  readonly description: string | undefined
  /** In fallback order. */
  readonly targets: readonly Target[]
  /** Running sums of the targets' weights; the last is the total (> 0, checked by config). */
  readonly cumulative: readonly number[]
}

export interface NativeTargets {
  /**
   * Models named in config for this mount (alternates' keys, virtual model targets) → the target
   * itself followed by its alternates, in order.
   */
  readonly declared: ReadonlyMap<string, readonly Target[]>
  /** Every other model of this mount: one provider-wide target (and circuit), no alternates. */
  readonly wildcard: readonly [Target]
}

export interface Routing {
  readonly models: ReadonlyMap<string, VirtualModel>
  /** By mount name. */
  readonly native: ReadonlyMap<string, NativeTargets>
  /** Every circuit id in use, so a reload can retire the rest. */
  readonly circuitIds: ReadonlySet<string>
}

export type PoolFor = (mount: Mount, connectTimeoutMs: number) => Pool

export function buildRouting(config: Readonly<Config>, mounts: readonly Mount[], circuits: CircuitRegistry, poolFor: PoolFor): Routing {
  const byName = new Map(mounts.map((m) => [m.name, m]))
  const circuitIds = new Set<string>()
  const target = (mount: Mount, model: string, params: TargetParams | undefined, timeouts: TimeoutsConfig | undefined): Target => {
    const provider: ProviderConfig = mount.config
    const id = `${mount.name}/${model}`
    circuitIds.add(id)
    const connectMs = timeouts?.connectMs ?? provider.connectTimeoutMs
    return {
      id,
      mount,
      model,
      params,
      pool: connectMs === provider.connectTimeoutMs ? mount.pool : poolFor(mount, connectMs),
      firstByteMs: timeouts?.firstByteMs ?? provider.headersTimeoutMs,
      idleMs: timeouts?.idleMs ?? provider.bodyTimeoutMs,
      circuit: circuits.circuit(id, mount.name, model),
    }
  }

  const models = new Map<string, VirtualModel>()
  for (const [name, model] of Object.entries(config.models)) {
    const targets: Target[] = []
    const cumulative: number[] = []
    let total = 0
    for (const t of model.targets) {
      // Config checks guarantee the provider exists (config/semantic.ts).
      targets.push(target(byName.get(t.provider)!, t.model, t.params, t.timeouts))
      cumulative.push((total += t.weight))
    }
    models.set(name, { name, description: model.description, targets, cumulative })
  }

  const native = new Map<string, NativeTargets>()
  for (const mount of mounts) {
    const declared = new Map<string, readonly Target[]>()
    for (const [model, list] of Object.entries(mount.config.alternates ?? {})) {
      const alternates = list.map((a) => target(a.provider === undefined ? mount : byName.get(a.provider)!, a.model, undefined, a.timeouts))
      declared.set(model, [target(mount, model, undefined, undefined), ...alternates])
    }
    for (const vm of models.values()) {
      for (const t of vm.targets) if (t.mount === mount && !declared.has(t.model)) declared.set(t.model, [t])
    }
    native.set(mount.name, { declared, wildcard: [target(mount, '*', undefined, undefined)] })
  }
  return { models, native, circuitIds }
}

/** The targets a native request for `model` tries: its own, then its alternates. */
export function nativeChain(routing: Routing, mount: Mount, model: string): readonly Target[] {
  const targets = routing.native.get(mount.name)!
  return targets.declared.get(model) ?? targets.wildcard
}

/** Weighted first choice among `candidates` (indexes into the model's targets); `random` is in [0, 1). */
export function pickByWeight(model: VirtualModel, usable: (target: Target) => boolean, random: number): number {
  let total = 0
  const { targets, cumulative } = model
  for (let i = 0; i < targets.length; i++) if (usable(targets[i]!)) total += weightAt(cumulative, i)
  if (total === 0) {
    // Every weighted target is unusable: the first usable fallback, else the first target.
    const fallback = targets.findIndex(usable)
    return fallback === -1 ? 0 : fallback
  }
  let point = random * total
  let last = 0
  for (let i = 0; i < targets.length; i++) {
    const weight = weightAt(cumulative, i)
    if (weight === 0 || !usable(targets[i]!)) continue
    last = i
    point -= weight
    if (point < 0) return i
  }
  return last
}

const weightAt = (cumulative: readonly number[], i: number): number => cumulative[i]! - (i === 0 ? 0 : cumulative[i - 1]!)
