// The control plane's builder of snapshots. It holds every input a snapshot is made of — the
// config, the flag files, runtime overrides and kill switches from the state store — and on any
// change compiles the flags again and swaps in a new frozen snapshot. A change that does not
// compile is refused whole, and the last good snapshot keeps serving (docs/flags.md, docs/config.md).
//
// Reloads take one path: a candidate config is checked with the flag files it names, read now,
// and its flags compiled with the overrides (`applyConfig`); a flag-file change is compiled with
// the serving config the same way. Only a candidate that passes whole is swapped in, and what
// serves is the baseline every later change is judged against.
import type { Applied } from '../core/problems.js'
import type { Logger } from 'pino'
import {
  builtinFlags,
  changedFlagKeys,
  compileFlagSet,
  killSwitchFlags,
  loadFlagSources,
  providerFlags,
  watchFlagSources,
  type CompileResult,
  type FlagSource,
  type FlagSourceWatcher,
} from '../flags/index.js'
import { metrics } from '../core/metrics.js'
import { killScopes, type JsonObject, type KillSwitch, type StateStore } from '../state/index.js'
import type { Redis } from 'ioredis'
import { connectRateLimitRedis, createRateLimiter, type RateLimiter } from '../gates/rate-limit/index.js'
import { Budgets } from '../gates/budget/runtime.js'
import type { Config } from '../config/schema.js'
import { experimentProblems } from '../steering/experiments/semantic.js'
import { rolloutProblems } from '../steering/rollouts/semantic.js'
import { formatProblem } from '../core/problems.js'
import { compileExperimentTargeting } from './experiments.js'
import { EXPERIMENTS_NAMESPACE, parseStored, withStoredExperiments, type StoredExperiment } from '../steering/experiments/lifecycle.js'
import { startOutcomes, type Outcomes } from './outcomes.js'
import type { Rollouts } from './rollouts.js'
import type { Shadows } from './shadows.js'
import { banditProblems } from './bandits.js'
import { AUTO_CONCLUDE_INTERVAL_MS, autoConclude } from './auto-conclude.js'
import { buildSnapshot, retiredPools } from './snapshot.js'
import { GATES, unknownGateNames } from '../gates/registry.js'
import { type Snapshot } from '../pipeline/snapshot.js'
import { CircuitRegistry } from '../resilience/circuits.js'
import { watchFiles, type FileWatch } from '../config/file-watch.js'
import type { DenyEntries } from '../gates/guardrails/compile.js'
import { denyFilePath, guardrailsFor, readDenyFile } from './guardrails.js'

export interface RuntimeOptions {
  readonly config: Readonly<Config>
  readonly environment: string
  /** flagSources are relative to this directory (the config file's). */
  readonly baseDir: string
  readonly store: StateStore
  readonly logger: Logger
  /** Watch flag files for changes. */
  readonly watch: boolean
  /**
   * Told of every flag-file reload that changed the flags or was refused: a file event, or
   * `reloadFlagFiles`. Default: logged.
   */
  readonly onFlagReload?: (result: FlagReload) => void
}

export type { Applied }

/** A flag-file reload: applied with the flag keys it changed, or refused. */
export type FlagReload = { ok: true; changedKeys: string[] } | { ok: false; problems: string[] }

/** A config with the flag files it names and its compiled flags; what a reload swaps in whole. */
export type ConfigCandidate = Extract<CompileResult, { ok: true }> & { sources: FlagSource[]; denyEntries: DenyEntries }

/**
 * What the schema and semantic checks (config/load.ts) cannot see, checked before anything swaps
 * and by `sluice validate`: `gates:` names registered gates, and the flag files the config names,
 * read now, compile together with its inline flags (and the store's overrides when serving).
 */
export function checkCandidate(
  config: Readonly<Config>,
  baseDir: string,
  overrides: Readonly<Record<string, JsonObject>> = {},
): ConfigCandidate | { ok: false; problems: string[] } {
  const unknown = unknownGateNames(config.gates)
  if (unknown.length > 0) {
    const known = GATES.map((g) => g.name).join(', ')
    return { ok: false, problems: unknown.map((name) => `gates.${name}: no such gate (the gates are ${known})`) }
  }
  // Stored lifecycle changes are folded in before this (Runtime), so they are checked with the file.
  const experiments = [...experimentProblems(config), ...banditProblems(config)].map(formatProblem)
  if (experiments.length > 0) return { ok: false, problems: experiments }
  const targeting = compileExperimentTargeting(config)
  if (!targeting.ok) return targeting
  const files = loadFlagSources(config.flagSources, baseDir)
  if (!files.ok) return files
  const deny = readDenyFile(denyFilePath(config, baseDir))
  if (!deny.ok) return deny
  const compiled = compileConfigFlags(config, files.sources, overrides)
  return compiled.ok ? { ...compiled, sources: files.sources, denyEntries: deny.entries } : compiled
}

