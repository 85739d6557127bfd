// Every Prometheus metric Sluice exports, declared once (docs/observability.md). Labels are bounded: provider
// and route names come from config, codes from errors.ts or HTTP statuses, and model names are
// capped per provider by `boundedModel` so a client inventing model ids cannot explode the series.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

export const registry = new Registry()
// The stock names (process_cpu_seconds_total, nodejs_heap_size_used_bytes …), unprefixed, so stock
// Node.js dashboards work; a prefix doubled them (sluice_process_process_cpu_seconds_total).
collectDefaultMetrics({ register: registry })

const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120]
const overheadBuckets = [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05]

export const metrics = {
  requests: new Counter({
    name: 'sluice_requests_total',
    help: 'Requests by provider, model, route, decision, HTTP status sent (0 when the client left first) and code (the SLUICE_ERR_* code, or none).',
    labelNames: ['provider', 'model', 'route', 'decision', 'status', 'code'] as const,
    registers: [registry],
    collect: flushLocalCounts,
  }),
  requestDuration: new Histogram({
    name: 'sluice_request_duration_seconds',
    help: 'Time from request arrival to the end of the response, streams included.',
    labelNames: ['provider', 'decision'] as const,
    buckets: latencyBuckets,
    registers: [registry],
  }),
  upstreamDuration: new Histogram({
    name: 'sluice_upstream_duration_seconds',
    help: 'Time from dispatching upstream to the end of the upstream response.',
    labelNames: ['provider'] as const,
    buckets: latencyBuckets,
    registers: [registry],
  }),
  timeToFirstToken: new Histogram({
    name: 'sluice_time_to_first_token_seconds',
    help: 'Streams only: time from dispatching upstream to the first event carrying output content (text or a tool-call delta).',
    labelNames: ['provider', 'model'] as const,
    buckets: latencyBuckets,
    registers: [registry],
  }),
  upstreamFirstByte: new Histogram({
    name: 'sluice_upstream_first_byte_seconds',
    help: 'Time from dispatching upstream to the first response body byte.',
    labelNames: ['provider', 'model'] as const,
    buckets: latencyBuckets,
    registers: [registry],
  }),
  // OpenTelemetry GenAI semantic conventions (gen_ai.client.*), in Prometheus form, beside the
  // sluice_* series: provider is the well-known gen_ai.provider.name, never a config name.
  genAiTokenUsage: new Histogram({
    name: 'gen_ai_client_token_usage',
    help: 'Tokens per upstream call (gen_ai.client.token.usage), by gen_ai_token_type input or output.',
    labelNames: ['gen_ai_operation_name', 'gen_ai_provider_name', 'gen_ai_request_model', 'gen_ai_token_type'] as const,
    // The conventions' advised boundaries.
    buckets: [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864],
    registers: [registry],
  }),
  genAiOperationDuration: new Histogram({
    name: 'gen_ai_client_operation_duration_seconds',
    help: 'Duration of upstream-answered calls (gen_ai.client.operation.duration); error_type is the SLUICE_ERR_* code or HTTP status of a failure, else "".',
    labelNames: ['gen_ai_operation_name', 'gen_ai_provider_name', 'gen_ai_request_model', 'error_type'] as const,
    buckets: [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92],
    registers: [registry],
  }),
  overhead: new Histogram({
    name: 'sluice_overhead_seconds',
    help: "Sluice's own pre-upstream work per request: from the request body being in hand to the first upstream dispatch (auth, gates, routing, signing); reading the body is not included.",
    labelNames: ['provider'] as const,
    buckets: overheadBuckets,
    registers: [registry],
  }),
  tokens: new Counter({
    name: 'sluice_tokens_total',
    help: 'Tokens reported by providers, by kind (input, output, cached, reasoning); estimated ones included (sluice_usage_estimated_total).',
    labelNames: ['provider', 'model', 'kind'] as const,
    registers: [registry],
    collect: flushLocalCounts,
  }),
  usageEstimated: new Counter({
    name: 'sluice_usage_estimated_total',
    help: 'Answered calls whose usage Sluice estimated because the answer stated none: reason not_reported (it ended without usage) or cut (it ended before its usage).',
    labelNames: ['provider', 'model', 'reason'] as const,
    registers: [registry],
    collect: flushLocalCounts,
  }),
  inFlight: new Gauge({
    name: 'sluice_in_flight_requests',
    help: 'Requests currently being handled on the data plane.',
    registers: [registry],
  }),
  configReloads: new Counter({
    name: 'sluice_config_reloads_total',
    help: 'Config reload attempts by result (applied, rejected).',
    labelNames: ['result'] as const,
    registers: [registry],
  }),
  flagEvaluations: new Counter({
    name: 'sluice_flag_evaluations_total',
    help: 'Flag evaluations by flag, variant and reason (unknown flag keys are counted as "(not found)").',
    labelNames: ['flag', 'variant', 'reason'] as const,
    registers: [registry],
    collect: flushLocalCounts,
  }),
  killSwitchesActive: new Gauge({
    name: 'sluice_kill_switches_active',
    help: 'Kill switches currently set, by scope (global = emergency shutdown).',
    labelNames: ['scope'] as const,
    registers: [registry],
  }),
  banditArmShare: new Gauge({
    name: 'sluice_bandit_arm_share',
    help: 'Each bandit arm\'s current chance of being picked (Thompson draws, the floor included), by virtual model and arm (target id, from config); refreshed at each statistics sync.',
    labelNames: ['model', 'arm'] as const,
    registers: [registry],
  }),
  denials: new Counter({
    name: 'sluice_denials_total',
    help: 'Requests refused by a gate, by gate and SLUICE_ERR_* code.',
    labelNames: ['gate', 'code'] as const,
    registers: [registry],
    collect: flushLocalCounts,
  }),
  rateLimitDecisions: new Counter({
    name: 'sluice_rate_limit_decisions_total',
    help: 'Rate-limit gate outcomes: allowed, denied, or would_block (monitor mode).',
    labelNames: ['result'] as const,
    registers: [registry],
    collect: flushLocalCounts,
  }),
  rateLimitBackendSwitches: new Counter({
    name: 'sluice_rate_limit_backend_switches_total',
    help: 'Switches of the shared rate limiter between Redis and its local fallback, by the backend switched to.',
    labelNames: ['backend'] as const,
    registers: [registry],
  }),
  budgetDecisions: new Counter({
    name: 'sluice_budget_decisions_total',
    help: 'Budget gate outcomes: allowed, denied, throttled, downgraded, or would_deny (monitor mode).',
    labelNames: ['result'] as const,
    registers: [registry],
    collect: flushLocalCounts,
  }),
  costUsd: new Counter({
    name: 'sluice_cost_usd_total',
    help: 'Settled cost of requests in USD (price table × usage), by provider.',
    labelNames: ['provider'] as const,
    registers: [registry],
    collect: flushLocalCounts,
  }),
  budgetSpendUsd: new Gauge({
    name: 'sluice_budget_spend_usd',
    help: 'Spend in the current window per budget (summed over its scopes), USD.',
    labelNames: ['budget'] as const,
    registers: [registry],
  }),
  budgetLimitUsd: new Gauge({
    name: 'sluice_budget_limit_usd',
    help: 'Limit per budget and scope value, USD.',
    labelNames: ['budget'] as const,
    registers: [registry],
  }),
  budgetAlerts: new Counter({
    name: 'sluice_budget_alerts_total',
    help: 'Budget threshold alerts by budget and webhook delivery result.',
    labelNames: ['budget', 'result'] as const,
    registers: [registry],
  }),
  gateErrors: new Counter({
    name: 'sluice_gate_errors_total',
    help: 'Gates that threw; their fail mode decided the request.',
    labelNames: ['gate', 'fail_mode'] as const,
    registers: [registry],
    collect: flushLocalCounts,
  }),
  clientErrors: new Counter({
    name: 'sluice_client_protocol_errors_total',
    help: 'Connections rejected by the HTTP parser before a request could be read.',
    registers: [registry],
  }),
  // Resilience (docs/resilience.md). `target` is a circuit id from config: `<provider>/<model>` or `<provider>/*`.
  circuitState: new Gauge({
    name: 'sluice_circuit_state',
    help: 'Circuit breaker state per upstream target: 0 closed, 1 half-open, 2 open.',
    labelNames: ['target'] as const,
    registers: [registry],
  }),
  circuitTransitions: new Counter({
    name: 'sluice_circuit_transitions_total',
    help: 'Circuit breaker state changes per upstream target, by the state entered (closed, half-open, open).',
    labelNames: ['target', 'to'] as const,
    registers: [registry],
  }),
  circuitRejections: new Counter({
    name: 'sluice_circuit_rejections_total',
    help: 'Attempts refused by a circuit: open, or half-open with its probe already out.',
    labelNames: ['target'] as const,
    registers: [registry],
  }),
  upstreamRetries: new Counter({
    name: 'sluice_upstream_retries_total',
    help: 'Extra upstream attempts on the same target before the first byte, by reason (5xx, 429, timeout, connection, circuit_open).',
    labelNames: ['provider', 'reason'] as const,
    registers: [registry],
    collect: flushLocalCounts,
  }),
  experimentAssignments: new Counter({
    name: 'sluice_experiment_assignments_total',
    help: 'Requests steered by a running experiment, by experiment and variant (both from config).',
    labelNames: ['experiment', 'variant'] as const,
    registers: [registry],
    collect: flushLocalCounts,
  }),
  experimentEvents: new Counter({
    name: 'sluice_experiment_events_total',
    help: 'Application events (POST /v1/events) by experiment (from config; `unknown` otherwise) and result: accepted, unknown_experiment, unknown_metric, unassigned, invalid.',
    labelNames: ['experiment', 'result'] as const,
    registers: [registry],
  }),
  rolloutStep: new Gauge({
    name: 'sluice_rollout_step',
    help: 'A rollout\'s current step, 1-based (0 before it starts, once stopped or rolled back), by rollout id (from config).',
    labelNames: ['rollout'] as const,
    registers: [registry],
  }),
  rolloutWeight: new Gauge({
    name: 'sluice_rollout_weight',
    help: 'The canary\'s share of the users in percent (0 when rolled back or stopped, 100 once complete), by rollout id.',
    labelNames: ['rollout'] as const,
    registers: [registry],
  }),
  rolloutDecisions: new Counter({
    name: 'sluice_rollout_decisions_total',
    help: 'Rollout transitions taken by this replica: decision start|promote|complete|rollback|pause|resume|stop; by auto|manual|activation.',
    labelNames: ['rollout', 'decision', 'by'] as const,
    registers: [registry],
  }),
  guardrailChecks: new Counter({
    name: 'sluice_guardrail_checks_total',
    help: 'Guardrail checks, one per detector per request side that ran it: detector (pii, credentials, injection, denyList, size), its configured action, the mode (log-only, block) and the outcome (pass, blocked, redacted, logged, would_block, would_redact, unreadable).',
    labelNames: ['detector', 'action', 'mode', 'outcome'] as const,
    registers: [registry],
    collect: flushLocalCounts,
  }),
  guardrailWouldBlock: new Counter({
    name: 'sluice_guardrail_would_block_total',
    help: 'Checks in log-only mode that block mode would have refused or ended, by detector and side.',
    labelNames: ['detector', 'side'] as const,
    registers: [registry],
    collect: flushLocalCounts,
  }),
  guardrailDuration: new Histogram({
    name: 'sluice_guardrail_detector_seconds',
    help: 'Time one detector spent on one request string, or all detectors on one answer (`all`), or the guard model\'s call (`model`), sampled: one in 64; request strings found in the scan cache are not timed.',
    labelNames: ['detector', 'side'] as const,
    buckets: [0.000005, 0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01],
    registers: [registry],
  }),
  shadowRequests: new Counter({
    name: 'sluice_shadow_requests_total',
    help: 'Sampled requests per shadow (id from config) by result: ok, error (no 2xx answer, a broken one, a timeout), or skipped as over_capacity, over_budget, untranslatable.',
    labelNames: ['shadow', 'result'] as const,
    registers: [registry],
  }),
  shadowCost: new Counter({
    name: 'sluice_shadow_cost_usd_total',
    help: 'Spend of mirrored calls in USD (price table), by shadow id.',
    labelNames: ['shadow'] as const,
    registers: [registry],
  }),
  experimentConclusions: new Counter({
    name: 'sluice_experiment_conclusions_total',
    help: 'Experiments concluded by themselves (autoConclude), by experiment and winning variant (both from config).',
    labelNames: ['experiment', 'winner'] as const,
    registers: [registry],
  }),
  fallbacks: new Counter({
    name: 'sluice_fallbacks_total',
    help: "Moves to a route's next target before the first byte, by reason (5xx, 429, timeout, connection, circuit_open).",
    labelNames: ['route', 'reason'] as const,
    registers: [registry],
    collect: flushLocalCounts,
  }),
}

