// The data plane's request pipeline, and the sole owner of step order (docs/lifecycle.md):
//   read body → 1 identify (operation, model, client, context, candidates) → 2–6 gates (registry
//   order, pipeline/gates.ts) → 7 steer (route plan) → 8–9 exchange (circuits, retries, fallbacks,
//   forward, through the client channel) → 10 settle (gate holds, metrics, decision record) →
//   11 shadow (mirrors off the response path, pipeline/mirror.ts).
// Each request's failure is its own: an exception ends that request with a dialect error.
import { randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import { authenticate } from '../auth/client-auth.js'
import type { ClientChannel, DataPlaneRequest, Sink } from '../core/channel.js'
import { sluiceError, type ErrorCode } from '../core/errors.js'
import { ownOutcome, type Outcome, type RequestFacts } from '../core/facts.js'
import type { Candidate, RoutePlan } from '../core/plan.js'
import type { Credit, Leg, Mount } from '../core/target.js'
import type { RequestTracer } from '../core/tracing.js'
import type { Dialect, NativeRequest } from '../core/wire.js'
import { DEFAULT_REGION } from '../providers/bedrock-auth.js'
import { adapters } from '../providers/index.js'
import { modelIdProblem } from '../providers/model-id.js'
import { jsonTooDeep, MAX_JSON_DEPTH } from '../providers/request.js'
import type { InFlight } from '../server/in-flight.js'
import { steer } from '../steering/plan.js'
import { sendError } from '../upstream/channel.js'
import { Exchange, type Legs } from '../upstream/exchange.js'
import { NativeLegs } from '../upstream/native-legs.js'
import { readBody, TOO_LARGE } from './body.js'
import { guessDialect } from './dialect.js'
import { mirror, shadowsFor } from './mirror.js'
import { GateRun } from './gates.js'
import { readSluiceHeaders } from './headers.js'
import { identifyNative, type Arrival } from './identify.js'
import { settle, type DecisionSink, type SettleTarget } from './settle.js'
import type { Snapshot } from './snapshot.js'
import { redactedLegs, startUnified, unifiedOperation, type UnifiedOperation } from './unified.js'

export interface DataPlaneDeps {
  /** The current config snapshot; read once per request. */
  snapshot(): Snapshot
  logger: Logger
  /** Where decision records go (log.ts `decisionSink`). */
  decisions: DecisionSink
  /** True once shutdown began. */
  draining(): boolean
  inFlight: InFlight
  /** Monotonic milliseconds. Default performance.now. */
  now?: () => number
  /** Wall-clock milliseconds (response timestamps). Default Date.now. */
  wallClock?: () => number
  /** In [0, 1): weighted choice and backoff jitter. Default Math.random. */
  random?: () => number
  /** Request tracing, present only when `telemetry.tracing.enabled` (src/telemetry/). */
  tracer?: RequestTracer
}

const defaultNow = (): number => performance.now()

/** The record of one request that metrics and the decision log read; `finish` settles it exactly once. */
class RequestRecord implements SettleTarget {
  readonly requestId = randomUUID()
  provider: string
  model = 'unknown'
  route: string
  facts: RequestFacts | undefined = undefined
  tags: Readonly<Record<string, string>> | undefined = undefined
  credit: Credit | undefined = undefined
  creditHead: Candidate | undefined = undefined
  gates: GateRun | undefined = undefined
  /** Kept for the tracer only (tracing on). */
  traceparent: string | string[] | undefined = undefined
  #settled = false

  constructor(
    private readonly deps: DataPlaneDeps,
    private readonly snapshot: Snapshot,
    readonly arrivedAt: number,
    mount: Mount | undefined,
  ) {
    this.provider = mount?.name ?? 'none'
    this.route = mount?.name ?? 'none'
  }

  finish(outcome: Outcome): void {
    if (this.#settled) return
    this.#settled = true
    this.deps.inFlight.leave()
    // Metrics and the decision record name who answered (a fallback, a downgrade), not who was asked.
    const served = outcome.served
    if (served !== undefined) {
      this.provider = served.target.mount.name
      this.model = served.operation.model
    }
    this.gates?.settle(outcome)
    settle(this.snapshot.config.log.decisions ? this.deps.decisions : undefined, this, outcome)
    const tracer = this.deps.tracer
    if (tracer !== undefined) tracer.request(this, outcome, performance.now())
  }
}

/** Runs one AI request through the pipeline; `mount` is undefined for the unified endpoint (or no match). */
export function runPipeline(
  deps: DataPlaneDeps,
  snapshot: Snapshot,
  mount: Mount | undefined,
  req: DataPlaneRequest,
  channel: ClientChannel,
  fullPath: string,
  query: string,
  arrivedAt: number,
): void {
  const record = new RequestRecord(deps, snapshot, arrivedAt, mount)
  if (deps.tracer !== undefined) record.traceparent = req.headers.traceparent
  deps.inFlight.enter()
  const unified = mount === undefined ? unifiedOperation(fullPath) : undefined
  const dialect = mount?.adapter ?? (unified ? adapters.openai : guessDialect(fullPath, req.headers))
  handle(deps, snapshot, mount, unified, dialect, req, channel, record, fullPath, query).catch((err: unknown) => {
    deps.logger.error({ err, requestId: record.requestId }, 'request handler failed')
    const error = sluiceError('SLUICE_ERR_INTERNAL', record.requestId)
    try {
      sendError(channel, dialect, error, 'error')
      record.finish(refusal(error.status, error.code))
    } catch (failed) {
      // Even the error answer failed: cut this connection; the process goes on.
      deps.logger.error({ err: failed, requestId: record.requestId }, 'answering a failed request failed')
      channel.fail()
    }
  })
}

async function handle(
  deps: DataPlaneDeps,
  snapshot: Snapshot,
  mount: Mount | undefined,
  unified: UnifiedOperation | undefined,
  dialect: Dialect,
  req: DataPlaneRequest,
  channel: ClientChannel,
  record: RequestRecord,
  fullPath: string,
  query: string,
): Promise<void> {
  const { requestId } = record
  const refuse = (code: ErrorCode, detail?: string, closeConnection = false, gate?: string, retryAfterSeconds?: number, extra?: Readonly<Record<string, string>>): void => {
    const error = { ...sluiceError(code, requestId, detail), retryAfterSeconds }
    const decision = gate !== undefined || error.status < 500 ? 'deny' : 'error'
    const own = record.facts?.responseHeaders
    const headers = own === undefined ? extra : extra === undefined ? own : { ...own, ...extra }
    sendError(channel, dialect, error, decision, closeConnection, headers)
    record.finish({ ...refusal(error.status, code), decision, gate })
  }

  if (mount === undefined && !unified) return refuse('SLUICE_ERR_ROUTE_NOT_FOUND', `Path: ${fullPath}`)
  // `.` and `..` segments (also percent-encoded) would move the request out of the endpoint's base
  // path upstream; no provider API has them.
  if (hasDotSegment(fullPath)) return refuse('SLUICE_ERR_PATH_INVALID', 'The path has a "." or ".." segment.')
  // Draining: requests on open connections are still served (a sidecar's app may be finishing
  // its own work), but HTTP/1.1 connections close after the response. HTTP/2 sessions got GOAWAY.
  if (deps.draining()) channel.closeAfter()
  const sluiceHeaders = readSluiceHeaders(req.headers)
  if (typeof sluiceHeaders === 'string') return refuse('SLUICE_ERR_HEADER_INVALID', sluiceHeaders)
  if (unified && req.method !== 'POST') return refuse('SLUICE_ERR_METHOD_NOT_ALLOWED', `${req.method} ${fullPath}`)

  let body: Buffer | typeof TOO_LARGE
  try {
    body = await readBody(req, snapshot.config.server.maxBodyBytes)
  } catch {
    // The client went away mid-upload; there is no one left to answer.
    return record.finish({ ...refusal(400, 'SLUICE_ERR_REQUEST_MALFORMED'), clientAborted: true })
  }
  if (body === TOO_LARGE) return refuse('SLUICE_ERR_REQUEST_TOO_LARGE', `Limit: ${snapshot.config.server.maxBodyBytes} bytes.`, true)
  // Bounded nesting before anything parses or re-serialises the body (a fallback's model rewrite,
  // a translation): past it a value could exhaust the stack far from this request's handler.
  if (jsonTooDeep(body)) return refuse('SLUICE_ERR_REQUEST_TOO_DEEP', `Limit: ${MAX_JSON_DEPTH} levels of objects and arrays.`)
  const now = deps.now ?? defaultNow
  const bodyReadAt = now()
  const clientRequest: NativeRequest = {
    method: req.method ?? 'GET',
    path: mount === undefined ? fullPath : fullPath.length === mount.prefix.length ? '/' : fullPath.slice(mount.prefix.length),
    query,
    headers: req.headers,
    body,
  }

  // 1. Identify: the operation and model, the client, the context, the candidates. A native request
  // is recognised first (a SigV4 check needs the body anyway); a unified one is authenticated
  // first, so a caller without a key learns nothing about the virtual models.
  const recognition = mount === undefined ? undefined : mount.adapter.recognise(clientRequest)
  if (recognition !== undefined) {
    if (!recognition.ok) return refuse(recognition.code, recognition.detail)
    // A model id reaches response headers, logs and counter keys: visible ASCII, bounded, or refused.
    // A model list names none (model ''); everything keyed on a model then matches nothing.
    const { operation } = recognition
    const badModel = operation.read === true && operation.model === '' ? undefined : modelIdProblem(operation.model)
    if (badModel !== undefined) return refuse('SLUICE_ERR_MODEL_INVALID', badModel)
    record.model = recognition.operation.model
  }
  // A mount without `region` signs upstream for DEFAULT_REGION, and is signed for it.
  const region = mount?.config.region ?? DEFAULT_REGION
  let auth = authenticate(snapshot, mount?.config.auth ?? snapshot.config.unified.auth, dialect, clientRequest, fullPath, region)
  if (auth instanceof Promise) auth = await auth
  if (!auth.ok) return refuse(auth.code, auth.detail === '' ? undefined : auth.detail)
  const arrival: Arrival = { requestId, arrivedAt: record.arrivedAt, bodyReadAt, client: auth.client, sluiceHeaders, environment: snapshot.environment }

  let facts: RequestFacts
  let legs: Legs
  let unifiedBody: Buffer | undefined
  if (recognition?.ok === true) {
    facts = identifyNative(snapshot, arrival, mount!, clientRequest, recognition.operation)
    legs = new NativeLegs(facts)
  } else {
    const started = startUnified(snapshot, arrival, unified!, body, deps.wallClock ?? Date.now)
    if (!started.ok) {
      if (started.model !== undefined) record.model = started.model
      return refuse(started.code, started.detail)
    }
    ;({ facts, legs, unifiedBody } = started)
    record.route = started.route
  }
  record.provider = facts.context.provider
  record.model = facts.context.model
  record.facts = facts

  // 2–6. Gates.
  const gates = new GateRun(snapshot, facts, deps.logger)
  record.gates = gates
  let result = gates.run()
  if (result instanceof Promise) result = await result
  if (result.kind === 'deny') {
    const { refusal: r, gate } = result
    return refuse(r.code, r.detail, false, gate, r.retryAfterSeconds, r.headers)
  }

  // A guardrail masked part of a unified request: every candidate gets the redacted body.
  if (facts.unifiedBody !== undefined && facts.unifiedBody !== unifiedBody) {
    const redacted = redactedLegs(snapshot, legs, facts.unifiedBody, requestId, deps.wallClock ?? Date.now)
    if ('code' in redacted) return refuse(redacted.code, redacted.detail)
    legs = redacted
  }

  // 7. Steer: a gate's plan stands (a budget downgrade); else the candidates become a plan.
  const random = deps.random ?? Math.random
  const plan: RoutePlan = result.route?.plan ?? steer(facts, random)
  record.tags = plan.tags
  if (plan.credit !== undefined) {
    record.credit = plan.credit
    record.creditHead = plan.candidates[0]
  }

  // 11. Shadow: which mirrors this request gets is decided now, with its context; they start
  // once its answer has ended (settled first), unless the client went away, and after the I/O
  // already waiting (setImmediate): other clients' requests are not held up by a mirror's setup.
  const mirrors = shadowsFor(snapshot, facts, facts.virtualModel?.name)
  const done =
    mirrors === undefined
      ? (outcome: Outcome) => record.finish(outcome)
      : (outcome: Outcome) => {
          record.finish(outcome)
          if (!outcome.clientAborted) setImmediate(() => mirror({ logger: deps.logger, now, random }, snapshot, facts, legs, outcome, mirrors))
        }

  // 8–9. Exchange; 10. settle when it is done.
  new Exchange({
    facts,
    plan,
    legs,
    channel,
    resilience: snapshot.config.resilience,
    logger: deps.logger,
    now,
    random,
    wrapSink: sinkWrapper(snapshot, facts),
    done,
    bytesPerToken: snapshot.config.budgets.estimate.bytesPerToken,
    logAttempts: deps.tracer !== undefined,
  }).start()
}

const DOT_SEGMENT = /(?:^|\/)(?:\.|%2e){1,2}(?:\/|$)/i

function hasDotSegment(path: string): boolean {
  return path.indexOf('.') !== -1 || path.indexOf('%') !== -1 ? DOT_SEGMENT.test(path) : false
}

const unwrapped = (sink: Sink): Sink => sink

/** The gates' response-side hooks around a committed sink, in gate order (the first gate outermost). */
function sinkWrapper(snapshot: Snapshot, facts: RequestFacts): (sink: Sink, leg: Leg) => Sink {
  let hooked = false
  for (const { gate } of snapshot.gates) if (gate.wrapSink !== undefined) hooked = true
  if (!hooked) return unwrapped
  return (sink, leg) => {
    let wrapped = sink
    for (let i = snapshot.gates.length - 1; i >= 0; i--) {
      const hook = snapshot.gates[i]!.gate.wrapSink
      if (hook !== undefined) wrapped = hook(wrapped, facts, leg)
    }
    return wrapped
  }
}

function refusal(status: number, code: ErrorCode): Outcome {
  return ownOutcome(status, code)
}
