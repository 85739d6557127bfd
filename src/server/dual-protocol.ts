// One TCP port serving HTTP/1.1 and HTTP/2 cleartext with prior knowledge (docs/lifecycle.md). The AWS SDK's
// Bedrock Runtime client speaks h2c to http:// endpoints and hangs against an HTTP/1-only server,
// so each new socket is sniffed: a connection that opens with the 24-byte HTTP/2 preface goes to
// the HTTP/2 server, every other one to the HTTP/1.1 server. Both share one request handler.
// The limits that keep one connection from holding unbounded memory or time are set
// here from `server:` in the config; docs/lifecycle.md §1 lists them.
import http from 'node:http'
import http2 from 'node:http2'
import net from 'node:net'
import type { Config } from '../config/schema.js'
import { withDefaults } from '../config/shape.js'
import { guardSession } from './http2-guard.js'

export type RequestHandler = (
  req: http.IncomingMessage | http2.Http2ServerRequest,
  res: http.ServerResponse | http2.Http2ServerResponse,
) => void

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')
/** What node:http answers on its own request timeout, sent here because `clientError` has a listener. */
const REQUEST_TIMEOUT_RESPONSE = 'HTTP/1.1 408 Request Timeout\r\nconnection: close\r\ncontent-length: 0\r\n\r\n'

type ServerConfig = Config['server']
export type ServerLimits = Pick<ServerConfig, 'idleTimeoutMs' | 'headersTimeoutMs' | 'requestBodyTimeoutMs' | 'http2'>
export type DualServerOptions = Partial<Omit<ServerLimits, 'http2'>> & {
  http2?: Partial<ServerLimits['http2']>
  /** Called once for each HTTP/2 session closed for resetting too many streams. */
  onResetFlood?: (remoteAddress: string | undefined) => void
}

/** The schema's defaults, for callers (the emulators) that pass no config. */
const DEFAULTS = (withDefaults({}) as Config).server

export interface DualServer {
  readonly tcp: net.Server
  readonly http1: http.Server
  readonly http2: http2.Http2Server
  listen(port: number, host: string): Promise<number>
  /** Stops accepting, then closes idle connections; in-flight requests keep their sockets. */
  close(): Promise<void>
  /** Destroys every remaining connection. */
  destroy(): void
}

export function createDualServer(handler: RequestHandler, options: DualServerOptions = {}): DualServer {
  const limits: ServerLimits = {
    idleTimeoutMs: options.idleTimeoutMs ?? DEFAULTS.idleTimeoutMs,
    headersTimeoutMs: options.headersTimeoutMs ?? DEFAULTS.headersTimeoutMs,
    requestBodyTimeoutMs: options.requestBodyTimeoutMs ?? DEFAULTS.requestBodyTimeoutMs,
    http2: { ...DEFAULTS.http2, ...options.http2 },
  }
  const h1 = createHttp1Server(handler, limits)
  const h2 = http2.createServer(
    {
      settings: { maxConcurrentStreams: limits.http2.maxConcurrentStreams, maxHeaderListSize: limits.http2.maxHeaderListBytes },
      maxHeaderListPairs: limits.http2.maxHeaderListPairs,
      maxSessionMemory: limits.http2.maxSessionMemoryMb,
      // Only consulted for TLS sockets without ALPN; h2c sockets are sniffed below under headersTimeoutMs.
      unknownProtocolTimeout: limits.headersTimeoutMs,
    },
    handler,
  )
  const guard = {
    idleTimeoutMs: limits.idleTimeoutMs,
    requestBodyTimeoutMs: limits.requestBodyTimeoutMs,
    maxResetsPerWindow: limits.http2.maxResetsPerWindow,
    resetWindowMs: limits.http2.resetWindowMs,
  }
  const hooks = options.onResetFlood === undefined ? {} : { onResetFlood: options.onResetFlood }
  const sockets = new Set<net.Socket>()
  const sessions = new Set<http2.Http2Session>()
  h2.on('session', (session) => {
    sessions.add(session)
    session.once('close', () => sessions.delete(session))
    guardSession(session, guard, hooks)
  })

  const tcp = net.createServer({ noDelay: true }, (socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
    socket.once('error', () => socket.destroy())
    // A connection that sends nothing would otherwise wait here forever, unseen by either server.
    const silent = (): void => {
      socket.destroy()
    }
    socket.setTimeout(limits.headersTimeoutMs, silent)
    socket.once('data', (first: Buffer) => {
      socket.setTimeout(0)
      socket.off('timeout', silent)
      socket.pause()
      socket.unshift(first)
      // A preface split across packets is vanishingly rare; its first bytes are enough to tell.
      const probe = first.subarray(0, Math.min(first.length, PREFACE.length))
      const isH2 = probe.equals(PREFACE.subarray(0, probe.length))
      // The HTTP/2 session reads the unshifted preface from the socket's buffer itself; resuming
      // here would emit it as a 'data' event instead and the session would see a bad preface.
      if (isH2) h2.emit('connection', socket)
      else {
        h1.emit('connection', socket)
        socket.resume()
      }
    })
  })

  return {
    tcp,
    http1: h1,
    http2: h2,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        tcp.once('error', reject)
        tcp.listen(port, host, () => {
          tcp.off('error', reject)
          resolve((tcp.address() as net.AddressInfo).port)
        })
      })
    },
    close() {
      const closed = new Promise<void>((resolve) => tcp.close(() => resolve()))
      h1.close() // closes idle connections and stops the timer checks, as for a listening server
      for (const session of sessions) session.close()
      return closed
    },
    destroy() {
      for (const session of sessions) session.destroy()
      for (const socket of sockets) socket.destroy()
    },
  }
}

