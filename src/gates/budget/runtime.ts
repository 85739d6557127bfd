// The running budget machinery of one Sluice: the ledger (kept across config reloads so reserved
// and synced spend survive an edit), the price table, the spend store it syncs to (Redis when the
// state store is Redis, else a sqlite file of its own, or memory), the crash journal beside it in
// `state.path` (sqlite and Redis) and the threshold actions.
import { Redis } from 'ioredis'
import type { Logger } from 'pino'
import { metrics } from '../../core/metrics.js'
import type { StateStore } from '../../core/store.js'
import { createActionRunner, type ActionRunner } from './actions.js'
import { Throttle, type BudgetRuntime } from './gate.js'
import { SpendJournal } from './journal.js'
import { BudgetLedger } from './ledger.js'
import { buildPriceTable, readShippedPrices, type PriceTable } from './prices.js'
import { createRedisSpendStore } from './redis-spend-store.js'
import { compileBudgets } from './scopes.js'
import { createSqliteSpendStore } from './sqlite-spend-store.js'
import type { ThresholdEvent } from './thresholds.js'
import type { BudgetsConfig, ThresholdAction } from './schema.js'

/** The parts of a config the budget machinery reads (the whole config satisfies it). */
export interface BudgetSettings {
  readonly state: { readonly store: 'sqlite' | 'memory' | 'redis'; readonly path: string; readonly redis?: { readonly url: string } }
  readonly budgets: BudgetsConfig
}

const METRICS_INTERVAL_MS = 5_000

/**
 * The crash journal lives in `state.path`: with sqlite beside budgets.db (required: the default
 * store promises no completed call's spend is lost), with Redis too when the directory is
 * writable (a replica restarted on the same disk then sends what it had not synced); the memory
 * store keeps nothing across a restart anyway.
 */
function openJournal(config: Readonly<BudgetSettings>, logger: Logger): SpendJournal | undefined {
  if (config.state.store === 'memory') return undefined
  const onError = (err: unknown): void => logger.error({ err }, 'budget journal write failed; a crash may lose spend not yet synced')
  if (config.state.store === 'sqlite') return SpendJournal.open(config.state.path, { onError })
  try {
    return SpendJournal.open(config.state.path, { onError })
  } catch (err) {
    logger.warn({ err, path: config.state.path }, 'no budget journal (state.path is not writable): a crash loses spend not yet sent to Redis')
    return undefined
  }
}

export class Budgets {
  #runner: ActionRunner
  #prices: PriceTable
  #config: Readonly<BudgetSettings>
  readonly #throttle = new Throttle()
  readonly #metricsTimer: NodeJS.Timeout

  private constructor(
    config: Readonly<BudgetSettings>,
    readonly ledger: BudgetLedger,
    private readonly store: StateStore,
    private readonly logger: Logger,
    private readonly closeSpendStore: () => void,
    private readonly journal: SpendJournal | undefined,
  ) {
    this.#config = config
    this.#prices = buildPriceTable(readShippedPrices(), config.budgets)
    this.#runner = this.#createRunner(config)
    this.#metricsTimer = setInterval(() => this.#exportMetrics(), METRICS_INTERVAL_MS).unref()
  }

