// Forwards one recognised request to its upstream through the mount's undici keep-alive pool and
// streams the response back chunk by chunk, with backpressure in both directions. Usage is read
// from each chunk as it passes; nothing is buffered on the response path.
import type { IncomingHttpHeaders } from 'node:http'
import type { Dispatcher } from 'undici'
import type { ProviderAdapter, UpstreamRequest, UsageReader } from '../providers/adapter.js'
import type { Outcome, RequestFacts } from '../pipeline/facts.js'
import { sendError, type Response } from '../pipeline/respond.js'
import { sluiceError, type ErrorCode } from '../errors.js'

/** Headers that describe one hop (RFC 9110 §7.6.1) or that Sluice sets itself. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'http2-settings',
  'host',
  'content-length',
  'accept-encoding',
  'expect',
])

const skipSets = new WeakMap<ProviderAdapter, ReadonlySet<string>>()

function requestSkipSet(adapter: ProviderAdapter): ReadonlySet<string> {
  let set = skipSets.get(adapter)
  if (set === undefined) skipSets.set(adapter, (set = new Set([...HOP_BY_HOP, ...adapter.clientAuthHeaders])))
  return set
}

export function buildUpstreamRequest(facts: RequestFacts): UpstreamRequest {
  const { mount, request } = facts
  const skip = requestSkipSet(mount.adapter)
  const headers: Record<string, string> = {}
  for (const name in request.headers) {
    // Pseudo-headers (HTTP/2) and Sluice's own x-sluice-* headers never go upstream (SPEC §4).
    if (skip.has(name) || name.charCodeAt(0) === 58 || name.startsWith('x-sluice-')) continue
    const value = request.headers[name]
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value
  }
  headers.host = mount.origin.host
  headers['content-length'] = String(request.body.length)
  // Usage is read from the response as it passes, which needs it uncompressed.
  headers['accept-encoding'] = 'identity'
  let query = request.query
  if (query !== '' && mount.adapter.clientAuthQuery.length > 0) {
    const params = new URLSearchParams(query)
    for (const name of mount.adapter.clientAuthQuery) params.delete(name)
    query = params.toString()
  }
  return {
    method: request.method,
    path: mount.basePath + request.path + (query === '' ? '' : `?${query}`),
    headers,
    body: request.body,
  }
}

const RESPONSE_SKIP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'trailer', 'te'])

function upstreamErrorCode(err: Error & { code?: string }): ErrorCode {
  switch (err.code) {
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'SLUICE_ERR_UPSTREAM_TIMEOUT'
    default:
      return 'SLUICE_ERR_UPSTREAM_UNREACHABLE'
  }
}

class ForwardHandler implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined
  private usage: UsageReader | undefined
  private status = 0
  private firstByteAt = 0
  private finished = false
  private clientGone = false
  /**
   * Non-streamed bodies only: the latest chunk, held until the next one or the end so that a
   * typical one-chunk JSON answer leaves as head + body + end in a single write. Streams (SSE,
   * event streams) are never held back.
   */
  private held: Buffer | undefined
  private readonly holdLast: boolean
  private readonly resume = (): void => this.controller?.resume()

  constructor(
    private readonly facts: RequestFacts,
    private readonly res: Response,
    private readonly dispatchedAt: number,
    private readonly done: (outcome: Outcome) => void,
  ) {
    this.holdLast = facts.operation.streamFormat === 'none'
    res.once('close', () => {
      if (this.finished) return
      this.clientGone = true
      this.controller?.abort(new Error('client closed the connection'))
    })
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller
    if (this.clientGone) controller.abort(new Error('client closed the connection'))
  }

  onResponseStart(_controller: Dispatcher.DispatchController, status: number, headers: IncomingHttpHeaders): void {
    const { facts } = this
    this.status = status
    this.usage = facts.mount.adapter.createUsageReader(facts.operation, status, headers)
    const out: Record<string, string | string[]> = {}
    for (const name in headers) {
      const value = headers[name]
      if (value !== undefined && !RESPONSE_SKIP.has(name)) out[name] = value
    }
    if (facts.responseHeaders !== undefined) Object.assign(out, facts.responseHeaders)
    out['x-sluice-request-id'] = facts.requestId
    out['x-sluice-decision'] = 'allow'
    out['x-sluice-provider'] = facts.mount.name
    out['x-sluice-model'] = facts.operation.model
    out['x-sluice-overhead-ms'] = (this.dispatchedAt - facts.bodyReadAt).toFixed(3)
    this.res.writeHead(status, out)
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.firstByteAt === 0) this.firstByteAt = performance.now()
    this.usage?.push(chunk)
    if (this.holdLast) {
      const previous = this.held
      this.held = chunk
      if (previous === undefined) return
      chunk = previous
    }
    if (!this.res.write(chunk)) {
      controller.pause()
      this.res.once('drain', this.resume)
    }
  }

  onResponseEnd(): void {
    if (this.held === undefined) this.res.end()
    else this.res.end(this.held)
    this.finish(false)
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    if (this.clientGone) {
      this.finish(false)
      return
    }
    if (!this.res.headersSent) {
      const code = upstreamErrorCode(err)
      const error = sluiceError(code, this.facts.requestId)
      sendError(this.res, this.facts.mount.adapter, error, 'error')
      this.status = error.status
      this.finish(false, code)
      return
    }
    // The response has started: end it as a failure, never as a clean end of stream. Where the
    // stream format can carry an error, say so in it first (SPEC §9). A Bedrock exception message
    // is itself the failure, so that stream ends there; an SSE error event is not understood by
    // every SDK (llama-api-client yields it as a chunk), so the connection is cut after it too.
    const { mount, operation, requestId } = this.facts
    const frame = mount.adapter.renderStreamError(sluiceError('SLUICE_ERR_UPSTREAM_BROKEN', requestId), operation)
    if (frame === undefined) this.res.destroy(err)
    else if (operation.streamFormat === 'eventstream') this.res.end(frame)
    else this.res.write(frame, () => this.res.destroy())
    this.finish(true)
  }

  private finish(upstreamBroken: boolean, errorCode?: ErrorCode): void {
    if (this.finished) return
    this.finished = true
    const end = performance.now()
    this.done({
      status: this.status,
      decision: errorCode === undefined ? 'allow' : 'error',
      code: errorCode ?? String(this.status),
      usage: this.usage?.result(),
      overheadMs: this.dispatchedAt - this.facts.bodyReadAt,
      ttftMs: this.firstByteAt === 0 ? undefined : this.firstByteAt - this.dispatchedAt,
      upstreamMs: end - this.dispatchedAt,
      clientAborted: this.clientGone,
      upstreamBroken,
    })
  }
}

export function dispatchUpstream(facts: RequestFacts, upstream: UpstreamRequest, res: Response, done: (outcome: Outcome) => void): void {
  const handler = new ForwardHandler(facts, res, performance.now(), done)
  facts.mount.pool.dispatch(
    { method: upstream.method as Dispatcher.HttpMethod, path: upstream.path, headers: upstream.headers, body: upstream.body },
    handler,
  )
}
