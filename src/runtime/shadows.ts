// Shadow traffic in a running Sluice (docs/shadow.md). Long-lived: each shadow's concurrency cap,
// and its pairs, recorded into the experiments' outcome store (exact across a Redis fleet,
// persistent with sqlite or Redis) under `shadow:<id>`, one variant per shadow target so a new
// target starts a fresh summary. Per snapshot: the routes the pipeline mirrors on
// (core/shadow.ts), each reading the snapshot's flags, kill switches and budgets.
import type { Logger } from 'pino'
import type { Config } from '../config/schema.js'
import type { EvaluationContext, Outcome, RequestFacts } from '../core/facts.js'
import type { GateView } from '../core/gate.js'
import { cachedLabels, metrics } from '../core/metrics.js'
import type { ShadowAdmission, ShadowIndex, ShadowRoute, ShadowSkip } from '../core/shadow.js'
import type { KillSwitch } from '../core/store.js'
import type { Mount, Target } from '../core/target.js'
import { ownCallTarget } from './own-target.js'
import type { BudgetRuntime } from '../gates/budget/gate.js'
import { reserveOwnSpend, settleOwnSpend } from '../gates/budget/index.js'
import { candidateKill } from '../gates/kill-switch/gate.js'
import { buildKillIndex } from '../gates/kill-switch/kill-index.js'
import { decisionSink } from '../log.js'
import { canonicalModelId } from '../providers/model-id.js'
import type { CostOf, OutcomeRecorder } from '../steering/experiments/outcomes.js'
import { ShadowSlots } from '../steering/shadow/admission.js'
import { pairEvents, skipEvent, summarizePairs, type PairSink, type ShadowCall, type ShadowControl, type ShadowView } from '../steering/shadow/pairing.js'
import { mirrored } from '../steering/shadow/sample.js'
import type { ShadowConfig } from '../steering/shadow/schema.js'

export const SHADOW_FLAG = 'ai.shadow.enabled'

/** The outcome-store key of a shadow's pairs (its variants are the targets it mirrored to). */
export const shadowStatsKey = (id: string): string => `shadow:${id}`

/** What a snapshot's routes read besides the config (runtime/snapshot.ts ControlInputs has it). */
export interface ShadowInputs {
  readonly killSwitches: readonly KillSwitch[]
  readonly flags: { readonly keys: Iterable<string> }
  readonly budgets: BudgetRuntime | undefined
}

interface Cell {
  readonly max: number
  readonly slots: ShadowSlots
}

// Children memoised per label tuple (shadow ids are the config's, results a fixed set).
const shadowRequests = cachedLabels(metrics.shadowRequests)
const shadowCost = cachedLabels(metrics.shadowCost)

const EMPTY: ShadowIndex = { any: false, models: new Map(), native: new Map() }

/** One side's call as the pairing reads it. */
function callOf(outcome: Outcome, costOf: CostOf): ShadowCall {
  const { usage, served } = outcome
  return {
    latencyMs: outcome.upstreamMs,
    ttftMs: outcome.ttftMs,
    error: outcome.decision !== 'allow' || outcome.status < 200 || outcome.status >= 300 || outcome.upstreamBroken,
    inputTokens: usage?.inputTokens,
    outputTokens: usage?.outputTokens,
    costUsd: usage === undefined || served === undefined ? undefined : costOf(served.target, served.operation.model, usage),
  }
}

class Route implements ShadowRoute {
  readonly #sink: PairSink

  constructor(
    readonly id: string,
    readonly target: Target,
    readonly timeoutMs: number,
    private readonly settings: ShadowConfig,
    private readonly cell: Cell,
    private readonly blocked: (context: EvaluationContext) => boolean,
    private readonly view: GateView,
    private readonly budgets: BudgetRuntime | undefined,
    private readonly recorder: OutcomeRecorder,
    private readonly log: ((fields: string) => void) | undefined,
  ) {
    this.#sink = recorder.events(shadowStatsKey(id), target.id)
  }

  wants(context: EvaluationContext): boolean {
    if (!this.view.flag(SHADOW_FLAG, false, context)) return false
    if (!mirrored(this.id, this.settings.seed, context.targetingKey, this.settings.percent)) return false
    return !this.blocked(context)
  }

  admit(facts: RequestFacts): ShadowAdmission | undefined {
    const release = this.cell.slots.acquire()
    if (release === undefined) return void this.skip('over_capacity')
    const { budgets } = this
    const reservation = budgets === undefined ? undefined : reserveOwnSpend(budgets, this.target, facts, Date.now())
    if (budgets !== undefined && reservation === undefined) {
      release()
      return void this.skip('over_budget')
    }
    let settled = false
    return {
      settle: (primary, shadow) => {
        if (settled) return
        settled = true
        release()
        if (reservation !== undefined) settleOwnSpend(budgets!, reservation, shadow, Date.now())
        this.#record(facts, primary, shadow)
      },
    }
  }

