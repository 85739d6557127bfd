// Where a request can go: the mount a provider is served on, the routing targets built from config
// (docs/unified.md, docs/resilience.md), and a leg — one target with the native request built for it. Built once per
// snapshot by the composition root (runtime/routing.ts); read by gates, steering and upstream.
import type { Pool } from 'undici'
import type { Dialect, NativeRequest, Operation, ProviderType, RequestParams, UpstreamAuth, Usage } from './wire.js'

/** What can go wrong with one upstream attempt before its answer is known: what a breaker, a retry policy or a fallback tells apart. */
export const FailureKinds = ['5xx', '429', 'timeout', 'connection'] as const
export type FailureKind = (typeof FailureKinds)[number]

/** What the data plane reads of a provider's config. */
export interface MountSettings {
  readonly type: ProviderType
  readonly region?: string
  readonly auth: 'client' | 'none'
}

export interface Mount {
  /** The provider's key under `providers:`; also the `route` of native requests. */
  readonly name: string
  readonly prefix: string
  readonly config: MountSettings
  readonly adapter: Dialect
  readonly origin: URL
  /** Path of the endpoint URL without a trailing slash ('' for a bare origin). */
  readonly basePath: string
  readonly pool: Pool
  readonly upstreamAuth: UpstreamAuth
  /** `ai.provider.<name>.enabled`, built once. */
  readonly enabledFlag: string
}

/** One admitted attempt through a circuit breaker; settle it exactly once. */
export interface CircuitTicket {
  /** The attempt ended in a way that is not the target's fault (2xx, 4xx, client went away...). */
  success(): void
  /** The attempt failed; counts as a breaker failure only if `kind` is in failOn. */
  failure(kind: FailureKind): void
}

/** The data plane's side of a circuit breaker (resilience/circuits.ts). */
export interface CircuitBreakerGate {
  readonly id: string
  /** A ticket when the breaker admits an attempt; undefined while it is open. */
  acquire(): CircuitTicket | undefined
  /** Seconds until a probe is let through. */
  retryAfterSeconds(): number
}

/** Request parameters a target forces (on unified requests; on native ones through `Dialect.withParams`). */
export type TargetParams = RequestParams

/** A routing target: a provider's mount plus a native model, with its pool, timeouts and breaker. */
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
  readonly circuit: CircuitBreakerGate | undefined
}

export interface VirtualModel {
  readonly name: string
  readonly description: string | undefined
  /** In fallback order. */
  readonly targets: readonly Target[]
  /** Each target's weight (0: a fallback only), in the same order. */
  readonly weights: readonly number[]
  /** The running experiment that splits this model's traffic, if any. */
  readonly experiment: Experiment | undefined
  /** A concluded experiment's winning variant: every request goes to its target (with its params) first. */
  readonly promoted: ExperimentVariant | undefined
  /** The bandit that may choose among the targets (steering/bandit/router.ts), if configured. */
  readonly bandit: BanditRoute | undefined
}

/** A bandit's choice for one request: the arm it picked, and whether that pick routes (the mode and canary share decide). */
export interface BanditChoice {
  readonly target: Target
  readonly routes: boolean
}

/** A virtual model's bandit as steering sees it. */
export interface BanditRoute {
  /** The pick among `usable` (the candidates' targets) for this request; undefined when `ai.bandit.mode` is off for it. */
  choose(usable: readonly Target[], context: ExperimentContext, random: () => number): BanditChoice | undefined
  /** Response headers naming the arm that is tried first (and the bandit's own pick when it did not route), with a feedback token. */
  tagsFor(served: Target, choice: BanditChoice): Readonly<Record<string, string>>
  /** Where a request first tried on `target` is credited. */
  creditFor(target: Target): Credit
}

/** What assignment reads of the evaluation context (core/facts.ts `EvaluationContext` is one). */
export interface ExperimentContext {
  readonly targetingKey: string
  readonly [attribute: string]: unknown
}

/** One variant of an experiment: the virtual model's target that serves its users. */
export interface ExperimentVariant {
  readonly name: string
  readonly control: boolean
  /** The model's target, with the variant's params on top when it sets any. */
  readonly target: Target
  /** The model's own target this variant routes to (what the candidates hold). */
  readonly base: Target
  /** The native model the variant's requests use (a native experiment moves them to it). */
  readonly model: string
  /** The variant's own params (a native experiment forces them through the dialect). */
  readonly params: TargetParams | undefined
  /** Where the variant's requests are credited (steering/experiments/outcomes.ts). */
  readonly credit: Credit
  /** The response (and, with `tagUpstream`, upstream) headers naming the experiment and this variant. */
  readonly tags: Readonly<Record<string, string>>
}

/** A running A/B/n experiment over a virtual model, compiled by the composition root (runtime/experiments.ts). */
export interface Experiment {
  /** `rollout`: a canary rollout's two arms (stable, canary) compiled as an experiment-shaped split. */
  readonly kind: 'experiment' | 'rollout'
  readonly key: string
  /** Send the experiment and variant headers upstream too. */
  readonly tagUpstream: boolean
  readonly variants: readonly ExperimentVariant[]
  /** The user's variant; undefined when the targeting excludes them, they are outside the allocation, or have no targeting key. */
  assign(context: ExperimentContext): ExperimentVariant | undefined
  /**
   * The variant `name` when client `client` may force it (x-sluice-force-variant), audit-logged;
   * undefined when it may not or there is no such variant: the request is then assigned as usual.
   */
  force(name: string, client: string | undefined, requestId: string): ExperimentVariant | undefined
}

/** What settle tells the credited arm about the request it was given. */
export interface SettledRequest {
  /** The targeting key (x-sluice-user, else the client id). */
  readonly user: string
  /** A 2xx answer from the plan's first target (not a fallback), complete, not abandoned by the client. */
  readonly ok: boolean
  readonly durationMs: number
  readonly ttftMs: number | undefined
  readonly usage: Usage | undefined
  /** The target that answered, if one did, and the native model it used. */
  readonly served: Target | undefined
  readonly model: string | undefined
  /** The client went away before the answer ended: the outcome says nothing about the arm. */
  readonly clientAborted: boolean
}

/** An arm that learns from the requests it is given; settle calls it once per request. */
export interface Credit {
  /** `<experiment>/<variant>`, `<bandit>/<arm>`…: what the decision record names. */
  readonly arm: string
  settle(request: SettledRequest): void
}

/** A target with the native request built for it. */
export interface Leg {
  readonly target: Target
  readonly request: NativeRequest
  readonly operation: Operation
}

export interface NativeTargets {
  /**
   * Models named in config for this mount (alternates' keys, virtual model targets) → the target
   * itself followed by its alternates, in order.
   */
  readonly declared: ReadonlyMap<string, readonly Target[]>
  /** Every other model of this mount: one provider-wide target (and circuit), no alternates. */
  readonly wildcard: readonly [Target]
  /** Running experiments on this mount's native requests, by the model they split. */
  readonly experiments: ReadonlyMap<string, Experiment>
}

/** Every target of a snapshot: virtual models, and what native requests of each mount start on. */
export interface Routing {
  readonly models: ReadonlyMap<string, VirtualModel>
  /** By mount name. */
  readonly native: ReadonlyMap<string, NativeTargets>
  /** Every circuit id in use, so a reload can retire the rest. */
  readonly circuitIds: ReadonlySet<string>
}

/** The targets a native request for `model` on `mount` tries: its own, then its alternates. */
export function nativeChain(routing: Routing, mount: Mount, model: string): readonly Target[] {
  const targets = routing.native.get(mount.name)!
  return targets.declared.get(model) ?? targets.wildcard
}
