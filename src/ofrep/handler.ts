// OFREP, the OpenFeature Remote Evaluation Protocol, on the data plane (docs/flags.md): applications read
// Sluice's flags with any OpenFeature OFREP provider. Spec: open-feature/protocol service/openapi.yaml.
//   POST /ofrep/v1/evaluate/flags/{key}   one flag; Cache-Control: no-store
//   POST /ofrep/v1/evaluate/flags         every flag; ETag, and If-None-Match → 304
// This is not AI traffic: no mount, gates or decision record. Evaluations are counted like the
// gates' own (flags/counted.ts), and the request is in flight for shutdown like any other.
import { randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import type { Snapshot } from '../pipeline/snapshot.js'
import { sluiceError, type ErrorCode } from '../core/errors.js'
import { readBody, TOO_LARGE } from '../pipeline/body.js'
import type { ClientChannel } from '../core/channel.js'
import type { InFlight } from '../server/in-flight.js'
import { authenticateOfrep } from './auth.js'
import { enrichContext, etagMatches, evaluateBulk, evaluateSingle, parseEvaluationRequest } from './evaluation.js'
import type { DataPlaneRequest } from '../core/channel.js'

export interface OfrepDeps {
  readonly logger: Logger
  draining(): boolean
  readonly inFlight: InFlight
}

type Headers = Record<string, string>

const FLAGS_PATH = '/ofrep/v1/evaluate/flags'
const SINGLE_PREFIX = `${FLAGS_PATH}/`
// A single evaluation depends on the caller's context; a bulk one may be kept, but only by this
// caller (it is per client) and only after revalidating with If-None-Match.
const SINGLE_HEADERS: Headers = { 'cache-control': 'no-store' }
const BULK_CACHE = 'private, no-cache'

/** Serves a request whose path starts with `/ofrep/`; `path` excludes the query. */
export function handleOfrep(deps: OfrepDeps, snapshot: Snapshot, req: DataPlaneRequest, channel: ClientChannel, path: string): void {
  const requestId = randomUUID()
  deps.inFlight.enter()
  channel.onClose(() => deps.inFlight.leave())
  if (deps.draining()) channel.closeAfter()
  serve(snapshot, req, channel, path, requestId).catch((err: unknown) => {
    deps.logger.error({ err, requestId }, 'OFREP request failed')
    if (channel.started) channel.fail()
    else sendSluiceError(channel, requestId, 'SLUICE_ERR_INTERNAL')
  })
}

async function serve(snapshot: Snapshot, req: DataPlaneRequest, channel: ClientChannel, path: string, requestId: string): Promise<void> {
  const single = path.startsWith(SINGLE_PREFIX)
  if (!single && path !== FLAGS_PATH) return sendSluiceError(channel, requestId, 'SLUICE_ERR_ROUTE_NOT_FOUND', { detail: `Path: ${path}` })
  if (req.method !== 'POST') {
    const detail = `OFREP evaluation takes POST (got ${req.method ?? '?'}).`
    return sendSluiceError(channel, requestId, 'SLUICE_ERR_METHOD_NOT_ALLOWED', { detail, headers: { allow: 'POST' } })
  }
  const auth = authenticateOfrep(snapshot, req.headers)
  if (!auth.ok) {
    const headers: Headers = auth.code === 'SLUICE_ERR_AUTH_MISSING' ? { 'www-authenticate': 'Bearer' } : {}
    return sendSluiceError(channel, requestId, auth.code, { headers })
  }

  let body: Buffer | typeof TOO_LARGE
  try {
    body = await readBody(req, snapshot.config.server.maxBodyBytes)
  } catch {
    return // the client went away mid-upload; there is no one left to answer
  }
  if (body === TOO_LARGE) {
    // HTTP/1.1 only: the unread rest of the body would otherwise be taken for the next request.
    const headers: Headers = channel.http1 ? { connection: 'close' } : {}
    const detail = `Limit: ${snapshot.config.server.maxBodyBytes} bytes.`
    return sendSluiceError(channel, requestId, 'SLUICE_ERR_REQUEST_TOO_LARGE', { detail, headers })
  }

  const key = single ? decodeKey(path.slice(SINGLE_PREFIX.length)) : undefined
  const request = parseEvaluationRequest(body)
  if (!request.ok) {
    // flagd's answer to an unreadable request: the spec's failure shapes with INVALID_CONTEXT.
    const failure = { key, errorCode: 'INVALID_CONTEXT', errorDetails: request.detail, code: 'SLUICE_ERR_REQUEST_MALFORMED' }
    return send(channel, 400, requestId, JSON.stringify(failure), single ? SINGLE_HEADERS : {})
  }
  const context = enrichContext(request.context, auth.client, snapshot.environment)

  if (key !== undefined) {
    const evaluation = evaluateSingle(snapshot.flags, key, context)
    return send(channel, evaluation.status, requestId, evaluation.body, SINGLE_HEADERS)
  }
  const bulk = evaluateBulk(snapshot.flags, context)
  const headers: Headers = { etag: bulk.etag, 'cache-control': BULK_CACHE }
  const notModified = etagMatches(req.headers['if-none-match'], bulk.etag)
  send(channel, notModified ? 304 : 200, requestId, notModified ? undefined : bulk.body, headers)
}

/** Providers percent-encode the key; malformed escapes are looked up as sent (and not found). */
function decodeKey(raw: string): string {
  try {
    return decodeURIComponent(raw)
  } catch {
    return raw
  }
}

interface ErrorOptions {
  readonly detail?: string
  readonly headers?: Headers
}

/** Sluice's own failures in OFREP's `generalErrorResponse` shape, plus the code (errors.ts). */
function sendSluiceError(channel: ClientChannel, requestId: string, code: ErrorCode, options: ErrorOptions = {}): void {
  const error = sluiceError(code, requestId, options.detail)
  const body = JSON.stringify({ errorDetails: error.message, code })
  send(channel, error.status, requestId, body, options.headers ?? {})
}

function send(channel: ClientChannel, status: number, requestId: string, body: string | undefined, headers: Headers): void {
  const all: Headers = { ...headers, 'x-sluice-request-id': requestId }
  if (body === undefined) {
    channel.replay(status, all, '')
    return
  }
  all['content-type'] = 'application/json'
  all['content-length'] = String(Buffer.byteLength(body))
  channel.replay(status, all, body)
}
