// The data plane's request handler and the sole owner of step order (SPEC §5):
//   read body → identify (mount, operation, model, client, context) → gates (pipeline/gates.ts) → forward → settle.
// Gates run in the order pipeline/gates.ts declares; their leases settle with the request.
import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { Http2ServerRequest } from 'node:http2'
import type { Logger } from 'pino'
import { authenticate } from '../auth/client-auth.js'
import { findMount, type Mount, type Snapshot } from '../config/snapshot.js'
import { sluiceError, type ErrorCode } from '../errors.js'
import type { Denial, Lease } from '../gates/gate.js'
import { metrics } from '../metrics.js'
import type { InFlight } from '../server/in-flight.js'
import { GATES } from './gates.js'
import type { NativeRequest, Operation } from '../providers/adapter.js'
import { adapters } from '../providers/index.js'
import type { ClientConfig } from '../config/schema.js'
import { Exchange } from '../upstream/exchange.js'
import type { Leg } from '../upstream/attempt.js'
import { NativeRoute } from './native-route.js'
import { CHAT_COMPLETIONS, orderTargets, parseUnified, translate, UnifiedRoute, type UnifiedParse } from './unified-route.js'
import { readBody, TOO_LARGE } from './body.js'
import { buildContext, type EvaluationContext, type Outcome, type RequestFacts } from './facts.js'
import { guessAdapter, sendError, type Response } from './respond.js'
import { settle, type SettleTarget } from './settle.js'
import { checkSluiceHeaders } from './headers.js'
import { handleOfrep } from '../ofrep/handler.js'
import { handleModels, MODELS_PATH } from './models-endpoint.js'

export interface DataPlaneDeps {
  /** The current config snapshot; read once per request. */
  snapshot(): Snapshot
  logger: Logger
  /** Where decision records go (see log.ts `decisionLogger`). */
  decisions: Logger
  /** True once shutdown began. */
  draining(): boolean
  inFlight: InFlight
}

type Request = IncomingMessage | Http2ServerRequest

export function createRequestHandler(deps: DataPlaneDeps): (req: Request, res: Response) => void {
  return (req, res) => {
    const arrivedAt = performance.now()
    const snapshot = deps.snapshot()
    const url = req.url ?? '/'
    const q = url.indexOf('?')
    const fullPath = q === -1 ? url : url.slice(0, q)
    // OFREP is flag evaluation for applications, not AI traffic: no mount, gates or decision record.
    if (fullPath.startsWith('/ofrep/')) return handleOfrep(deps, snapshot, req, res, fullPath)
    if (fullPath === MODELS_PATH || fullPath.startsWith(`${MODELS_PATH}/`)) return handleModels(snapshot, req, res, fullPath)
    const mount = findMount(snapshot, fullPath)
    let settled = false
    const target: Target = {
      requestId: randomUUID(),
      arrivedAt,
      provider: mount?.name ?? 'none',
      model: 'unknown',
      route: mount?.name ?? 'none',
      facts: undefined,
      finish(outcome) {
        if (settled) return
        settled = true
        deps.inFlight.leave()
        // Metrics and the decision record name who answered (a fallback, a downgrade), not who was asked.
        const served = outcome.served
        if (served !== undefined) {
          target.provider = served.target.mount.name
          target.model = served.operation.model
        }
        const leases = target.facts?.leases
        if (leases !== undefined) for (const lease of leases) settleLease(deps.logger, lease, outcome, target.facts!)
        settle(snapshot.config.log.decisions ? deps.decisions : undefined, target, outcome)
      },
    }
    deps.inFlight.enter()
    handle(deps, snapshot, mount, req, res, target, fullPath, q === -1 ? '' : url.slice(q + 1)).catch((err: unknown) => {
      deps.logger.error({ err, requestId: target.requestId }, 'request handler failed')
      const error = sluiceError('SLUICE_ERR_INTERNAL', target.requestId)
      if (!res.headersSent) sendError(res, mount?.adapter ?? guessAdapter(fullPath, req.headers), error, 'error')
      else res.destroy()
      target.finish(refusal(error.status, error.code))
    })
  }
}