/**
 * HTTP/1.1 with Node's own request timers: `headersTimeout` for the head, `requestTimeout` until
 * the whole request (head and body) has arrived. Node checks them every
 * `connectionsCheckingInterval` (30 s by default, which would let a 1 s limit run to 31 s), so the
 * check runs at a quarter of the shorter limit.
 */
function createHttp1Server(handler: RequestHandler, limits: ServerLimits): http.Server {
  // Node refuses a headersTimeout longer than the requestTimeout that contains it.
  const headersTimeout = Math.min(limits.headersTimeoutMs, limits.requestBodyTimeoutMs)
  const responses = new WeakMap<net.Socket, http.ServerResponse>()
  const h1 = http.createServer(
    {
      keepAliveTimeout: limits.idleTimeoutMs,
      headersTimeout,
      requestTimeout: limits.requestBodyTimeoutMs,
      connectionsCheckingInterval: Math.max(50, Math.min(30_000, Math.floor(headersTimeout / 4))),
      // Node would answer a Host-less HTTP/1.1 request with a bare 400; the handler answers it in
      // the client's dialect instead (routes/handler.ts).
      requireHostHeader: false,
    },
    (req, res) => {
      responses.set(req.socket, res)
      handler(req, res)
    },
  )
  // Node hands CONNECT to a 'connect' listener and, with none, drops the connection unanswered.
  // Sluice is no forward proxy: 405 in the OpenAI-style shape (no path, no dialect yet), then close.
  h1.on('connect', (_req: http.IncomingMessage, socket: net.Socket) => {
    if (socket.writable) socket.end(connectRefusal())
    else socket.destroy()
  })
  // Node starts the timer checks (and the connection list closeIdleConnections walks) on
  // 'listening'; this server never listens itself, since the sniffer hands it its sockets.
  h1.emit('listening')
  // Node answers its timeout with 408 only when nobody listens to `clientError`; main.ts listens
  // (for malformed heads), so answer timeouts here first. This listener runs before any added
  // later, and ending the socket tells them there is nothing left to answer.
  h1.on('clientError', (err: NodeJS.ErrnoException, socket: net.Socket) => {
    if (err.code !== 'ERR_HTTP_REQUEST_TIMEOUT') return
    const res = responses.get(socket)
    const midResponse = res !== undefined && res.headersSent && !res.writableEnded
    if (socket.writable && !midResponse) socket.end(REQUEST_TIMEOUT_RESPONSE)
    else socket.destroy()
  })
  return h1
}

function connectRefusal(): string {
  const body = JSON.stringify({
    error: { message: 'CONNECT is not supported: Sluice is a reverse proxy, not a forward proxy.', type: 'invalid_request_error', code: 'SLUICE_ERR_METHOD_NOT_ALLOWED' },
  })
  return `HTTP/1.1 405 Method Not Allowed\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`
}
