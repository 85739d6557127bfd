// Canary rollouts at run time (docs/rollouts.md): each configured rollout's live state, the split
// steering reads, the statistics settle writes and the judge that moves the step machine.
//
// - State: one record per rollout in the state store (steering/rollouts/record.ts), applied from
//   the store's change notifications, so every replica routes by the same record within the
//   notification delay (sqlite and memory: at once; Redis: pub/sub). The split reads it live, so a
//   rollback takes effect without a snapshot rebuild.
// - Statistics: every request credited to an arm adds error, ln(latency) and cost to the outcome
//   store (the experiments' recorder: exact across a fleet, kept across restarts), per run and step.
// - Judge: every JUDGE_INTERVAL_MS each replica reads the step's statistics (the store's, plus its
//   own unflushed) and judges them; a decision is written with compare-and-set on the record it
//   judged, so among replicas that reach the same decision one writes it and the rest see a conflict.
import type { Logger } from 'pino'
import { metrics } from '../core/metrics.js'
import type { JsonObject, StateChange, StateOp, StateStore } from '../core/store.js'
import type { Credit, Experiment, ExperimentContext, ExperimentVariant, SettledRequest, Target } from '../core/target.js'
import { DEFAULT_DELIVERY, deliverWebhook, type WebhookDelivery } from '../gates/budget/actions.js'
import type { OutcomeRecorder } from '../steering/experiments/outcomes.js'
import { ROLLOUT_ARM_HEADER, ROLLOUT_HEADER } from '../steering/plan.js'
import { inCanary, judge, LATENCY_FLOOR_MS, type ArmStats, type Judgement, type RolloutSettings, type RolloutState, type RolloutStats } from '../steering/rollouts/index.js'
import {
  applyAction,
  judgedState,
  nextRecord,
  parseRecord,
  recordPercent,
  ROLLOUTS_NAMESPACE,
  statsKey,
  toJson,
  RolloutNotFound,
  type RolloutAction,
  type RolloutRecord,
  type RolloutControl,
  type RolloutView,
} from '../steering/rollouts/record.js'
import type { RolloutConfig } from '../steering/rollouts/schema.js'

export const JUDGE_INTERVAL_MS = 250

export interface RolloutsOptions {
  /** Wall-clock ms (records are compared across replicas). Default Date.now. */
  readonly now?: () => number
  readonly intervalMs?: number
  readonly delivery?: Partial<WebhookDelivery>
}

function settingsOf(config: RolloutConfig): RolloutSettings {
  return {
    steps: config.steps.map((s) => ({ percent: s.percent, minDurationMs: s.minDurationSeconds * 1000, minSamplesPerArm: s.minSamplesPerArm })),
    health: { ...config.health },
  }
}

interface Stored {
  readonly raw: JsonObject | null
  /** The store revision the record was read at or written with; older notifications are ignored. */
  readonly revision: number
}

/** One rollout: its config, its record as last applied, and the split built from them. */
class Cell {
  record: RolloutRecord | undefined = undefined
  raw: JsonObject | null = null
  percent = 0
  key = ''
  settings: RolloutSettings

  constructor(
    readonly id: string,
    public config: RolloutConfig,
  ) {
    this.settings = settingsOf(config)
  }

  apply(raw: JsonObject | null): void {
    this.raw = raw
    this.record = parseRecord(raw)
    this.percent = recordPercent(this.record, this.settings)
    this.key = this.record === undefined ? '' : statsKey(this.id, this.record)
    const step = this.record === undefined || this.percent === 0 ? 0 : Math.min(this.record.stepIndex, this.settings.steps.length - 1) + 1
    metrics.rolloutStep.labels(this.id).set(step)
    metrics.rolloutWeight.labels(this.id).set(this.percent)
  }

  /**
   * The step machine's state; undefined when there is nothing to judge, or when the config's steps
   * were edited below the record's step (a reload mid-run): that rollout holds until an operator acts.
   */
  judged(): RolloutState | undefined {
    const state = judgedState(this.record)
    return state !== undefined && state.stepIndex < this.settings.steps.length - 1 ? state : undefined
  }

  /** Statistics are collected while the step machine runs (progressing or paused). */
  get collecting(): boolean {
    const status = this.record?.status
    return status === 'progressing' || status === 'paused'
  }
}

