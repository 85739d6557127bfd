// One TCP port serving HTTP/1.1 and HTTP/2 cleartext with prior knowledge (SPEC §1). The AWS SDK's
// Bedrock Runtime client speaks h2c to http:// endpoints and hangs against an HTTP/1-only server,
// so each new socket is sniffed: a connection that opens with the 24-byte HTTP/2 preface goes to
// the HTTP/2 server, every other one to the HTTP/1.1 server. Both share one request handler.
import http from 'node:http'
import http2 from 'node:http2'
import net from 'node:net'

export type RequestHandler = (
  req: http.IncomingMessage | http2.Http2ServerRequest,
  res: http.ServerResponse | http2.Http2ServerResponse,
) => void

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')

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

export function createDualServer(handler: RequestHandler, options: { keepAliveTimeoutMs?: number } = {}): DualServer {
  const h1 = http.createServer({ keepAliveTimeout: options.keepAliveTimeoutMs ?? 65_000 }, handler)
  const h2 = http2.createServer({ settings: { maxConcurrentStreams: 1000 } }, handler)
  const sockets = new Set<net.Socket>()
  const sessions = new Set<http2.Http2Session>()
  h2.on('session', (session) => {
    sessions.add(session)
    session.once('close', () => sessions.delete(session))
  })

  const tcp = net.createServer({ noDelay: true }, (socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
    socket.once('error', () => socket.destroy())
    socket.once('data', (first: Buffer) => {
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
      h1.closeIdleConnections()
      for (const session of sessions) session.close()
      return closed
    },
    destroy() {
      for (const session of sessions) session.destroy()
      for (const socket of sockets) socket.destroy()
    },
  }
}
