// Entry point: load config, build the snapshot, start the data plane (HTTP/1.1 + h2c on one port)
// and the admin plane, watch the config, and drain on close. `sluice serve`, `sluice demo`,
// the tests and the benchmarks all start Sluice through `startSluice`.
import type { AddressInfo } from 'node:net'
import { dirname, resolve } from 'node:path'
import type { Logger } from 'pino'
import { loadConfigFile, parseConfig, formatProblem, type LoadResult } from './config/load.js'
import { createConfigWatcher } from './config/watch.js'
import type { Config } from './config/schema.js'
import { Runtime, RuntimeError } from './runtime/runtime.js'
import { EXPERIMENTS_NAMESPACE } from './steering/experiments/lifecycle.js'
import type { Snapshot } from './pipeline/snapshot.js'
import { buildAdmin } from './control/admin.js'
import type { ReloadStatus } from './control/context.js'
import { createLogger, decisionSink } from './log.js'
import { metrics } from './core/metrics.js'
import { createRequestHandler } from './routes/handler.js'
import { createDualServer } from './server/dual-protocol.js'
import { InFlight } from './server/in-flight.js'
import { createStore, type ChangeItem, type StateStore } from './state/index.js'
import { loadTracer } from './telemetry/tracer.js'

export interface StartOptions {
  /** YAML config file; watched for changes unless `watch` is false. */
  configPath?: string
  /** Config text instead of a file (demo, tests). */
  configText?: string
  /** Overlay under `environments:` to apply. */
  env?: string
  environ?: Record<string, string | undefined>
  logger?: Logger
  watch?: boolean
  /** Override `server.port` / `admin.port` (0 picks a free port). */
  dataPort?: number
  adminPort?: number
}

export interface Sluice {
  readonly dataUrl: string
  readonly adminUrl: string
  readonly store: StateStore
  snapshot(): Snapshot
  /** Re-reads the config file (what SIGHUP does). A failed reload keeps the last good config. */
  reload(): ReloadResult
  /** Stops accepting, lets in-flight requests finish up to `server.shutdownGraceMs`, then closes. */
  close(): Promise<void>
}

