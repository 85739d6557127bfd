// Circuit breakers per upstream target (docs/resilience.md): one opossum breaker per `<provider>/<model>` (or
// `<provider>/*`), shared by every route to it and kept across config reloads.
//
// opossum wants to own the call (`breaker.fire(fn)`); Sluice's forward loop owns its upstream calls
// and their timeouts, so each breaker wraps a fixed action whose promise is settled by hand through
// a ticket. `fire()` runs the action synchronously when it admits the call, so `acquire()` is
// synchronous too. opossum's counts and rules apply as they are, with two choices on top:
// - `errorFilter` holds `failOn`: an outcome not in it counts as a success (opossum's filter rule);
// - a circuit that closes (probe succeeded, operator reset, new settings) gets a fresh breaker, so
//   it starts with an empty window, as in Hystrix and resilience4j. opossum would keep the window,
//   where the rejects of the open spell dilute the error rate and stale failures re-trip it.
import CircuitBreaker from 'opossum'
import { metrics } from '../core/metrics.js'
import { FailureKinds, type CircuitBreakerGate, type CircuitTicket, type FailureKind } from '../core/target.js'
import type { CircuitBreakerConfig } from './schema.js'

export type CircuitState = 'closed' | 'open' | 'half-open'

/** The breaker settings of every circuit: `resilience.circuitBreaker` without `enabled`. */
export type CircuitSettings = Omit<CircuitBreakerConfig, 'enabled'>

export interface CircuitReport {
  readonly id: string
  readonly provider: string
  readonly model: string
  readonly state: CircuitState
  /** ISO time the circuit last opened, if open/half-open. */
  readonly openedAt?: string
  /** Seconds until a probe is let through; 0 while attempts are admitted (see `retryAfterSeconds`). */
  readonly retryAfterSeconds: number
  /**
   * The rolling window (`windowMs`) of the current breaker. `attempts` were admitted (settled or
   * still in flight); `successes` include failures whose kind is not in failOn; `rejects` were
   * refused while open.
   */
  readonly window: { readonly attempts: number; readonly failures: number; readonly successes: number; readonly rejects: number }
  readonly settings: CircuitSettings
}

/** Gauge value per state (`sluice_circuit_state`). */
const CIRCUIT_STATE_VALUE: Readonly<Record<CircuitState, number>> = { closed: 0, 'half-open': 1, open: 2 }

/** What a ticket rejects opossum's promise with. One frozen instance per kind: never thrown, no stack to capture per attempt. */
class AttemptFailure extends Error {
  constructor(readonly kind: FailureKind) {
    super(`upstream attempt failed: ${kind}`)
  }
}
const FAILURES = Object.fromEntries(FailureKinds.map((kind) => [kind, Object.freeze(new AttemptFailure(kind))])) as Record<FailureKind, AttemptFailure>

const ignore = (): void => {}
const ignoreTransition = (_circuit: Circuit, _to: CircuitState): void => {}

/** Admits an attempt that nothing counts: a circuit dropped by a reload while requests still held it. */
const UNCOUNTED: CircuitTicket = Object.freeze({ success: ignore, failure: ignore })

class Ticket implements CircuitTicket {
  #resolve: (() => void) | undefined
  #reject: ((failure: AttemptFailure) => void) | undefined

  constructor(resolve: () => void, reject: (failure: AttemptFailure) => void) {
    this.#resolve = resolve
    this.#reject = reject
  }

  success(): void {
    const resolve = this.#resolve
    this.#resolve = this.#reject = undefined
    resolve?.()
  }

  failure(kind: FailureKind): void {
    const reject = this.#reject
    this.#resolve = this.#reject = undefined
    reject?.(FAILURES[kind])
  }
}

const BREAKER_FIELDS = ['errorThresholdPercent', 'volumeThreshold', 'windowMs', 'windowBuckets', 'resetTimeoutMs'] as const

/** True when the opossum options would be the same; `failOn` is applied without a new breaker. */
const sameBreaker = (a: CircuitSettings, b: CircuitSettings): boolean => BREAKER_FIELDS.every((key) => a[key] === b[key])

// Registry-only operations, kept off the public surface.
const UPDATE = Symbol('update')
const SHUTDOWN = Symbol('shutdown')

