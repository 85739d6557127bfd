// A virtual model's bandit at run time (docs/bandits.md): the decision core (bandit.ts) over the
// model's targets as arms, this replica's own statistics and the fleet's, the routing modes, and
// feedback tokens. Long-lived across reloads (runtime/bandits.ts keeps it while its settings and
// targets are unchanged); the sync of statistics through the outcome store lives there too.
//
// - Statistics: this replica's own, updated at every settle, plus the others' latest copies
//   (`setOthers`), summed when a choice is made. The sum is cached for `VIEW_MS` so a choice
//   costs a lookup, not a merge; the staleness is bounded by that and the sync interval.
// - Modes (flag `ai.bandit.mode`, per request): `shadow` picks and records the pick, but the
//   weights route; `canary` routes `canaryPercent` % of requests by the pick; `active` all of them.
//   In every mode but `off`, the target that served first is credited, so the bandit learns from
//   static traffic too.
// - Feedback: each response carries `x-sluice-feedback`, an HMAC-signed token naming the model,
//   the arm and the time; POST /v1/events `{feedback, value}` on any replica with the same secret
//   credits the application's score (0–1) to that arm, weighted by `reward.quality`.
import { createHmac, timingSafeEqual } from 'node:crypto'
import type { BanditChoice, BanditRoute, Credit, ExperimentContext, SettledRequest, Target } from '../../core/target.js'
import type { Usage } from '../../core/wire.js'
import { armShares, chooseArm, recordOutcome, type ArmShare } from './bandit.js'
import type { BanditSettings } from './settings.js'
import { armAt, armOf, emptyArm, emptyStats, mergeStats, type BanditStats } from './state.js'

export const BANDIT_HEADER = 'x-sluice-bandit'
export const ARM_HEADER = 'x-sluice-arm'
export const PICK_HEADER = 'x-sluice-bandit-pick'
export const FEEDBACK_HEADER = 'x-sluice-feedback'

export type BanditMode = 'off' | 'shadow' | 'canary' | 'active'
const VIEW_MS = 100

export interface RouterOptions {
  readonly model: string
  readonly arms: readonly string[]
  readonly settings: BanditSettings
  readonly canaryPercent: number
  readonly secret: Buffer
  readonly feedbackTtlMs: number
  readonly costOf: (target: Target, model: string, usage: Usage) => number | undefined
  /** Wall-clock ms (statistics are aged and merged across replicas by it). Default Date.now. */
  readonly now?: () => number
}

export type FeedbackResult = { ok: true; arm: string } | { ok: false; detail: string }

/** A bandit's state for the admin API (GET /v1/bandits). */
export interface BanditReport {
  readonly model: string
  /** `ai.bandit.mode` for a request with no attributes (targeting may differ per request). */
  readonly mode: string
  readonly arms: ReadonlyArray<Record<string, unknown>>
}

/** Every bandit of a snapshot, as the data plane's events route and the admin API reach them. */
export interface BanditDirectory {
  feedback(token: string, value: number): FeedbackResult
  report(): BanditReport[]
}

export class BanditRouter {
  #own: BanditStats = emptyStats()
  #others: BanditStats = emptyStats()
  #view: BanditStats | undefined
  #viewAt = -Infinity
  readonly #credits = new Map<string, Credit>()
  readonly #tokens = new Map<string, { second: number; token: string }>()
  readonly #now: () => number

  constructor(readonly options: RouterOptions) {
    this.#now = options.now ?? Date.now
  }

  get model(): string {
    return this.options.model
  }

