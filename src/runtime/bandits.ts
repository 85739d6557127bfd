// The bandits of one Sluice (docs/bandits.md): one router per virtual model with a `bandit:`
// section, kept across reloads while its settings and targets are unchanged (so what it learned
// survives an edit), and the sync that shares statistics through the outcome store: every
// `syncMs` each replica writes its own statistics (`bandit:<model>`, under its replica id) and
// reads the others'. Copies live for a day, so a restarted replica (a new id) finds what it and
// the others learned; time decay (`halfLifeMs`) makes old copies count for less.
import { randomBytes } from 'node:crypto'
import type { Logger } from 'pino'
import type { Config } from '../config/schema.js'
import { metrics } from '../core/metrics.js'
import { problemAt, type ConfigProblem } from '../core/problems.js'
import type { BanditRoute, ExperimentContext, Target } from '../core/target.js'
import { evaluate, type EvaluationContext, type FlagSet } from '../flags/index.js'
import { banditSettings, banditSettingsProblems, parseStats, type BanditOverrides, type BanditStats } from '../steering/bandit/index.js'
import { banditRoute, BanditRouter, type BanditDirectory, type BanditMode, type BanditReport, type FeedbackResult } from '../steering/bandit/router.js'
import type { BanditConfig } from '../steering/bandit/schema.js'
import type { OutcomeStore } from '../steering/experiments/outcome-store.js'
import type { CostOf } from '../steering/experiments/outcomes.js'

const SHARED_TTL_MS = 86_400_000
const MODES: readonly string[] = ['off', 'shadow', 'canary', 'active']

function overridesOf(config: BanditConfig): BanditOverrides {
  const { canaryPercent: _c, feedbackSecret: _f, feedbackTtlMs: _t, syncMs: _s, ...policy } = config
  return policy as BanditOverrides
}

/** Every problem of every `models.<name>.bandit` (checkCandidate runs it). */
export function banditProblems(config: Readonly<Pick<Config, 'models'>>): ConfigProblem[] {
  const problems: ConfigProblem[] = []
  for (const [name, model] of Object.entries(config.models)) {
    if (model.bandit === undefined) continue
    const at = ['models', name, 'bandit']
    problems.push(...banditSettingsProblems(banditSettings(overridesOf(model.bandit)), model.targets.length, at))
    if (model.targets.length < 2) problems.push(problemAt(at, 'a bandit needs a model with at least 2 targets'))
  }
  return problems
}

export class Bandits {
  readonly #routers = new Map<string, { key: string; router: BanditRouter; syncMs: number; syncedAt: number }>()
  readonly #timer: NodeJS.Timeout
  /** Used when a bandit has no `feedbackSecret`: valid on this process only. */
  readonly #processSecret = randomBytes(32)
  #syncing = false

  constructor(
    private readonly store: OutcomeStore,
    private readonly replica: string,
    private readonly costOf: CostOf,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.#timer = setInterval(() => void this.sync(), 50).unref()
  }

  /** The steering view of `model`'s bandit for a snapshot with `flags`; undefined when it has none. */
  routeFor(name: string, config: BanditConfig | undefined, targets: readonly Target[], flags: FlagSet): BanditRoute | undefined {
    if (config === undefined) {
      this.#forget(name)
      return undefined
    }
    const arms = targets.map((t) => t.id)
    const key = JSON.stringify([config, arms])
    let entry = this.#routers.get(name)
    if (entry?.key !== key) {
      // New settings keep what this replica learned (the statistics are per arm; arms no longer listed are ignored).
      const learned = entry?.router.own()
      this.#forget(name)
      const router = new BanditRouter({
        model: name,
        arms,
        settings: banditSettings(overridesOf(config)),
        canaryPercent: config.canaryPercent,
        secret: config.feedbackSecret === undefined ? this.#processSecret : Buffer.from(config.feedbackSecret),
        feedbackTtlMs: config.feedbackTtlMs,
        costOf: this.costOf,
        now: this.now,
      })
      if (learned !== undefined) router.adopt(learned)
      entry = { key, router, syncMs: config.syncMs, syncedAt: -Infinity }
      this.#routers.set(name, entry)
    }
    return banditRoute(entry.router, (context) => modeOf(flags, context))
  }

  /** Forgets the bandits of models no longer configured with one, and their share gauges. */
  retain(models: ReadonlySet<string>): void {
    for (const name of [...this.#routers.keys()]) if (!models.has(name)) this.#forget(name)
  }

  #forget(name: string): void {
    const entry = this.#routers.get(name)
    if (entry === undefined) return
    for (const arm of entry.router.options.arms) metrics.banditArmShare.remove(name, arm)
    this.#routers.delete(name)
  }

  feedback(token: string, value: number): FeedbackResult {
    const model = BanditRouter.modelOf(token)
    const entry = model === undefined ? undefined : this.#routers.get(model)
    if (entry === undefined) return { ok: false, detail: model === undefined ? 'feedback is not a Sluice feedback token.' : `No bandit on model ${model}.` }
    return entry.router.feedback(token, value)
  }

  report(flags: FlagSet, random: () => number = Math.random): BanditReport[] {
    return [...this.#routers.values()].map(({ router }) => {
      const { shares, stats } = router.report(random)
      return {
        model: router.model,
        mode: modeOf(flags, { targetingKey: '', route: router.model }),
        arms: shares.map((s) => {
          const arm = stats.arms[s.arm]
          return {
            arm: s.arm,
            share: s.share,
            mean: s.mean,
            successes: arm?.successes ?? 0,
            failures: arm?.failures ?? 0,
            attempts: arm?.attempts ?? 0,
            errors: arm?.errors ?? 0,
            excluded: s.excluded ?? null,
          }
        }),
      }
    })
  }

  /** Writes each due bandit's own statistics and reads the other replicas'; a failure is logged and retried next time. */
  async sync(force = false): Promise<void> {
    if (this.#syncing) return
    this.#syncing = true
    try {
      const now = performance.now()
      for (const entry of this.#routers.values()) {
        if (!force && now - entry.syncedAt < entry.syncMs) continue
        entry.syncedAt = now
        const key = `bandit:${entry.router.model}`
        await this.store.putShared(key, this.replica, JSON.stringify(entry.router.own()), SHARED_TTL_MS)
        const others: BanditStats[] = []
        for (const copy of await this.store.listShared(key)) {
          if (copy.replica === this.replica) continue
          const parsed = parseStats(parseJson(copy.value))
          // A copy that does not parse (a newer replica's format, a hand edit) is left out, not trusted.
          if (parsed.ok) others.push(parsed.stats)
        }
        entry.router.setOthers(others)
        for (const share of entry.router.report(Math.random).shares) metrics.banditArmShare.labels(entry.router.model, share.arm).set(share.share)
      }
    } catch (err) {
      this.logger.warn({ err }, 'bandit statistics could not be shared; retrying')
    } finally {
      this.#syncing = false
    }
  }

  /** What a snapshot with `flags` exposes: feedback for POST /v1/events, and the admin report. */
  directory(flags: FlagSet): BanditDirectory {
    return { feedback: (token, value) => this.feedback(token, value), report: () => this.report(flags) }
  }

  async close(): Promise<void> {
    clearInterval(this.#timer)
    await this.sync(true)
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

function modeOf(flags: FlagSet, context: ExperimentContext): BanditMode {
  const value = evaluate(flags, 'ai.bandit.mode', 'string', 'off', context as EvaluationContext).value
  return MODES.includes(value) ? (value as BanditMode) : 'off'
}
