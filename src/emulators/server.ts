// The request loop every emulator shares: read the body, route, authenticate, apply the scripted
// behaviour (latency, reset, error status, mid-stream break), then send the provider's reply as
// JSON or as a stream of pre-encoded frames. Providers only say what to answer; this file owns
// the sockets. Served over HTTP/1.1 and h2c on one port (the Bedrock SDK speaks h2c).
import http2 from 'node:http2'
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import { createDualServer, type DualServer } from '../server/dual-protocol.js'
import { isRecord } from './content.js'
import { RequestLog } from './request-log.js'
import { CONTROL_PREFIX, control } from './control.js'
import type { Plan, Script } from './script.js'

const MAX_BODY_BYTES = 16 * 1024 * 1024
const JSON_HEADERS = { 'content-type': 'application/json' }

export interface EmulatorRequest {
  readonly method: string
  /** Path as sent, still percent-encoded, without query. */
  readonly path: string
  readonly query: string
  readonly headers: IncomingHttpHeaders
  readonly rawBody: Buffer
}

export interface JsonReply {
  readonly kind: 'json'
  readonly status: number
  readonly headers: Record<string, string>
  readonly body: string
}

/** A 200 streamed body, pre-encoded frame by frame (SSE events, eventstream messages, array items). */
export interface StreamReply {
  readonly kind: 'stream'
  readonly headers: Record<string, string>
  readonly frames: readonly (string | Uint8Array)[]
}

export type Reply = JsonReply | StreamReply

export interface ProviderEmulator<R extends { readonly operation: string }> {
  match(method: string, path: string): R | undefined
  /** A reply refuses the request; undefined lets it through. */
  authenticate(request: EmulatorRequest, route: R): JsonReply | undefined | Promise<JsonReply | undefined>
  /**
   * An error in the provider's own format; `message` defaults to the provider's usual text for the
   * status. `route`, when known, picks the dialect on providers serving two (Llama native/compat).
   */
  error(status: number, message?: string, route?: R): JsonReply
  answer(route: R, body: Record<string, unknown>, request: EmulatorRequest, plan: Plan): Reply
}

export function jsonReply(status: number, body: unknown, headers?: Record<string, string>): JsonReply {
  return { kind: 'json', status, headers: headers === undefined ? { ...JSON_HEADERS } : { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) }
}

/** Latency a provider reports for a reply: the scripted delays that applied, ms. */
export function scriptedLatencyMs(plan: Plan, frames = 0): number {
  return plan.latencyMs + (frames > 0 ? plan.ttftMs + plan.chunkDelayMs * (frames - 1) : 0)
}

type Req = IncomingMessage | http2.Http2ServerRequest
type Res = ServerResponse | http2.Http2ServerResponse

function readBody(req: Req): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size <= MAX_BODY_BYTES) chunks.push(chunk)
    })
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? undefined : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)))
    req.on('error', () => resolve(undefined))
  })
}

function parseJson(raw: Buffer): unknown {
  try {
    return raw.length === 0 ? undefined : (JSON.parse(raw.toString('utf8')) as unknown)
  } catch {
    return undefined
  }
}

/** The scripted `reset`: RST_STREAM on HTTP/2, a TCP RST (ECONNRESET at the client) on HTTP/1.1. */
function reset(res: Res): void {
  if (res instanceof http2.Http2ServerResponse) res.stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR)
  else res.socket?.resetAndDestroy()
}

/** Ends an exchange mid-body: RST_STREAM on HTTP/2; on HTTP/1.1 a FIN after what was written, so the frames sent arrive. */
function breakOff(res: Res): void {
  if (res instanceof http2.Http2ServerResponse) res.stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR)
  else res.socket?.destroySoon()
}

function sendJson(res: Res, status: number, headers: Record<string, string>, body: string): void {
  res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(body)) })
  res.end(body)
}

/** Both response classes have this; their overload sets differ too much to call `write` on the union. */
interface FrameWriter {
  write(chunk: string | Uint8Array, callback?: () => void): boolean
}