  static async start(config: Readonly<BudgetSettings>, store: StateStore, logger: Logger): Promise<Budgets> {
    let closeSpendStore: () => void
    let spendStore
    const redisConfig = config.state.store === 'redis' ? config.state.redis : undefined
    const local = redisConfig === undefined
    if (!local) {
      // Fail fast while Redis is away: the ledger keeps spend locally and resends it later.
      const redis = new Redis(redisConfig.url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, lazyConnect: false })
      redis.on('error', () => undefined) // reported through the ledger's sync health, not as crashes
      spendStore = createRedisSpendStore(redis)
      closeSpendStore = () => redis.disconnect()
    } else {
      const sqlite = createSqliteSpendStore(config.state.store === 'sqlite' ? config.state.path : ':memory:')
      spendStore = sqlite
      closeSpendStore = () => sqlite.close()
    }
    const journal = openJournal(config, logger)
    let budgets: Budgets | undefined
    const ledger = new BudgetLedger({
      budgets: compileBudgets(config.budgets),
      store: spendStore,
      journal,
      localShareWhenStoreDown: config.budgets.sync.localShareWhenStoreDown,
      // No other replica reads a local store (sqlite or memory), and the journal already made each
      // settle durable: syncing after every settle (a sqlite commit per scope) would only bring
      // threshold events forward, so it happens after the settles that cross one.
      syncOnSettle: config.budgets.sync.onSettle && local ? 'crossing' : config.budgets.sync.onSettle,
      onThreshold: (event) => budgets?.onThreshold(event),
      onError: (err) => logger.warn({ err }, 'budget spend sync failed; deciding from local spend'),
    })
    budgets = new Budgets(config, ledger, store, logger, closeSpendStore, journal)
    await ledger.load(Date.now())
    ledger.start(config.budgets.sync.intervalMs)
    return budgets
  }

  /** The gate's view for a (new) config; undefined when no budget is configured. */
  reconfigure(config: Readonly<BudgetSettings>): BudgetRuntime | undefined {
    if (config !== this.#config) {
      this.#config = config
      this.#prices = buildPriceTable(readShippedPrices(), config.budgets)
      this.#runner = this.#createRunner(config)
      this.ledger.reconfigure(compileBudgets(config.budgets))
    }
    if (Object.keys(config.budgets.limits).length === 0) return undefined
    return { ledger: this.ledger, prices: this.#prices, estimate: config.budgets.estimate, throttle: this.#throttle }
  }

  async stop(): Promise<void> {
    clearInterval(this.#metricsTimer)
    await this.ledger.stop()
    this.closeSpendStore()
    this.journal?.close()
  }

  onThreshold(event: ThresholdEvent): void {
    this.logger.warn({ budget: event.budget, scope: event.scope, value: event.value, atPercent: event.atPercent }, 'budget threshold crossed')
    this.#runner.run(event).catch((err: unknown) => this.logger.error({ err }, 'budget action failed'))
  }

  #createRunner(config: Readonly<BudgetSettings>): ActionRunner {
    return createActionRunner({
      alerts: config.budgets.alerts,
      onAlert: (event, result) => {
        metrics.budgetAlerts.labels(event.budget, result.delivered ? 'delivered' : 'failed').inc()
        this.#audit(event, { action: 'alert' }, { url: result.url, delivered: result.delivered, attempts: result.attempts })
      },
      onAction: (event, action) => this.#act(event, action),
    })
  }

  /**
   * `throttle`, `downgrade` and `disable` take effect inside the ledger on every replica (it derives
   * them from spend); `shutdown` is the global kill switch, set once through the store.
   */
  #act(event: ThresholdEvent, action: ThresholdAction): void {
    this.#audit(event, action, null)
    if (action.action !== 'shutdown') return
    const reason = `budget ${event.budget} reached ${event.atPercent} % ($${event.spentUsd.toFixed(2)} of $${event.limitUsd.toFixed(2)})`
    this.store
      .putKillSwitch({ scope: 'global', target: '*', actor: 'budget', reason })
      .catch((err: unknown) => this.logger.error({ err }, 'budget shutdown could not set the global kill switch'))
  }

  #audit(event: ThresholdEvent, action: ThresholdAction, detail: Record<string, string | number | boolean> | null): void {
    this.store
      .appendAudit({
        actor: 'budget',
        action: `budget.${action.action}`,
        target: `${event.budget}/${event.value}`,
        before: null,
        after: { atPercent: event.atPercent, spentUsd: event.spentUsd, limitUsd: event.limitUsd, windowKey: event.windowKey, ...detail },
        reason: `budget ${event.budget} reached ${event.atPercent} % of its ${event.window} limit`,
      })
      .catch((err: unknown) => this.logger.error({ err }, 'budget audit failed'))
  }

  #exportMetrics(): void {
    const spend = new Map<string, number>()
    for (const scope of this.ledger.report(Date.now())) {
      spend.set(scope.budget, (spend.get(scope.budget) ?? 0) + scope.spentUsd)
      metrics.budgetLimitUsd.labels(scope.budget).set(scope.limitUsd)
    }
    for (const [budget, usd] of spend) metrics.budgetSpendUsd.labels(budget).set(usd)
  }
}