export class Runtime {
  #config: Readonly<Config>
  #fileSources: FlagSource[] = []
  #overrides: Record<string, JsonObject> = {}
  #killSwitches: readonly KillSwitch[] = []
  #storedExperiments: ReadonlyMap<string, StoredExperiment> = new Map()
  #outcomes: Outcomes | undefined
  #concluder: NodeJS.Timeout | undefined
  #snapshot: Snapshot | undefined
  #watcher: FlagSourceWatcher | undefined
  #denyEntries: DenyEntries = { words: [], patterns: [] }
  #denyWatch: { path: string; watch: FileWatch } | undefined
  #budgets: Budgets | undefined
  /** Circuit state outlives snapshots and reloads (a circuit is rebuilt only when its settings change). */
  readonly #circuits: CircuitRegistry
  /** Kept across reloads while its settings are unchanged, so counters survive a config edit. */
  #limiter: { settings: string; limiter: RateLimiter; redis: Redis | undefined } | undefined

  private constructor(private readonly options: RuntimeOptions) {
    this.#config = options.config
    this.#circuits = new CircuitRegistry({
      onTransition: (circuit, to) => options.logger.warn({ circuit: circuit.id, state: to }, 'circuit breaker changed state'),
    })
  }

  /** Loads flag files and the store's overrides and switches; throws with every problem if they do not compile. */
  static async create(options: RuntimeOptions): Promise<Runtime> {
    const runtime = new Runtime(options)
    await runtime.#readStore()
    const candidate = runtime.#candidate(options.config)
    if (!candidate.ok) throw new RuntimeError(candidate.problems)
    runtime.#budgets = await Budgets.start(options.config, options.store, options.logger)
    runtime.#outcomes = await startOutcomes(options.config, options.store, options.logger)
    runtime.#swap(options.config, candidate)
    await runtime.#outcomes.hooks.rollouts.start(options.store)
    runtime.#watchFlags()
    runtime.#watchDenyFile()
    runtime.#startConcluder()
    return runtime
  }

  snapshot(): Snapshot {
    return this.#snapshot!
  }

  /**
   * A new config (reload). Its flag files are read now, even when `flagSources` is unchanged, so
   * the config and the files as they are on disk pass or fail together; its inline flags and
   * providers change the flag set too. Nothing is swapped unless all of it compiles.
   */
  applyConfig(config: Readonly<Config>): Applied {
    const candidate = this.#candidate(config)
    if (!candidate.ok) return candidate
    const filesMoved = JSON.stringify(config.flagSources) !== JSON.stringify(this.#config.flagSources)
    this.#swap(config, candidate)
    if (filesMoved) this.#watchFlags()
    this.#watchDenyFile()
    return { ok: true }
  }

  /**
   * Re-reads the serving config's flag files now (SIGHUP when the config file itself is
   * unchanged) and swaps them in if they compile and change the flags; reported to
   * `onFlagReload` like a file event.
   */
  reloadFlagFiles(): Applied {
    const candidate = this.#candidate(this.#config)
    if (!candidate.ok) {
      this.#reportFlags(candidate)
      return candidate
    }
    const serving = this.snapshot().flags
    if (candidate.flagSet.revision === serving.revision) return { ok: true }
    this.#swap(this.#config, candidate)
    this.#reportFlags({ ok: true, changedKeys: changedFlagKeys(serving, candidate.flagSet) })
    return { ok: true }
  }

  /**
   * Re-reads overrides and kill switches from the store (after an admin change, or a change
   * notification from another replica). Kill switches always apply; if the overrides no longer
   * compile, the previous flag set stays and the problems are returned.
   */
  async refreshFromStore(): Promise<Applied> {
    const previousOverrides = this.#overrides
    const previousExperiments = this.#storedExperiments
    await this.#readStore()
    const refused = this.tryExperiments(this.#storedExperiments)
    if (!refused.ok) {
      // A replica wrote lifecycle changes this config cannot run (its own file differs): keep ours.
      this.options.logger.error({ problems: refused.problems }, 'stored experiment changes do not fit this config; keeping the previous ones')
      this.#storedExperiments = previousExperiments
    }
    const compiled = this.#compile(this.#config, this.#fileSources)
    if (compiled.ok) {
      this.#install(this.#config, compiled)
      return { ok: true }
    }
    this.#overrides = previousOverrides
    this.#install(this.#config, { ok: true, flagSet: this.snapshot().flags, warnings: [] })
    this.options.logger.error({ problems: compiled.problems }, 'stored flag overrides do not compile; keeping the previous flags')
    return compiled
  }

  /** Whether the serving config would accept these lifecycle records (to validate an admin change first). */
  tryExperiments(stored: ReadonlyMap<string, StoredExperiment>): Applied {
    const config = withStoredExperiments(this.#config, stored)
    const problems = [...experimentProblems(config), ...rolloutProblems(config)].map(formatProblem)
    if (problems.length > 0) return { ok: false, problems }
    const targeting = compileExperimentTargeting(config)
    return targeting.ok ? { ok: true } : targeting
  }

  /** The canary rollouts' live state and actions. */
  rollouts(): Rollouts {
    return this.#outcomes!.hooks.rollouts
  }

  /** The shadows' summaries. */
  shadows(): Shadows {
    return this.#outcomes!.hooks.shadows
  }

  /** The lifecycle records read from the store, by experiment key. */
  storedExperiments(): ReadonlyMap<string, StoredExperiment> {
    return this.#storedExperiments
  }

  /** The flag set that `overrides` would produce, without installing it (to validate an admin change). */
  tryOverrides(overrides: Record<string, JsonObject>): CompileResult {
    return compileConfigFlags(this.#config, this.#fileSources, overrides)
  }

  #startConcluder(): void {
    let running = false
    const deps = { snapshot: () => this.snapshot(), store: this.options.store, logger: this.options.logger, refresh: () => this.refreshFromStore() }
    this.#concluder = setInterval(() => {
      if (running) return
      running = true
      autoConclude(deps)
        .catch((err: unknown) => this.options.logger.warn({ err }, 'auto-conclusion check failed; retrying'))
        .finally(() => (running = false))
    }, AUTO_CONCLUDE_INTERVAL_MS).unref()
  }

  async close(): Promise<void> {
    clearInterval(this.#concluder)
    this.#watcher?.close()
    this.#denyWatch?.watch.close()
    this.#limiter?.redis?.disconnect()
    await this.#budgets?.stop()
    await this.#outcomes?.close()
    this.#circuits.close()
  }

  async #readStore(): Promise<void> {
    const { store } = this.options
    const [overrides, killSwitches, experiments] = await Promise.all([store.listOverrides(), store.listKillSwitches(), store.listRecords(EXPERIMENTS_NAMESPACE)])
    this.#overrides = Object.fromEntries(overrides.map((o) => [o.key, o.definition]))
    this.#killSwitches = killSwitches
    const stored = new Map<string, StoredExperiment>()
    for (const { key, value } of experiments) {
      const parsed = parseStored(value)
      if (parsed !== undefined) stored.set(key, parsed)
    }
    this.#storedExperiments = stored
  }

  #compile(config: Readonly<Config>, files: readonly FlagSource[]): CompileResult {
    return compileConfigFlags(config, files, this.#overrides)
  }

  #candidate(config: Readonly<Config>): ConfigCandidate | { ok: false; problems: string[] } {
    return checkCandidate(withStoredExperiments(config, this.#storedExperiments), this.options.baseDir, this.#overrides)
  }

  /** Where a reload takes effect: the snapshot, and the inputs later changes are compiled with, move together. */
  #swap(config: Readonly<Config>, candidate: ConfigCandidate): void {
    this.#denyEntries = candidate.denyEntries
    this.#install(config, candidate)
    this.#fileSources = candidate.sources
  }

  #reportFlags(result: FlagReload): void {
    if (this.options.onFlagReload !== undefined) return this.options.onFlagReload(result)
    const { logger } = this.options
    if (result.ok) logger.info({ changed: result.changedKeys }, 'flag files reloaded')
    else logger.error({ problems: result.problems }, 'flag files refused; the last good flags keep serving')
  }

  #install(config: Readonly<Config>, compiled: Extract<CompileResult, { ok: true }>): void {
    for (const warning of compiled.warnings) this.options.logger.warn({ warning }, 'flags')
    const previous = this.#snapshot
    const rateLimiter = this.#rateLimiterFor(config)
    const budgets = this.#budgets?.reconfigure(config)
    this.#circuits.configure(config.resilience.circuitBreaker)
    const experiments = this.#outcomes!.hooks
    const guardrails = guardrailsFor(config, this.#denyEntries)
    const control = { flags: compiled.flagSet, killSwitches: this.#killSwitches, rateLimiter, budgets, circuits: this.#circuits, experiments, guardrails, logger: this.options.logger }
    this.#snapshot = buildSnapshot(withStoredExperiments(config, this.#storedExperiments), this.options.environment, control, previous)
    // Only once built: the config later flag changes compile with is the one serving.
    this.#config = config
    if (previous !== undefined) for (const pool of retiredPools(previous, this.#snapshot)) void pool.close()
    for (const scope of killScopes) metrics.killSwitchesActive.labels(scope).set(this.#killSwitches.filter((k) => k.scope === scope).length)
  }

  /** Shared through Redis when the state store is Redis (with a local fallback), else in-process. */
  #rateLimiterFor(config: Readonly<Config>): RateLimiter | undefined {
    const redisUrl = config.state.store === 'redis' ? config.state.redis?.url : undefined
    const settings = JSON.stringify([config.rateLimits, redisUrl])
    if (this.#limiter?.settings === settings) return this.#limiter.limiter
    this.#limiter?.redis?.disconnect()
    this.#limiter = undefined
    if (config.rateLimits.rules.length === 0) return undefined
    const { logger } = this.options
    const redis = redisUrl === undefined ? undefined : connectRateLimitRedis(redisUrl, config.rateLimits.redis)
    const limiter = createRateLimiter(config.rateLimits, redis, {
      onSwitch: (to, err) => {
        metrics.rateLimitBackendSwitches.labels(to).inc()
        logger.warn({ backend: to, err }, 'rate limiter switched backend')
      },
      onSettleError: (err) => logger.warn({ err }, 'rate limit settle failed'),
    })
    this.#limiter = { settings, limiter, redis }
    return limiter
  }

  /** Watches the deny-list file the serving config names; a change that reads well swaps in a new snapshot. */
  #watchDenyFile(): void {
    const path = denyFilePath(this.#config, this.options.baseDir)
    if (this.#denyWatch?.path === path) return
    this.#denyWatch?.watch.close()
    this.#denyWatch = undefined
    if (!this.options.watch || path === undefined) return
    const { logger } = this.options
    const watch = watchFiles({
      files: [path],
      onChange: () => {
        const read = readDenyFile(path)
        if (!read.ok) return logger.error({ problems: read.problems }, 'deny-list file refused; the last good entries keep serving')
        this.#denyEntries = read.entries
        this.#install(this.#config, { ok: true, flagSet: this.snapshot().flags, warnings: [] })
        logger.info({ path, words: read.entries.words.length, patterns: read.entries.patterns.length }, 'deny-list file reloaded')
      },
      onError: (problem) => logger.warn({ problem }, 'deny-list file watch failed'),
    })
    this.#denyWatch = { path, watch }
  }

  #watchFlags(): void {
    this.#watcher?.close()
    this.#watcher = undefined
    if (!this.options.watch || this.#config.flagSources.length === 0) return
    this.#watcher = watchFlagSources({
      paths: this.#config.flagSources,
      baseDir: this.options.baseDir,
      // Config reloads and overrides change the flags too: judge each change against what serves.
      current: () => this.snapshot().flags,
      compile: (sources) => this.#compile(this.#config, sources),
      onChange: (flagSet, changedKeys, warnings, sources) => {
        this.#swap(this.#config, { ok: true, flagSet, warnings, sources, denyEntries: this.#denyEntries })
        this.#reportFlags({ ok: true, changedKeys })
      },
      onError: (problems) => this.#reportFlags({ ok: false, problems }),
    })
  }
}

/**
 * The flag set of a config: built-ins (with a switch per provider and route) < flag files and
 * inline `flags:` < runtime overrides. `sluice validate` uses it without overrides.
 */
export function compileConfigFlags(
  config: Readonly<Config>,
  files: readonly FlagSource[],
  overrides: Readonly<Record<string, JsonObject>> = {},
): CompileResult {
  const names = Object.keys(config.providers)
  const builtins = { ...builtinFlags(), ...providerFlags(names), ...killSwitchFlags({ provider: names, route: names }) }
  return compileFlagSet([...files, { source: 'config flags', document: { flags: config.flags } }], overrides, { builtins })
}

export class RuntimeError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid flags:\n  ${problems.join('\n  ')}`)
  }
}