/** One target's breaker. Created by `CircuitRegistry.circuit()`; the object lives as long as its target is configured. */
export class Circuit implements CircuitBreakerGate {
  readonly id: string
  readonly provider: string
  readonly model: string
  #settings: CircuitSettings
  #failOn: ReadonlySet<FailureKind>
  #breaker: CircuitBreaker<[], void>
  #state: CircuitState = 'closed'
  #openedAtMs: number | undefined
  #detached = false
  readonly #onTransition: (circuit: Circuit, to: CircuitState) => void
  // Set by the action while `fire()` runs; taken by `acquire()` right after.
  #resolve: (() => void) | undefined
  #reject: ((failure: AttemptFailure) => void) | undefined
  readonly #capture = (resolve: () => void, reject: (failure: AttemptFailure) => void): void => {
    this.#resolve = resolve
    this.#reject = reject
  }
  readonly #action = (): Promise<void> => new Promise<void>(this.#capture)
  /** opossum's errorFilter: true = "not the target's fault", counted as a success. */
  readonly #notCounted = (err: unknown): boolean => err instanceof AttemptFailure && !this.#failOn.has(err.kind)

  constructor(id: string, provider: string, model: string, settings: CircuitSettings, onTransition: (circuit: Circuit, to: CircuitState) => void) {
    this.id = id
    this.provider = provider
    this.model = model
    this.#settings = settings
    this.#failOn = new Set(settings.failOn)
    this.#onTransition = onTransition
    this.#breaker = this.#build()
    metrics.circuitState.labels(id).set(CIRCUIT_STATE_VALUE.closed)
  }

  /** Admits an attempt: a ticket, or undefined while open (or half-open with its single probe already out). Synchronous. */
  acquire(): CircuitTicket | undefined {
    if (this.#detached) return UNCOUNTED
    const breaker = this.#breaker
    if (!breaker.closed && !breaker.pendingClose) {
      breaker.fire().catch(ignore) // refused at once; opossum counts the reject in its window
      metrics.circuitRejections.labels(this.id).inc()
      return undefined
    }
    breaker.fire().catch(ignore) // the outcome reaches opossum through the ticket
    const resolve = this.#resolve
    const reject = this.#reject
    this.#resolve = this.#reject = undefined
    // Always set: opossum runs the action inside fire() when it admits (capacity is unbounded).
    return resolve === undefined || reject === undefined ? UNCOUNTED : new Ticket(resolve, reject)
  }

  get state(): CircuitState {
    return this.#state
  }

  /**
   * Whole seconds until the circuit admits again, for a `Retry-After`: ≥ 1 while open (the rest of
   * `resetTimeoutMs`), 1 while half-open with its probe out, 0 while attempts are admitted.
   */
  retryAfterSeconds(): number {
    if (this.#state === 'open') {
      const remainingMs = (this.#openedAtMs ?? Date.now()) + this.#settings.resetTimeoutMs - Date.now()
      return Math.max(1, Math.ceil(remainingMs / 1000))
    }
    return this.#state === 'half-open' && !this.#breaker.pendingClose ? 1 : 0
  }

  /** Operator reset: closed, counts cleared. Tickets already out no longer count. */
  reset(): void {
    if (this.#detached) return
    this.#replace()
  }

  report(): CircuitReport {
    const stats = this.#breaker.stats
    const openedAt = this.#state !== 'closed' && this.#openedAtMs !== undefined ? new Date(this.#openedAtMs).toISOString() : undefined
    return {
      id: this.id,
      provider: this.provider,
      model: this.model,
      state: this.#state,
      ...(openedAt === undefined ? {} : { openedAt }),
      retryAfterSeconds: this.retryAfterSeconds(),
      window: { attempts: stats.fires - stats.rejects, failures: stats.failures, successes: stats.successes, rejects: stats.rejects },
      settings: { ...this.#settings, failOn: [...this.#settings.failOn] },
    }
  }

  /** New settings; a different breaker (any field but failOn) starts over closed. */
  [UPDATE](settings: CircuitSettings): void {
    const rebuild = !sameBreaker(this.#settings, settings)
    this.#settings = settings
    this.#failOn = new Set(settings.failOn)
    if (rebuild) this.#replace()
  }

  /** Stops the breaker's timers; the circuit admits everything uncounted from now on. */
  [SHUTDOWN](): void {
    this.#detached = true
    this.#breaker.shutdown()
  }

  #build(): CircuitBreaker<[], void> {
    const s = this.#settings
    const breaker = new CircuitBreaker<[], void>(this.#action, {
      name: this.id,
      timeout: false, // Sluice times its upstream calls itself (connect, first byte, idle)
      errorThresholdPercentage: s.errorThresholdPercent,
      volumeThreshold: s.volumeThreshold,
      resetTimeout: s.resetTimeoutMs,
      rollingCountTimeout: s.windowMs,
      rollingCountBuckets: s.windowBuckets,
      rollingPercentilesEnabled: false,
      enableSnapshots: false,
      errorFilter: this.#notCounted,
    })
    // A replaced breaker is shut down, which drops these listeners: stale tickets move nothing.
    breaker.on('open', () => {
      this.#openedAtMs = Date.now()
      this.#enter('open')
    })
    breaker.on('halfOpen', () => this.#enter('half-open'))
    breaker.on('close', () => this.#replace())
    return breaker
  }

  /** A fresh closed breaker with an empty window; the old one is shut down (its timers cleared). */
  #replace(): void {
    const old = this.#breaker
    this.#breaker = this.#build()
    old.shutdown()
    this.#openedAtMs = undefined
    this.#enter('closed')
  }

  #enter(to: CircuitState): void {
    if (to === this.#state) return
    this.#state = to
    metrics.circuitState.labels(this.id).set(CIRCUIT_STATE_VALUE[to])
    metrics.circuitTransitions.labels(this.id, to).inc()
    try {
      this.#onTransition(this, to)
    } catch {
      // An observer (a log line) must not break the breaker: this runs inside opossum's promise chain.
    }
  }
}

export interface CircuitRegistryOptions {
  /** Called on every state change (after metrics are updated). Default: nothing. */
  readonly onTransition?: (circuit: Circuit, to: CircuitState) => void
}

/** Every target's circuit, created on first use and carried across config reloads. */
export class CircuitRegistry {
  readonly #circuits = new Map<string, Circuit>()
  /** Undefined while breakers are disabled (or before the first `configure`). */
  #settings: CircuitSettings | undefined
  readonly #onTransition: (circuit: Circuit, to: CircuitState) => void

  constructor(options: CircuitRegistryOptions = {}) {
    this.#onTransition = options.onTransition ?? ignoreTransition
  }

  get enabled(): boolean {
    return this.#settings !== undefined
  }

  /** New settings from a (re)loaded config. Circuits whose settings did not change keep their state; others are rebuilt. */
  configure(config: CircuitBreakerConfig): void {
    const { enabled, ...settings } = config
    if (!enabled) {
      this.#settings = undefined
      this.retain(new Set())
      return
    }
    const next: CircuitSettings = Object.freeze({ ...settings, failOn: Object.freeze([...settings.failOn]) as FailureKind[] })
    this.#settings = next
    for (const circuit of this.#circuits.values()) circuit[UPDATE](next)
  }

  /** Get-or-create the circuit with this id (`<provider>/<model>`, or `<provider>/*` for a provider-wide one). Undefined when breakers are disabled. */
  circuit(id: string, provider: string, model: string): Circuit | undefined {
    const settings = this.#settings
    if (settings === undefined) return undefined
    let circuit = this.#circuits.get(id)
    if (circuit === undefined) {
      circuit = new Circuit(id, provider, model, settings, this.#onTransition)
      this.#circuits.set(id, circuit)
    }
    return circuit
  }

  /** Shut down and forget circuits whose id is not in `ids` (targets removed by a reload). */
  retain(ids: ReadonlySet<string>): void {
    for (const [id, circuit] of this.#circuits) {
      if (ids.has(id)) continue
      circuit[SHUTDOWN]()
      this.#circuits.delete(id)
      metrics.circuitState.remove(id)
    }
  }

  find(id: string): Circuit | undefined {
    return this.#circuits.get(id)
  }

  /** Every circuit's report, by id. */
  list(): CircuitReport[] {
    return [...this.#circuits.values()].map((c) => c.report()).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  }

  /** Shut every breaker down (timers). Metrics keep their last values; `circuit()` answers undefined afterwards. */
  close(): void {
    for (const circuit of this.#circuits.values()) circuit[SHUTDOWN]()
    this.#circuits.clear()
    this.#settings = undefined
  }
}