/** An arm's credit: the request's error, ln(latency) and cost into the current step's statistics. */
class ArmCredit implements Credit {
  readonly arm: string
  #key = ''
  #sink: { event(metric: string, value: number): void } | undefined
  constructor(
    private readonly cell: Cell,
    private readonly name: 'stable' | 'canary',
    private readonly recorder: OutcomeRecorder,
  ) {
    this.arm = `${cell.id}/${name}`
  }

  settle(request: SettledRequest): void {
    // A client that went away says nothing about the arm.
    if (request.clientAborted || !this.cell.collecting) return
    const { key } = this.cell
    // The step's sink, looked up once per step rather than per request.
    if (key !== this.#key || this.#sink === undefined) {
      this.#sink = this.recorder.events(key, this.name)
      this.#key = key
    }
    let cost = 0
    if (request.ok && request.usage !== undefined && request.served !== undefined && request.model !== undefined) {
      cost = this.recorder.costOf(request.served, request.model, request.usage) ?? 0
    }
    this.#sink.event('error', request.ok ? 0 : 1)
    this.#sink.event('log_latency', Math.log(Math.max(LATENCY_FLOOR_MS, request.durationMs)))
    this.#sink.event('cost', cost)
  }
}

function armStats(fields: Record<string, number> | undefined): ArmStats {
  const f = fields ?? {}
  return {
    requests: f['m:error:n'] ?? 0,
    errors: f['m:error:sum'] ?? 0,
    logLatencySum: f['m:log_latency:sum'] ?? 0,
    logLatencySumSquares: f['m:log_latency:sq'] ?? 0,
    costSum: f['m:cost:sum'] ?? 0,
    costSumSquares: f['m:cost:sq'] ?? 0,
  }
}

export class Rollouts implements RolloutControl {
  readonly #cells = new Map<string, Cell>()
  readonly #stored = new Map<string, Stored>()
  readonly #now: () => number
  #store: StateStore | undefined
  #unsubscribe: (() => void) | undefined
  #timer: NodeJS.Timeout | undefined
  #lastRevision = 0

  constructor(
    private readonly recorder: OutcomeRecorder,
    private readonly logger: Logger,
    private readonly options: RolloutsOptions = {},
  ) {
    this.#now = options.now ?? Date.now
  }