async function sendStream(res: Res, reply: StreamReply, plan: Plan): Promise<void> {
  res.writeHead(200, reply.headers)
  const frames = reply.frames
  if (plan.ttftMs === 0 && plan.chunkDelayMs === 0 && plan.breakAfterChunks === undefined) {
    // Nothing to pace: one write, which is what HTTP/1.1's per-tick cork makes of the frames anyway.
    return void res.end(typeof frames[0] === 'string' ? frames.join('') : Buffer.concat(frames as Uint8Array[]))
  }
  let gone = false
  res.once('close', () => (gone = true))
  const out = res as FrameWriter
  const count = Math.min(frames.length, plan.breakAfterChunks ?? Infinity)
  // HTTP/1.1 holds the head back until the first write; a client timing TTFT must see it first.
  if ((plan.ttftMs > 0 || count === 0) && !(res instanceof http2.Http2ServerResponse)) res.flushHeaders()
  let written: Promise<void> | undefined
  for (let i = 0; i < count; i++) {
    const delayMs = i === 0 ? plan.ttftMs : plan.chunkDelayMs
    if (delayMs > 0) await sleep(delayMs)
    if (gone) return
    if (i + 1 === count && plan.breakAfterChunks !== undefined) {
      // An RST_STREAM may overtake queued DATA, so let the last frame go out before breaking.
      written = new Promise((resolve) => out.write(frames[i]!, resolve))
    } else {
      out.write(frames[i]!)
    }
  }
  if (plan.breakAfterChunks === undefined) return void res.end()
  await written
  if (!gone) breakOff(res)
}

export interface EmulatorServer {
  readonly dual: DualServer
  readonly requests: RequestLog
}

export function createEmulatorServer<R extends { readonly operation: string }>(
  type: string,
  provider: ProviderEmulator<R>,
  script: Script,
  requestLogLimit?: number,
): EmulatorServer {
  const requests = new RequestLog(requestLogLimit)

  function send(res: Res, reply: Reply, plan?: Plan): Promise<void> | void {
    if (reply.kind === 'json') return sendJson(res, reply.status, reply.headers, reply.body)
    return sendStream(res, reply, plan ?? script.defaults)
  }

  function scriptedError(plan: Plan & { status: number }, route: R): JsonReply {
    const base = provider.error(plan.status, undefined, route)
    const headers = { ...base.headers, ...plan.headers }
    if (plan.retryAfterSeconds !== undefined) headers['retry-after'] = String(plan.retryAfterSeconds)
    if (plan.body === undefined) return { ...base, headers }
    return { ...base, headers, body: typeof plan.body === 'string' ? plan.body : JSON.stringify(plan.body) }
  }

  async function handle(req: Req, res: Res): Promise<void> {
    const url = req.url ?? '/'
    const q = url.indexOf('?')
    const path = q === -1 ? url : url.slice(0, q)
    const query = q === -1 ? '' : url.slice(q + 1)
    const method = req.method ?? 'GET'
    const rawBody = await readBody(req)
    if (rawBody === undefined) return send(res, provider.error(413, 'Request body too large or unreadable.'))
    const parsed = parseJson(rawBody)
    if (path.startsWith(CONTROL_PREFIX)) {
      const answer = control(`${method} ${path.slice(CONTROL_PREFIX.length)}`, parsed, script, requests, type)
      return sendJson(res, answer.status, JSON_HEADERS, JSON.stringify(answer.body))
    }

    // A GET (a model list or lookup) has no body; its handler reads the path and query.
    const body = method === 'GET' && rawBody.length === 0 ? {} : parsed
    const route = provider.match(method, path)
    requests.record({ method, path, query, operation: route?.operation ?? 'unknown', headers: req.headers, body })
    if (route === undefined) return send(res, provider.error(404, `No route for ${method} ${path}.`))
    const request: EmulatorRequest = { method, path, query, headers: req.headers, rawBody }
    const refusal = await provider.authenticate(request, route)
    if (refusal !== undefined) return send(res, refusal)
    if (!isRecord(body)) {
      const message = body === undefined && rawBody.length > 0 ? 'Request body is not valid JSON.' : 'Request body must be a JSON object.'
      return send(res, provider.error(400, message, route))
    }

    const plan = script.next()
    if (plan.latencyMs > 0) await sleep(plan.latencyMs)
    if (plan.reset === true) return reset(res)
    if (plan.status !== undefined) return send(res, scriptedError({ ...plan, status: plan.status }, route))
    return send(res, provider.answer(route, body, request, plan), plan)
  }

  const dual = createDualServer((req, res) => {
    // A client that vanishes mid-answer must not crash the emulator.
    req.on('error', () => {})
    res.on('error', () => {})
    handle(req, res).catch((err: unknown) => {
      try {
        if (res.headersSent) breakOff(res)
        else send(res, provider.error(500, `Emulator failure: ${(err as Error).message}`))
      } catch {
        // The exchange is already gone (client reset during a scripted delay); nothing left to tell.
      }
    })
  })
  return { dual, requests }
}