  /** The pick among `usable` for a request in `mode`; undefined when off or nothing is usable. */
  choose(usable: readonly Target[], mode: BanditMode, random: () => number): BanditChoice | undefined {
    if (mode === 'off' || usable.length === 0) return undefined
    const ids = usable.map((t) => t.id)
    const now = this.#now()
    const choice = chooseArm(this.#stats(now), ids, this.options.settings, random, now)
    const target = usable[ids.indexOf(choice.arm!)]!
    const routes = mode === 'active' || (mode === 'canary' && random() * 100 < this.options.canaryPercent)
    return { target, routes }
  }

  tags(served: Target, choice: BanditChoice): Record<string, string> {
    const tags: Record<string, string> = { [BANDIT_HEADER]: this.options.model, [ARM_HEADER]: served.id, [FEEDBACK_HEADER]: this.token(served.id) }
    if (!choice.routes) tags[PICK_HEADER] = choice.target.id
    return tags
  }

  credit(target: Target): Credit {
    let credit = this.#credits.get(target.id)
    if (credit === undefined) {
      const arm = target.id
      credit = { arm: `${this.options.model}/${arm}`, settle: (request) => this.#settle(arm, request) }
      this.#credits.set(arm, credit)
    }
    return credit
  }

  #settle(arm: string, request: SettledRequest): void {
    let costUsd = 0
    if (request.ok && request.usage !== undefined && request.served !== undefined && request.model !== undefined) {
      costUsd = this.options.costOf(request.served, request.model, request.usage) ?? 0
    }
    this.#own = recordOutcome(this.#own, arm, { ok: request.ok, latencyMs: request.durationMs, costUsd }, this.options.settings, this.#now())
    this.#view = undefined
  }

  /**
   * `v1.<payload>.<signature>`: payload is base64url of `model \n arm \n issuedAtMs`, the time
   * truncated to the second so one signature serves every response of an arm in that second.
   */
  token(arm: string): string {
    const second = Math.floor(this.#now() / 1000) * 1000
    const cached = this.#tokens.get(arm)
    if (cached !== undefined && cached.second === second) return cached.token
    const payload = Buffer.from(`${this.options.model}\n${arm}\n${second}`).toString('base64url')
    const token = `v1.${payload}.${this.#sign(payload)}`
    this.#tokens.set(arm, { second, token })
    return token
  }

  /** Credits an application's score in [0, 1] to the arm a token names; the token must be this bandit's, intact and fresh. */
  feedback(token: string, value: number): FeedbackResult {
    const parsed = readToken(token)
    if (parsed === undefined) return { ok: false, detail: 'feedback is not a Sluice feedback token.' }
    const expected = Buffer.from(this.#sign(parsed.payload))
    const given = Buffer.from(parsed.signature)
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, detail: 'The feedback token\'s signature does not verify.' }
    const age = this.#now() - parsed.issuedAtMs
    if (!(age >= -60_000 && age <= this.options.feedbackTtlMs)) return { ok: false, detail: `The feedback token has expired (accepted for ${this.options.feedbackTtlMs} ms).` }
    if (!this.options.arms.includes(parsed.arm)) return { ok: false, detail: `${parsed.arm} is no longer an arm of ${this.options.model}.` }
    const { settings } = this.options
    if (settings.reward.quality <= 0) return { ok: false, detail: `The bandit of ${this.options.model} gives quality no weight (reward.quality is 0).` }
    if (!(value >= 0 && value <= 1)) return { ok: false, detail: 'A feedback value is a score from 0 to 1.' }
    // One more fractional observation, worth `quality` of a request, without the per-update discount.
    const now = this.#now()
    const before = armAt(armOf(this.#own, parsed.arm) ?? emptyArm(now), now, settings)
    const weight = settings.reward.quality
    const arm = { ...before, successes: before.successes + weight * value, failures: before.failures + weight * (1 - value) }
    this.#own = { version: 1, arms: { ...this.#own.arms, [parsed.arm]: arm } }
    this.#view = undefined
    return { ok: true, arm: parsed.arm }
  }

  /** The model a token names, to find its bandit; undefined if it is not one. */
  static modelOf(token: string): string | undefined {
    return readToken(token)?.model
  }

  /** Takes over statistics a previous router of this model learned (its settings changed). */
  adopt(stats: BanditStats): void {
    this.#own = stats
    this.#view = undefined
  }

  /** This replica's own statistics, for the store. */
  own(): BanditStats {
    return this.#own
  }

  /** The other replicas' latest copies (never this replica's own). */
  setOthers(parts: readonly BanditStats[]): void {
    this.#others = mergeStats(parts, this.#now(), this.options.settings)
    this.#view = undefined
  }

  /** Each arm's chance of being chosen now, and its statistics, for the admin API. */
  report(random: () => number): { shares: ArmShare[]; stats: BanditStats } {
    const now = this.#now()
    const stats = this.#stats(now)
    return { shares: armShares(stats, this.options.arms, this.options.settings, random, now), stats }
  }

  #stats(now: number): BanditStats {
    if (Object.keys(this.#others.arms).length === 0) return this.#own
    if (this.#view === undefined || now - this.#viewAt > VIEW_MS) {
      this.#view = mergeStats([this.#others, this.#own], now, this.options.settings)
      this.#viewAt = now
    }
    return this.#view
  }

  #sign(payload: string): string {
    return createHmac('sha256', this.options.secret).update(payload).digest('base64url').slice(0, 22)
  }
}

function readToken(token: string): { payload: string; signature: string; model: string; arm: string; issuedAtMs: number } | undefined {
  const parts = token.split('.')
  if (parts.length !== 3 || parts[0] !== 'v1') return undefined
  const [, payload, signature] = parts as [string, string, string]
  const fields = Buffer.from(payload, 'base64url').toString('utf8').split('\n')
  if (fields.length !== 3) return undefined
  const issuedAtMs = Number(fields[2])
  if (!Number.isFinite(issuedAtMs)) return undefined
  return { payload, signature, model: fields[0]!, arm: fields[1]!, issuedAtMs }
}

/** The steering view of a router for one snapshot: the mode comes from that snapshot's flags. */
export function banditRoute(router: BanditRouter, modeOf: (context: ExperimentContext) => BanditMode): BanditRoute {
  return {
    choose: (usable, context, random) => router.choose(usable, modeOf(context), random),
    tagsFor: (served, choice) => router.tags(served, choice),
    creditFor: (target) => router.credit(target),
  }
}