  skip(reason: ShadowSkip): void {
    shadowRequests(this.id, reason).inc()
    skipEvent(this.#sink, reason)
  }

  #record(facts: RequestFacts, primary: Outcome, shadow: Outcome): void {
    const { costOf } = this.recorder
    const a = callOf(primary, costOf)
    const b = callOf(shadow, costOf)
    shadowRequests(this.id, b.error ? 'error' : 'ok').inc()
    if (b.costUsd !== undefined && b.costUsd > 0) shadowCost(this.id).inc(b.costUsd)
    pairEvents(this.#sink, a, b)
    // Beside the primary's decision record, under the same request id; the fields are ids,
    // codes and numbers (nothing secret), so they skip the logger's redaction pass.
    if (this.log === undefined) return
    const record = {
      requestId: facts.requestId,
      shadow: this.id,
      target: this.target.id,
      status: shadow.status,
      code: shadow.code,
      error: b.error,
      latencyMs: b.latencyMs,
      ttftMs: b.ttftMs,
      usage: shadow.usage,
      costUsd: b.costUsd,
      primary: { target: primary.served?.target.id, status: primary.status, error: a.error, latencyMs: a.latencyMs, ttftMs: a.ttftMs, costUsd: a.costUsd },
    }
    const json = JSON.stringify(record)
    this.log(json.slice(1, -1))
  }
}

export class Shadows implements ShadowControl {
  readonly #cells = new Map<string, Cell>()
  #configs: Readonly<Record<string, ShadowConfig>> = {}
  #targets = new Map<string, string>()
  readonly #slotsFor = (id: string, max: number): Cell => {
    const cell = this.#cells.get(id)
    if (cell !== undefined && cell.max === max) return cell
    // A new cap takes effect for new calls; calls in flight give their slot back to the old one.
    const fresh = { max, slots: new ShadowSlots(max) }
    this.#cells.set(id, fresh)
    return fresh
  }

  readonly #log: (fields: string) => void

  constructor(
    private readonly recorder: OutcomeRecorder,
    logger: Logger,
  ) {
    this.#log = decisionSink(logger, 'shadow')
  }

  /** The routes of a snapshot of `config`: by virtual model and by native model on a mount. */
  index(config: Readonly<Config>, mounts: readonly Mount[], inputs: ShadowInputs, view: GateView): ShadowIndex {
    this.#configs = config.shadows
    this.#targets = new Map()
    for (const id of this.#cells.keys()) if (!Object.hasOwn(config.shadows, id)) this.#cells.delete(id)
    const entries = Object.entries(config.shadows)
    if (entries.length === 0) return EMPTY
    const byName = new Map(mounts.map((m) => [m.name, m]))
    const kills = buildKillIndex(inputs.killSwitches, inputs.flags.keys, canonicalModelId)
    const models = new Map<string, ShadowRoute[]>()
    const native = new Map<string, Map<string, ShadowRoute[]>>()
    const log = config.log.decisions ? this.#log : undefined
    for (const [id, settings] of entries) {
      // Config checks guarantee the providers exist (steering/shadow/semantic.ts).
      const mount = byName.get(settings.target.provider)!
      const model = settings.target.model
      const target = ownCallTarget(config, mount, model)
      this.#targets.set(id, target.id)
      const candidate = { target, model }
      const blocked = (context: EvaluationContext): boolean =>
        kills.global !== undefined ||
        !view.flag(mount.enabledFlag, true, context) ||
        candidateKill(kills, canonicalModelId, view, candidate, context) !== undefined
      const timeoutMs = settings.timeoutMs ?? config.resilience.retries.deadlineMs
      const cell = this.#slotsFor(id, settings.maxConcurrent)
      const route = new Route(id, target, timeoutMs, settings, cell, blocked, view, inputs.budgets, this.recorder, log)
      if (settings.mount === undefined) models.set(settings.model, [...(models.get(settings.model) ?? []), route])
      else {
        let byModel = native.get(settings.mount)
        if (byModel === undefined) native.set(settings.mount, (byModel = new Map()))
        byModel.set(settings.model, [...(byModel.get(settings.model) ?? []), route])
      }
    }
    return { any: true, models, native }
  }

  ids(): string[] {
    return Object.keys(this.#configs)
  }

  /** Every configured shadow with its summary (the store's totals plus this replica's unsent pairs). */
  async list(): Promise<ShadowView[]> {
    return Promise.all(this.ids().map(async (id) => (await this.view(id))!))
  }

  async view(id: string): Promise<ShadowView | undefined> {
    const config = Object.hasOwn(this.#configs, id) ? this.#configs[id] : undefined
    const target = this.#targets.get(id)
    if (config === undefined || target === undefined) return undefined
    const fields = await this.recorder.read(shadowStatsKey(id))
    return { id, config, target, inFlight: this.#cells.get(id)?.slots.inFlight ?? 0, summary: summarizePairs(fields.get(target)) }
  }
}