/** Distinct model label values kept per provider; later ones are reported as `other`. */
const MODELS_PER_PROVIDER = 50
const modelsSeen = new Map<string, Set<string>>()

export function boundedModel(provider: string, model: string): string {
  let seen = modelsSeen.get(provider)
  if (seen === undefined) modelsSeen.set(provider, (seen = new Set()))
  if (seen.has(model)) return model
  if (seen.size >= MODELS_PER_PROVIDER) return 'other'
  seen.add(model)
  return model
}

/**
 * A counter child counted in a plain number and added to prom-client when the counter is collected
 * (a scrape, or a test reading it): prom-client hashes and validates the label object on every
 * `inc`, which several counters per request made a visible share of the request's CPU (docs/performance.md).
 */
export class LocalCount {
  #pending = 0
  /** `direct`: every `inc` goes straight to the child (past the cache cap, where nothing would flush it). */
  constructor(
    private readonly child: { inc(value: number): void },
    private readonly direct = false,
  ) {}

  inc(value = 1): void {
    // What prom-client would refuse (negative, NaN, infinite) goes straight to it, to throw there.
    if (!this.direct && value >= 0 && value < Infinity) this.#pending += value
    else this.child.inc(value)
  }

  /** Adds what was counted since the last flush to the prom-client child. */
  flush(): void {
    if (this.#pending === 0) return
    this.child.inc(this.#pending)
    this.#pending = 0
  }
}

const localCounts = new WeakMap<object, LocalCount[]>()

/** The `collect` of every counter used through `countedLabels`: flushes its local counts first. */
export function flushLocalCounts(this: object): void {
  for (const count of localCounts.get(this) ?? []) count.flush()
}

/**
 * `cachedLabels` for a counter declared with `collect: flushLocalCounts`: its children are
 * `LocalCount`s, flushed whenever the counter is collected. Past the cache cap a new label tuple
 * counts straight through prom-client.
 */
export function countedLabels(counter: Counter<string>, maxChildren = MAX_CACHED_CHILDREN): (...values: string[]) => LocalCount {
  if ((counter as unknown as { collect?: unknown }).collect !== flushLocalCounts) throw new Error("countedLabels needs a counter declared with collect: flushLocalCounts")
  let counts = localCounts.get(counter)
  if (counts === undefined) localCounts.set(counter, (counts = []))
  const list = counts
  return cachedLabels(
    {
      labels(...values: string[]): LocalCount {
        // cachedLabels keeps the first `maxChildren` tuples and asks again for every later one.
        if (list.length >= maxChildren) return new LocalCount(counter.labels(...values), true)
        const count = new LocalCount(counter.labels(...values))
        list.push(count)
        return count
      },
    },
    maxChildren,
  )
}

/** Hard stop per metric for `cachedLabels`; the bounded labels above stay far below it. */
const MAX_CACHED_CHILDREN = 5000

interface LabelNode<C> {
  child: C | undefined
  next: Map<string, LabelNode<C>> | undefined
}

/**
 * `metric.labels(...)` memoised per label values (docs/performance.md): prom-client builds a label object and
 * new bound functions on every call, several times per request in settle. One Map level per label,
 * so values are never joined (no string built per call, no separator that could collide). Labels
 * are bounded, so is the cache; past `maxChildren` distinct value tuples, further new ones are not
 * cached but still counted, straight through `metric.labels`.
 */
export function cachedLabels<C>(metric: { labels(...values: string[]): C }, maxChildren = MAX_CACHED_CHILDREN): (...values: string[]) => C {
  const root: LabelNode<C> = { child: undefined, next: undefined }
  let size = 0
  return (...values) => {
    let node: LabelNode<C> | undefined = root
    for (let i = 0; node !== undefined && i < values.length; i++) node = node.next?.get(values[i]!)
    if (node?.child !== undefined) return node.child
    const child = metric.labels(...values) // throws on a wrong label count before anything is stored
    if (size >= maxChildren) return child
    node = root
    for (const value of values) {
      let next: LabelNode<C> | undefined = node.next?.get(value)
      if (next === undefined) (node.next ??= new Map()).set(value, (next = { child: undefined, next: undefined }))
      node = next
    }
    node.child = child
    size++
    return child
  }
}