  /** The rollouts of a config about to serve; cells keep their state across reloads. */
  configure(rollouts: Readonly<Record<string, RolloutConfig>>): void {
    for (const [id, config] of Object.entries(rollouts)) {
      let cell = this.#cells.get(id)
      if (cell === undefined) this.#cells.set(id, (cell = new Cell(id, config)))
      else {
        cell.config = config
        cell.settings = settingsOf(config)
      }
      cell.apply(this.#stored.get(id)?.raw ?? null)
    }
    for (const id of this.#cells.keys()) {
      if (Object.hasOwn(rollouts, id)) continue
      this.#cells.delete(id)
      metrics.rolloutStep.remove(id)
      metrics.rolloutWeight.remove(id)
    }
  }

  /** The split steering reads for rollout `id` (configured first): stable and canary as the two variants. */
  splitFor(id: string, resolve: (provider: string, model: string) => Target): Experiment {
    const cell = this.#cells.get(id)!
    const variant = (name: 'stable' | 'canary'): ExperimentVariant => {
      const { provider, model } = cell.config[name]
      const target = resolve(provider, model)
      const tags = Object.freeze({ [ROLLOUT_HEADER]: id, [ROLLOUT_ARM_HEADER]: name })
      return { name, control: name === 'stable', target, base: target, model, params: undefined, credit: new ArmCredit(cell, name, this.recorder), tags }
    }
    const stable = variant('stable')
    const canary = variant('canary')
    const seed = cell.config.seed ?? id
    return {
      kind: 'rollout',
      key: id,
      tagUpstream: false,
      variants: [stable, canary],
      assign(context: ExperimentContext): ExperimentVariant {
        const { percent } = cell
        if (percent <= 0) return stable
        if (percent >= 100) return canary
        return inCanary(seed, context.targetingKey, percent) ? canary : stable
      },
      force: () => undefined,
    }
  }

  /** Reads every record, follows the store's changes and starts judging. */
  async start(store: StateStore): Promise<void> {
    this.#store = store
    this.#unsubscribe = store.subscribe((change) => this.#onChange(change))
    await this.reload()
    let running = false
    let warnedAt = -Infinity
    this.#timer = setInterval(() => {
      if (running) return
      running = true
      this.judgeAll()
        .catch((err: unknown) => {
          // At most once a minute: a store outage would otherwise log four times a second.
          if (performance.now() - warnedAt < 60_000) return
          warnedAt = performance.now()
          this.logger.warn({ err }, 'rollout judgement failed; retrying every 250 ms')
        })
        .finally(() => (running = false))
    }, this.options.intervalMs ?? JUDGE_INTERVAL_MS).unref()
  }

  /** Re-reads every rollout record (at start, after a missed notification, after an admin write). */
  async reload(): Promise<void> {
    const store = this.#requireStore()
    const revision = await store.revision()
    const records = await store.listRecords(ROLLOUTS_NAMESPACE)
    const seen = new Set<string>()
    for (const { key, value } of records) {
      seen.add(key)
      this.#applyStored(key, value, revision)
    }
    for (const key of [...this.#stored.keys()]) if (!seen.has(key)) this.#applyStored(key, null, revision)
    this.#lastRevision = Math.max(this.#lastRevision, revision)
  }

  #onChange(change: StateChange): void {
    const missed = change.revision > this.#lastRevision + 1 && this.#lastRevision > 0
    this.#lastRevision = Math.max(this.#lastRevision, change.revision)
    for (const item of change.items) {
      if (item.kind === 'record' && item.namespace === ROLLOUTS_NAMESPACE) this.#applyStored(item.key, item.value, change.revision)
    }
    if (missed) void this.reload().catch((err: unknown) => this.logger.warn({ err }, 'rollout records could not be re-read'))
  }

  /** Applies `raw` unless a newer revision of the record was applied already (notifications and reads can cross). */
  #applyStored(id: string, raw: JsonObject | null, revision: number): void {
    const previous = this.#stored.get(id)
    if (previous !== undefined && previous.revision > revision) return
    this.#stored.set(id, { raw, revision })
    this.#cells.get(id)?.apply(raw)
  }

  /** One look at every running rollout; resolves when its decisions are written. */
  async judgeAll(): Promise<void> {
    for (const cell of this.#cells.values()) {
      const state = cell.judged()
      if (state === undefined) continue
      const { raw, record } = cell
      const stats = await this.#statsOf(cell)
      // The record may have moved while the statistics were read: judge it next time.
      if (cell.raw !== raw) continue
      const nowMs = this.#now()
      const judgement = judge(state, stats, cell.settings, nowMs)
      if (judgement.decision === 'hold') continue
      const next = nextRecord(record!, judgement.state, nowMs)
      const written = await this.#write(cell, raw, next, `rollout.auto-${judgement.decision}`, 'sluice', judgement.reasons.join('; ').slice(0, 1000), 'auto', judgement.decision)
      if (!written) continue
      const fields = { rollout: cell.id, decision: judgement.decision, step: cell.settings.steps[state.stepIndex]!.percent, reasons: judgement.reasons }
      if (judgement.decision === 'rollback') this.logger.warn(fields, 'rollout rolled back by itself')
      else this.logger.info(fields, judgement.decision === 'complete' ? 'rollout completed by itself' : 'rollout promoted by itself')
      if (judgement.decision !== 'promote') this.#alert(cell, next, judgement)
    }
  }

  /** An operator's action; resolves with the record written. Throws RolloutNotFound, RolloutActionError, or the store's errors (a conflict: retry). */
  async act(id: string, action: RolloutAction, actor: string, reason: string): Promise<RolloutRecord> {
    const cell = this.#cells.get(id)
    if (cell === undefined) throw new RolloutNotFound(`No rollout ${id}; configured: ${[...this.#cells.keys()].join(', ') || 'none'}.`)
    const raw = await this.#requireStore().getRecord(ROLLOUTS_NAMESPACE, id)
    const next = applyAction(parseRecord(raw), action, cell.settings, this.#now(), reason)
    await this.#write(cell, raw, next, `rollout.${action}`, actor, reason, 'manual', action, true)
    return next
  }

  /**
   * The writes activation sequence `sequence` makes to the rollouts configured to react to it
   * (`activation:`), each a compare-and-set on the record read now; actions that make no sense in a
   * rollout's state (starting a running one) are left out. The caller commits them with the flags.
   */
  async activationOps(sequence: string, actor: string, reason: string): Promise<{ ops: StateOp[]; actions: Record<string, RolloutAction> }> {
    const ops: StateOp[] = []
    const actions: Record<string, RolloutAction> = {}
    for (const cell of this.#cells.values()) {
      const action = Object.hasOwn(cell.config.activation, sequence) ? cell.config.activation[sequence] : undefined
      if (action === undefined) continue
      const raw = await this.#requireStore().getRecord(ROLLOUTS_NAMESPACE, cell.id)
      let next: RolloutRecord
      try {
        next = applyAction(parseRecord(raw), action, cell.settings, this.#now(), reason)
      } catch {
        continue
      }
      ops.push({ op: 'put-record', namespace: ROLLOUTS_NAMESPACE, key: cell.id, value: toJson(next), ifMatch: raw, actor, reason, action: `activation.${sequence}` })
      actions[cell.id] = action
    }
    return { ops, actions }
  }

  /** Counts the activation's actions once its transaction committed. */
  activated(actions: Readonly<Record<string, RolloutAction>>): void {
    for (const [id, action] of Object.entries(actions)) metrics.rolloutDecisions.labels(id, action, 'activation').inc()
  }

  ids(): string[] {
    return [...this.#cells.keys()]
  }

  async view(id: string): Promise<RolloutView | undefined> {
    const cell = this.#cells.get(id)
    if (cell === undefined) return undefined
    const stats = await this.#statsOf(cell)
    const state = cell.judged()
    const judgement = state === undefined ? undefined : judge(state, stats, cell.settings, this.#now())
    return { id, config: cell.config, record: cell.record, canaryPercent: cell.percent, stats, judgement }
  }

  async close(): Promise<void> {
    clearInterval(this.#timer)
    this.#unsubscribe?.()
  }

  async #statsOf(cell: Cell): Promise<RolloutStats> {
    if (cell.key === '') return { stable: armStats(undefined), canary: armStats(undefined) }
    const fields = await this.recorder.read(cell.key)
    return { stable: armStats(fields.get('stable')), canary: armStats(fields.get('canary')) }
  }

  /** Compare-and-set of `cell`'s record from `expected`; false when another writer got there first (re-read), unless `rethrow`. */
  async #write(cell: Cell, expected: JsonObject | null, next: RolloutRecord, action: string, actor: string, reason: string, by: string, decision: string, rethrow = false): Promise<boolean> {
    const store = this.#requireStore()
    const value = toJson(next)
    try {
      const { revision } = await store.transaction([{ op: 'put-record', namespace: ROLLOUTS_NAMESPACE, key: cell.id, value, ifMatch: expected, actor, reason, action }])
      this.#applyStored(cell.id, value, revision)
    } catch (err) {
      if (rethrow || (err as { code?: unknown }).code !== 'conflict') throw err
      await this.reload()
      return false
    }
    metrics.rolloutDecisions.labels(cell.id, decision, by).inc()
    return true
  }

  #alert(cell: Cell, record: RolloutRecord, judgement: Judgement): void {
    const type = judgement.decision === 'rollback' ? 'sluice.rollout.rolled-back' : 'sluice.rollout.completed'
    const { model, mount, stable, canary } = cell.config
    const event = {
      type,
      rollout: cell.id,
      model,
      mount: mount ?? null,
      stable: `${stable.provider}/${stable.model}`,
      canary: `${canary.provider}/${canary.model}`,
      step: cell.settings.steps[Math.min(record.stepIndex, cell.settings.steps.length - 1)]!.percent,
      reasons: judgement.reasons,
      at: new Date(record.updatedAtMs).toISOString(),
    }
    const delivery = { ...DEFAULT_DELIVERY, ...this.options.delivery }
    for (const hook of cell.config.alertWebhooks) {
      void deliverWebhook(hook.url, hook.headers, JSON.stringify(event), `${cell.id}:${record.run}:${judgement.decision}`, delivery).then((result) => {
        if (!result.delivered) this.logger.error({ rollout: cell.id, status: result.status, error: result.error }, 'rollout alert not delivered')
      })
    }
  }

  #requireStore(): StateStore {
    if (this.#store === undefined) throw new Error('rollouts are not started (no state store)')
    return this.#store
  }
}
