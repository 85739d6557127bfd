// The HTTP/2 guard through real sockets: a dual server on port 0 with small limits and a raw
// node:http2 client. What counts as a reset flood, and what must not.
import http2 from 'node:http2'
import { afterEach, describe, expect, it } from 'vitest'
import { createDualServer, type DualServer, type RequestHandler } from './dual-protocol.js'

const { NGHTTP2_CANCEL, NGHTTP2_ENHANCE_YOUR_CALM, NGHTTP2_INTERNAL_ERROR, NGHTTP2_NO_ERROR } = http2.constants
const MAX_RESETS = 5

let server: DualServer | undefined
let floods: Array<string | undefined> = []
afterEach(() => {
  server?.destroy()
  server = undefined
  floods = []
})

async function start(handler: RequestHandler, requestBodyTimeoutMs = 10_000): Promise<string> {
  server = createDualServer(handler, {
    requestBodyTimeoutMs,
    http2: { maxResetsPerWindow: MAX_RESETS, resetWindowMs: 60_000 },
    onResetFlood: (remoteAddress) => floods.push(remoteAddress),
  })
  return `http://127.0.0.1:${await server.listen(0, '127.0.0.1')}`
}

async function connect(url: string): Promise<{ session: http2.ClientHttp2Session; goaway: () => number | undefined }> {
  const session = http2.connect(url)
  session.on('error', () => {})
  let code: number | undefined
  session.on('goaway', (c: number) => (code ??= c))
  await new Promise((resolve) => session.once('remoteSettings', resolve))
  return { session, goaway: () => code }
}

function open(session: http2.ClientHttp2Session, endStream: boolean): { stream: http2.ClientHttp2Stream; closed: Promise<number> } {
  const stream = session.request({ ':method': 'POST', ':path': '/', 'content-length': endStream ? '0' : '10' }, { endStream })
  stream.on('error', () => {})
  stream.resume()
  return { stream, closed: new Promise((resolve) => stream.once('close', () => resolve(stream.rstCode ?? -1))) }
}

/** A handler that never answers, resolving `seen(n)` once n requests have arrived. */
function silentHandler(): { handler: RequestHandler; seen: (n: number) => Promise<void> } {
  let count = 0
  const waiters: Array<[number, () => void]> = []
  const handler: RequestHandler = (req) => {
    req.on('error', () => {})
    count++
    for (const [n, wake] of waiters) if (count >= n) wake()
  }
  return { handler, seen: (n) => new Promise<void>((resolve) => (count >= n ? resolve() : waiters.push([n, resolve]))) }
}

describe('reset flood', () => {
  it('one client reset past the limit gets GOAWAY ENHANCE_YOUR_CALM, reported once', async () => {
    const { handler, seen } = silentHandler()
    const { session, goaway } = await connect(await start(handler))
    const streams = Array.from({ length: MAX_RESETS + 1 }, () => open(session, true))
    await seen(streams.length)
    const closed = new Promise((resolve) => session.once('close', resolve))
    for (const { stream } of streams) stream.close(NGHTTP2_CANCEL)
    await closed
    expect(goaway()).toBe(NGHTTP2_ENHANCE_YOUR_CALM)
    expect(floods).toEqual(['127.0.0.1'])
  })

  it('up to the limit the session keeps serving', async () => {
    const { handler, seen } = silentHandler()
    const { session, goaway } = await connect(await start(handler))
    const streams = Array.from({ length: MAX_RESETS }, () => open(session, true))
    await seen(streams.length)
    for (const { stream } of streams) stream.close(NGHTTP2_CANCEL)
    await Promise.all(streams.map((s) => s.closed))
    const next = open(session, true)
    await seen(MAX_RESETS + 1)
    expect(goaway()).toBeUndefined()
    next.stream.close(NGHTTP2_NO_ERROR)
    session.destroy()
  })

  it('streams the server destroys itself (a broken upstream) do not count', async () => {
    const { session, goaway } = await connect(
      await start((_req, res) => {
        const h2res = res as http2.Http2ServerResponse
        h2res.writeHead(200)
        h2res.write('partial')
        h2res.destroy()
      }),
    )
    // What upstream/channel.ts does when the upstream breaks mid-answer: res.destroy().
    await Promise.all(Array.from({ length: MAX_RESETS * 4 }, () => open(session, true).closed))
    await open(session, true).closed // the session still takes streams
    expect(goaway()).toBeUndefined()
    expect(floods).toEqual([])
    session.destroy()
  })

  it("the server's own stream.close(code) (the emulators' scripted resets) does not count", async () => {
    const { session, goaway } = await connect(await start((req) => setImmediate(() => (req as http2.Http2ServerRequest).stream.close(NGHTTP2_INTERNAL_ERROR))))
    const codes = await Promise.all(Array.from({ length: MAX_RESETS * 4 }, () => open(session, true).closed))
    expect(codes).toEqual(Array(MAX_RESETS * 4).fill(NGHTTP2_INTERNAL_ERROR))
    expect(goaway()).toBeUndefined()
    expect(floods).toEqual([])
    session.destroy()
  })
})

describe('request body deadline', () => {
  it('resets a stream whose body does not arrive with CANCEL, and the request sees aborted', async () => {
    const aborted: boolean[] = []
    const { session } = await connect(
      await start((req) => {
        req.on('error', () => {})
        req.on('aborted', () => aborted.push(true))
        req.resume()
      }, 200),
    )
    const started = Date.now()
    // More stalled streams than the reset limit: the deadline's own resets are not a flood.
    const codes = await Promise.all(Array.from({ length: MAX_RESETS * 2 }, () => open(session, false).closed))
    expect(codes).toEqual(Array(MAX_RESETS * 2).fill(NGHTTP2_CANCEL))
    expect(Date.now() - started).toBeGreaterThanOrEqual(190)
    expect(aborted).toHaveLength(MAX_RESETS * 2)
    expect(floods).toEqual([])
    session.destroy()
  })

  it('after a complete response, asks the client to stop sending with NO_ERROR', async () => {
    const { session } = await connect(await start((_req, res) => res.end('early answer'), 200))
    const { stream, closed } = open(session, false)
    let body = ''
    stream.setEncoding('utf8')
    stream.on('data', (chunk: string) => (body += chunk))
    expect(await closed).toBe(NGHTTP2_NO_ERROR)
    expect(body).toBe('early answer')
    session.destroy()
  })

  it('a body that arrives in time is not touched', async () => {
    const { session } = await connect(
      await start((req, res) => {
        let size = 0
        req.on('data', (chunk: Buffer) => (size += chunk.length))
        req.on('end', () => res.end(String(size)))
      }, 200),
    )
    const { stream, closed } = open(session, false)
    let body = ''
    stream.setEncoding('utf8')
    stream.on('data', (chunk: string) => (body += chunk))
    stream.end('0123456789')
    expect(await closed).toBe(NGHTTP2_NO_ERROR)
    expect(body).toBe('10')
    session.destroy()
  })
})