export type ReloadResult = { ok: true } | { ok: false; problems: string[] }

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid config:\n  ${problems.join('\n  ')}`)
  }
}

export async function startSluice(options: StartOptions): Promise<Sluice> {
  const environment = options.env ?? ''
  const loadOptions = { env: options.env, environ: options.environ ?? process.env }
  const load = (): LoadResult =>
    options.configPath !== undefined
      ? loadConfigFile(options.configPath, loadOptions)
      : parseConfig(options.configText ?? '{}', loadOptions)
  const initial = load()
  if (!initial.ok) throw new ConfigError(initial.problems.map(formatProblem))
  const config = withPorts(initial.config, options)
  const logger = options.logger ?? createLogger(config.log.level)
  const store = await createStore(config.state)

  // Every reload, of the config file or of a flag file it names, is counted, logged and shown in
  // /v1/status the same way (docs/config.md).
  let lastReload: ReloadStatus | undefined
  const accepted = (what: 'config' | 'flag files', changed: readonly string[]): void => {
    metrics.configReloads.labels('applied').inc()
    lastReload = { at: new Date().toISOString(), ok: true }
    logger.info({ changed }, `${what} reloaded`)
  }
  const reject = (problems: string[]): void => {
    metrics.configReloads.labels('rejected').inc()
    lastReload = { at: new Date().toISOString(), ok: false, problems }
    logger.error({ problems }, 'config reload rejected; the last good config keeps serving')
  }

  let runtime: Runtime
  try {
    runtime = await Runtime.create({
      config,
      environment,
      baseDir: options.configPath === undefined ? process.cwd() : dirname(resolve(options.configPath)),
      store,
      logger,
      watch: options.watch !== false,
      onFlagReload: (result) => (result.ok ? accepted('flag files', result.changedKeys) : reject(result.problems)),
    })
  } catch (err) {
    await store.close()
    throw err instanceof RuntimeError ? new ConfigError(err.problems) : err
  }
  // Tracing is read at startup only; off (the default), no OpenTelemetry module is even loaded.
  let tracer: Awaited<ReturnType<typeof loadTracer>>
  try {
    tracer = await loadTracer(config.telemetry.tracing, logger)
  } catch (err) {
    await runtime.close()
    await store.close()
    throw err
  }
  // Overrides, kill switches and experiment lifecycle records shape the snapshot; other records
  // (ledgers) do not. An empty change is a resync after a lost connection: reload everything.
  const shapesSnapshot = (item: ChangeItem): boolean => item.kind !== 'record' || item.namespace === EXPERIMENTS_NAMESPACE
  const unsubscribe = store.subscribe((change) => {
    if (change.items.length === 0 || change.items.some(shapesSnapshot)) void runtime.refreshFromStore()
  })

  let draining = false
  const inFlight = new InFlight()
  /** A config that loaded: the runtime checks it whole with its flag files and swaps it in, or refuses it. */
  const apply = (next: Readonly<Config>, changed: readonly string[]): ReloadResult => {
    const applied = runtime.applyConfig(withPorts(next, options))
    if (!applied.ok) {
      reject(applied.problems)
      return applied
    }
    logger.level = next.log.level
    accepted('config', changed)
    return applied
  }
  const snapshot = (): Snapshot => runtime.snapshot()

  const data = createDualServer(
    createRequestHandler({ snapshot, logger, decisions: decisionSink(logger), draining: () => draining, inFlight, ...(tracer === undefined ? {} : { tracer }) }),
    { ...config.server, onResetFlood: (remoteAddress) => logger.warn({ remoteAddress }, 'HTTP/2 reset flood: session closed with GOAWAY ENHANCE_YOUR_CALM') },
  )
  data.http1.on('clientError', (err, socket) => {
    metrics.clientErrors.inc()
    if (socket.writable) socket.end(malformedHttpResponse(err.message))
    else socket.destroy()
  })
  const watcher =
    options.configPath !== undefined && options.watch !== false
      ? createConfigWatcher({
          path: options.configPath,
          ...loadOptions,
          // The watcher's baseline moves only when apply() accepts, so a refused config is
          // offered again on the next reload instead of passing for the one serving.
          current: initial.config,
          onChange: apply,
          onError: (problems) => reject(problems.map(formatProblem)),
        })
      : undefined
  const reload = (): ReloadResult => {
    if (watcher === undefined) {
      // Nothing watched, so no baseline: check the whole candidate and swap it in.
      const loaded = load()
      if (!loaded.ok) {
        const problems = loaded.problems.map(formatProblem)
        reject(problems)
        return { ok: false, problems }
      }
      return apply(loaded.config, ['(reload)'])
    }
    const result = watcher.reload() // reported through apply() / onError
    if (!result.ok) return { ok: false, problems: result.problems }
    // An applied config read its flag files with it; an unchanged one may name flag files that changed.
    return result.changedKeys.length > 0 ? { ok: true } : runtime.reloadFlagFiles()
  }
  const admin = buildAdmin({
    snapshot,
    store,
    refreshFromStore: () => runtime.refreshFromStore(),
    tryOverrides: (overrides) => runtime.tryOverrides(overrides),
    experiments: {
      stored: () => runtime.storedExperiments(),
      tryStored: (stored) => runtime.tryExperiments(stored),
    },
    rollouts: runtime.rollouts(),
    shadows: runtime.shadows(),
    reload,
    lastReload: () => lastReload,
    ready: () => !draining,
    startedAt: Date.now(),
  })

  let dataPort: number
  try {
    dataPort = await data.listen(config.server.port, config.server.host)
    await admin.listen({ port: config.admin.port, host: config.admin.host })
  } catch (err) {
    // A port in use: close what already started (the data server, the store, timers and
    // watchers), or it keeps the process alive after the caller has given up.
    watcher?.close()
    data.destroy()
    await data.close()
    await admin.close()
    unsubscribe()
    await runtime.close()
    await store.close()
    await tracer?.shutdown()
    throw err
  }
  const adminPort = (admin.server.address() as AddressInfo).port
  logger.info({ dataPort, adminPort, providers: snapshot().mounts.map((m) => `${m.name}=${m.prefix}`) }, 'sluice listening')

  return {
    dataUrl: `http://${urlHost(config.server.host)}:${dataPort}`,
    adminUrl: `http://${urlHost(config.admin.host)}:${adminPort}`,
    store,
    snapshot,
    reload,
    async close() {
      draining = true
      watcher?.close()
      const closed = data.close()
      const drained = await inFlight.idle(snapshot().config.server.shutdownGraceMs)
      if (!drained) logger.warn({ inFlight: inFlight.size }, 'shutdown deadline passed; closing remaining requests')
      data.destroy()
      await closed
      await Promise.all(snapshot().pools.map((pool) => pool.close()))
      await admin.close()
      unsubscribe()
      await runtime.close()
      await store.close()
      // Exports the spans still queued (every request has settled by now).
      await tracer?.shutdown()
      logger.flush()
    },
  }
}

function withPorts(config: Readonly<Config>, options: StartOptions): Readonly<Config> {
  if (options.dataPort === undefined && options.adminPort === undefined) return config
  return {
    ...config,
    server: { ...config.server, port: options.dataPort ?? config.server.port },
    admin: { ...config.admin, port: options.adminPort ?? config.admin.port },
  }
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1'
  return host.includes(':') ? `[${host}]` : host
}

/**
 * The HTTP parser rejected the request (bad header bytes, oversized head): no path or dialect is
 * known yet, so answer with the OpenAI-style shape most clients parse, carrying our code.
 */
function malformedHttpResponse(detail: string): string {
  const body = JSON.stringify({
    error: { message: `Malformed HTTP request: ${detail}`, type: 'invalid_request_error', code: 'SLUICE_ERR_HEADER_INVALID' },
  })
  return `HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`
}