interface Target extends SettleTarget {
  provider: string
  model: string
  route: string
  facts: RequestFacts | undefined
  finish(outcome: Outcome): void
}

async function handle(
  deps: DataPlaneDeps,
  snapshot: Snapshot,
  mount: Mount | undefined,
  req: Request,
  res: Response,
  target: Target,
  fullPath: string,
  query: string,
): Promise<void> {
  const { requestId } = target
  const unified = mount === undefined && fullPath === CHAT_COMPLETIONS
  const adapter = mount?.adapter ?? (unified ? adapters.openai : guessAdapter(fullPath, req.headers))
  const refuse = (code: ErrorCode, detail?: string, closeConnection = false, gate?: string, denial?: Denial): void => {
    const error = { ...sluiceError(code, requestId, detail), retryAfterSeconds: denial?.retryAfterSeconds }
    const decision = gate !== undefined || error.status < 500 ? 'deny' : 'error'
    const headers = target.facts?.responseHeaders === undefined ? denial?.headers : { ...target.facts.responseHeaders, ...denial?.headers }
    sendError(res, adapter, error, decision, closeConnection, headers)
    target.finish({ ...refusal(error.status, code), decision, gate })
  }

  if (mount === undefined && !unified) return refuse('SLUICE_ERR_ROUTE_NOT_FOUND', `Path: ${fullPath}`)
  // Draining: requests on open connections are still served (a sidecar's app may be finishing
  // its own work), but HTTP/1.1 connections close after the response. HTTP/2 sessions got GOAWAY.
  if (deps.draining() && 'shouldKeepAlive' in res) res.shouldKeepAlive = false
  const badHeader = checkSluiceHeaders(req.headers)
  if (badHeader !== undefined) return refuse('SLUICE_ERR_HEADER_INVALID', badHeader)
  if (unified && req.method !== 'POST') return refuse('SLUICE_ERR_METHOD_NOT_ALLOWED', `${req.method} ${fullPath}`)

  let body: Buffer | typeof TOO_LARGE
  try {
    body = await readBody(req, snapshot.config.server.maxBodyBytes)
  } catch {
    // The client went away mid-upload; there is no one left to answer.
    return target.finish({ ...refusal(400, 'SLUICE_ERR_REQUEST_MALFORMED'), clientAborted: true })
  }
  if (body === TOO_LARGE) return refuse('SLUICE_ERR_REQUEST_TOO_LARGE', `Limit: ${snapshot.config.server.maxBodyBytes} bytes.`, true)
  const bodyReadAt = performance.now()
  const clientRequest: NativeRequest = {
    method: req.method ?? 'GET',
    path: mount === undefined ? fullPath : fullPath.length === mount.prefix.length ? '/' : fullPath.slice(mount.prefix.length),
    query,
    headers: req.headers,
    body,
  }

  // Identify (SPEC §5 step 1): the operation and model, the client, the context. A native request
  // is recognised first (a SigV4 check needs the body anyway); a unified one is authenticated
  // first, so a caller without a key learns nothing about the virtual models.
  let parsed: UnifiedParse | undefined
  let operation: Operation | undefined
  if (!unified) {
    const recognition = adapter.recognise(clientRequest)
    if (!recognition.ok) return refuse(recognition.code, recognition.detail)
    operation = recognition.operation
    target.model = operation.model
  }
  let auth = authenticate(snapshot, mount?.config.auth ?? snapshot.config.unified.auth, adapter, clientRequest, fullPath)
  if (auth instanceof Promise) auth = await auth
  if (!auth.ok) return refuse(auth.code, auth.detail === '' ? undefined : auth.detail)
  if (unified) {
    parsed = parseUnified(snapshot, body)
    if (!parsed.ok) return refuse(parsed.code, parsed.detail)
    target.model = parsed.request.chat.model
  }

  let facts: RequestFacts
  let route: UnifiedRoute | undefined
  if (parsed?.ok === true) {
    const { model } = parsed.request
    const first = model.targets[0]!
    const unifiedOperation: Operation = { name: 'chat.completions', model: first.model, stream: parsed.request.chat.stream, streamFormat: 'none' }
    const context = buildContext(first.mount, unifiedOperation, auth.client, req.headers, snapshot.environment, model.name)
    const targets = orderTargets(snapshot, model, context, Math.random())
    // The first target that can take this request is the one the gates check.
    let leg: Leg | string = ''
    const reasons: string[] = []
    while (targets.length > 0 && typeof (leg = translate(parsed.request, targets[0]!)) === 'string') reasons.push(`${targets.shift()!.id}: ${leg}`)
    if (typeof leg === 'string') return refuse('SLUICE_ERR_TRANSLATION_UNSUPPORTED', reasons.join(' '))
    const ctx = context as { provider: string; model: string; operation: string }
    ctx.provider = leg.target.mount.name
    ctx.model = leg.operation.model
    ctx.operation = leg.operation.name
    target.provider = leg.target.mount.name
    target.model = leg.operation.model
    target.route = model.name
    facts = newFacts(target, bodyReadAt, leg.target.mount, leg.request, leg.operation, auth.client, context)
    route = new UnifiedRoute(targets, leg, parsed.request, res, requestId)
  } else {
    const context = buildContext(mount!, operation!, auth.client, req.headers, snapshot.environment)
    facts = newFacts(target, bodyReadAt, mount!, clientRequest, operation!, auth.client, context)
  }
  target.facts = facts

  for (const gate of GATES) {
    let denial: Denial | undefined
    try {
      const checked = gate.check(facts, snapshot)
      denial = checked instanceof Promise ? await checked : checked
    } catch (err) {
      const failMode = snapshot.config.gates[gate.name].failMode
      metrics.gateErrors.labels(gate.name, failMode).inc()
      deps.logger.error({ err, gate: gate.name, requestId }, 'gate failed; applying its fail mode')
      if (failMode === 'closed') denial = { code: 'SLUICE_ERR_GATE_FAILED', detail: `Gate: ${gate.name}.` }
    }
    if (denial !== undefined) {
      metrics.denials.labels(gate.name, denial.code).inc()
      return refuse(denial.code, denial.detail, false, gate.name, denial)
    }
  }

  const exchangeRoute = route === undefined ? new NativeRoute(snapshot, facts, res, facts.downgradeTo) : route.downgrade(snapshot, facts.downgradeTo)
  new Exchange(exchangeRoute, { facts, snapshot, res, logger: deps.logger, done: target.finish }).start()
}

function newFacts(
  target: Target,
  bodyReadAt: number,
  mount: Mount,
  request: NativeRequest,
  operation: Operation,
  client: ClientConfig | undefined,
  context: EvaluationContext,
): RequestFacts {
  return {
    requestId: target.requestId,
    arrivedAt: target.arrivedAt,
    bodyReadAt,
    mount,
    request,
    operation,
    client,
    context,
    responseHeaders: undefined,
    leases: undefined,
  }
}

function refusal(status: number, code: ErrorCode): Outcome {
  return {
    status,
    decision: status >= 500 ? 'error' : 'deny',
    code,
    usage: undefined,
    overheadMs: undefined,
    ttftMs: undefined,
    upstreamMs: undefined,
    clientAborted: false,
    upstreamBroken: false,
  }
}

/** A lease that throws must not keep the others from settling or take the request down. */
function settleLease(logger: Logger, lease: Lease, outcome: Outcome, facts: RequestFacts): void {
  try {
    lease.settle(outcome, facts)
  } catch (err) {
    logger.error({ err, requestId: facts.requestId }, 'settling a gate lease failed')
  }
}
