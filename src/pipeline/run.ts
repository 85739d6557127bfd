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
import type { NativeRequest, ProviderAdapter } from '../providers/adapter.js'
import { buildUpstreamRequest, dispatchUpstream } from '../upstream/forward.js'
import { readBody, TOO_LARGE } from './body.js'
import { buildContext, type Outcome, type RequestFacts } from './facts.js'
import { guessAdapter, sendError, type Response } from './respond.js'
import { settle, type SettleTarget } from './settle.js'
import { checkSluiceHeaders } from './headers.js'
import { handleOfrep } from '../ofrep/handler.js'

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
  model: string
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
  const refuse = (adapter: ProviderAdapter, code: ErrorCode, detail?: string, closeConnection = false, gate?: string, denial?: Denial): void => {
    const error = { ...sluiceError(code, requestId, detail), retryAfterSeconds: denial?.retryAfterSeconds }
    const decision = gate !== undefined || error.status < 500 ? 'deny' : 'error'
    const headers = target.facts?.responseHeaders === undefined ? denial?.headers : { ...target.facts.responseHeaders, ...denial?.headers }
    sendError(res, adapter, error, decision, closeConnection, headers)
    target.finish({ ...refusal(error.status, code), decision, gate })
  }

  if (mount === undefined) return refuse(guessAdapter(fullPath, req.headers), 'SLUICE_ERR_ROUTE_NOT_FOUND', `Path: ${fullPath}`)
  const adapter = mount.adapter
  // Draining: requests on open connections are still served (a sidecar's app may be finishing
  // its own work), but HTTP/1.1 connections close after the response. HTTP/2 sessions got GOAWAY.
  if (deps.draining() && 'shouldKeepAlive' in res) res.shouldKeepAlive = false
  const badHeader = checkSluiceHeaders(req.headers)
  if (badHeader !== undefined) return refuse(adapter, 'SLUICE_ERR_HEADER_INVALID', badHeader)

  let body: Buffer | typeof TOO_LARGE
  try {
    body = await readBody(req, snapshot.config.server.maxBodyBytes)
  } catch {
    // The client went away mid-upload; there is no one left to answer.
    return target.finish({ ...refusal(400, 'SLUICE_ERR_REQUEST_MALFORMED'), clientAborted: true })
  }
  if (body === TOO_LARGE) {
    return refuse(adapter, 'SLUICE_ERR_REQUEST_TOO_LARGE', `Limit: ${snapshot.config.server.maxBodyBytes} bytes.`, true)
  }
  const bodyReadAt = performance.now()
  const request: NativeRequest = {
    method: req.method ?? 'GET',
    path: fullPath.length === mount.prefix.length ? '/' : fullPath.slice(mount.prefix.length),
    query,
    headers: req.headers,
    body,
  }
  const recognition = adapter.recognise(request)
  if (!recognition.ok) return refuse(adapter, recognition.code, recognition.detail)
  const operation = recognition.operation
  target.model = operation.model

  let auth = authenticate(snapshot, mount, request, fullPath)
  if (auth instanceof Promise) auth = await auth
  if (!auth.ok) return refuse(adapter, auth.code, auth.detail === '' ? undefined : auth.detail)

  const context = buildContext(mount, operation, auth.client, req.headers, snapshot.environment)
  const facts: RequestFacts = {
    requestId,
    arrivedAt: target.arrivedAt,
    bodyReadAt,
    mount,
    request,
    operation,
    client: auth.client,
    context,
    responseHeaders: undefined,
    leases: undefined,
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
      return refuse(adapter, denial.code, denial.detail, false, gate.name, denial)
    }
  }

  const upstream = buildUpstreamRequest(facts)
  try {
    const signed = mount.upstreamAuth(upstream, mount.origin)
    if (signed instanceof Promise) await signed
  } catch (err) {
    deps.logger.error({ err, provider: mount.name, requestId }, 'upstream credentials unavailable')
    return refuse(adapter, 'SLUICE_ERR_UPSTREAM_AUTH')
  }
  dispatchUpstream(facts, upstream, res, target.finish)
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
