// Shadow traffic as the data plane sees it (gate 11, docs/shadow.md): for each virtual model or
// native model with a shadow configured, the routes a request may be mirrored on. Built per
// snapshot by the composition root (runtime/shadows.ts); a route's concurrency cap and summary
// outlive snapshots. The pipeline asks `wants` while it handles the request and mirrors through
// `admit` once the primary's answer has ended (pipeline/mirror.ts).
import type { EvaluationContext, Outcome, RequestFacts } from './facts.js'
import type { Target } from './target.js'

/** Why a sampled request was not mirrored. */
export const SHADOW_SKIPS = ['over_capacity', 'over_budget', 'untranslatable'] as const
export type ShadowSkip = (typeof SHADOW_SKIPS)[number]

/** A mirrored call under way: settle it once with the primary's and the shadow's outcome. */
export interface ShadowAdmission {
  settle(primary: Outcome, shadow: Outcome): void
}

export interface ShadowRoute {
  readonly id: string
  /** The shadow target. It has no circuit breaker: mirrored calls neither consult nor feed one. */
  readonly target: Target
  /** The mirrored call's own deadline in ms, from when it is sent. */
  readonly timeoutMs: number
  /**
   * Whether this request is mirrored: flag `ai.shadow.enabled` for its context, the stable-hash
   * sampling of its targeting key, and the shadow target's kill switches and provider switch.
   */
  wants(context: EvaluationContext): boolean
  /** A slot under the concurrency cap and the spend reserved in the `shadow` budget scope; undefined (counted) when either is not to be had. */
  admit(facts: RequestFacts): ShadowAdmission | undefined
  /** Counts a sampled request that was not mirrored for `reason`. */
  skip(reason: ShadowSkip): void
}

export interface ShadowIndex {
  /** False when no shadow is configured: the pipeline then looks nothing up. */
  readonly any: boolean
  /** By virtual model name (unified requests). */
  readonly models: ReadonlyMap<string, readonly ShadowRoute[]>
  /** By mount name, then native model id (native requests). */
  readonly native: ReadonlyMap<string, ReadonlyMap<string, readonly ShadowRoute[]>>
}
