// Targets compiled from config once per snapshot (docs/unified.md, docs/resilience.md): every virtual model's targets in
// fallback order with their weights, each mount's same-dialect alternates, and the target a
// native request starts on. A target carries what an attempt needs: the provider's mount, its pool
// (its own when the connect timeout differs), its timeouts and its circuit breaker.
import type { Pool } from 'undici'
import type { Config, ProviderConfig } from '../config/schema.js'
import type { Experiment, Mount, Routing, Target, TargetParams, VirtualModel } from '../core/target.js'
import type { ExperimentConfig } from '../steering/experiments/schema.js'
import type { CircuitRegistry } from '../resilience/circuits.js'
import type { TimeoutsConfig } from '../resilience/schema.js'
import type { FlagSet } from '../flags/index.js'
import { buildExperiment, compileExperimentTargeting, type ExperimentHooks } from './experiments.js'

export type PoolFor = (mount: Mount, connectTimeoutMs: number) => Pool

export function buildRouting(
  config: Readonly<Config>,
  mounts: readonly Mount[],
  circuits: CircuitRegistry,
  poolFor: PoolFor,
  hooks: ExperimentHooks,
  flags: FlagSet,
): Routing {
  const byName = new Map(mounts.map((m) => [m.name, m]))
  const circuitIds = new Set<string>()
  const target = (mount: Mount, model: string, params: TargetParams | undefined, timeouts: TimeoutsConfig | undefined): Target => {
    const provider: ProviderConfig = config.providers[mount.name]!
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

  const targeting = compileExperimentTargeting(config)
  // checkCandidate refused a config whose targeting does not compile.
  if (!targeting.ok) throw new Error(targeting.problems.join('\n'))
  hooks.rollouts.configure(config.rollouts)
  const rollouts = Object.entries(config.rollouts)
  const models = new Map<string, VirtualModel>()
  for (const [name, model] of Object.entries(config.models)) {
    // Config checks guarantee the provider exists (config/semantic.ts).
    const targets = model.targets.map((t) => target(byName.get(t.provider)!, t.model, t.params, t.timeouts))
    const entries = Object.entries(config.experiments).filter(([, e]) => e.mount === undefined && e.model === name)
    const resolve = (provider: string, native: string): Target => targets.find((t) => t.mount.name === provider && t.model === native)!
    const built = buildExperiment(entries, resolve, targeting.flagSet, hooks)
    // A rollout owns its model's split (config checks refuse it beside a running experiment).
    const rollout = rollouts.find(([, r]) => r.mount === undefined && r.model === name)
    const experiment = rollout === undefined ? built.experiment : hooks.rollouts.splitFor(rollout[0], resolve)
    const promoted = rollout === undefined ? built.promoted : undefined
    const bandit = hooks.bandits.routeFor(name, model.bandit, targets, flags)
    models.set(name, { name, description: model.description, targets, weights: model.targets.map((t) => t.weight), experiment, promoted, bandit })
  }

  hooks.bandits.retain(new Set(models.keys()))
  const native = new Map<string, { declared: Map<string, readonly Target[]>; wildcard: [Target]; experiments: Map<string, Experiment> }>()
  for (const mount of mounts) {
    const declared = new Map<string, readonly Target[]>()
    for (const [model, list] of Object.entries(config.providers[mount.name]!.alternates ?? {})) {
      const alternates = list.map((a) => target(a.provider === undefined ? mount : byName.get(a.provider)!, a.model, undefined, a.timeouts))
      declared.set(model, [target(mount, model, undefined, undefined), ...alternates])
    }
    for (const vm of models.values()) {
      for (const t of vm.targets) if (t.mount === mount && !declared.has(t.model)) declared.set(t.model, [t])
    }
    native.set(mount.name, { declared, wildcard: [target(mount, '*', undefined, undefined)], experiments: new Map() })
  }
  // Native experiments, once every mount's targets exist: a variant may name another provider of the dialect.
  const resolveNative = (provider: string, model: string): Target => {
    const targets = native.get(provider)!
    return (targets.declared.get(model) ?? targets.wildcard)[0]!
  }
  const nativeSplits = new Map<string, Array<readonly [string, ExperimentConfig]>>()
  for (const entry of Object.entries(config.experiments)) {
    const [, e] = entry
    if (e.mount === undefined) continue
    const split = `${e.mount}\u0000${e.model}`
    nativeSplits.set(split, [...(nativeSplits.get(split) ?? []), entry])
  }
  for (const entries of nativeSplits.values()) {
    const { mount, model } = entries[0]![1]
    // A concluded native experiment stops splitting; its winner is not promoted (the client names its model).
    const { experiment } = buildExperiment(entries, resolveNative, targeting.flagSet, hooks)
    if (experiment !== undefined) native.get(mount!)!.experiments.set(model, experiment)
  }
  for (const [id, r] of rollouts) if (r.mount !== undefined) native.get(r.mount)!.experiments.set(r.model, hooks.rollouts.splitFor(id, resolveNative))
  return { models, native, circuitIds }
}
