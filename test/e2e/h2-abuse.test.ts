// HTTP/2 abuse against a real Sluice: rapid-reset floods with and without
// DATA (CVE-2023-44487), streams whose body never arrives, idle sessions, and the HTTP/1.1 and
// pre-sniff timeouts, at a scale that runs in a few seconds. The raw client is node:http2 (or
// node:net for HTTP/1.1); everything goes to 127.0.0.1. Sluice runs in this process, so its RSS
// is this process's.
import http2 from 'node:http2'
import net from 'node:net'
import OpenAI from 'openai'
import { ConverseCommand } from '@aws-sdk/client-bedrock-runtime'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bedrockThroughSluice } from '../support/bedrock.js'
import { CLIENT, startStack, type Stack } from '../support/stack.js'

const { NGHTTP2_CANCEL, NGHTTP2_ENHANCE_YOUR_CALM, NGHTTP2_NO_ERROR } = http2.constants
const BODY_TIMEOUT_MS = 1_000
const IDLE_TIMEOUT_MS = 1_500
/** Timers on a busy 2-core machine fire late; this much late is still "within the limit". */
const SLACK_MS = 3_000
const CHAT = '/openai/v1/chat/completions'

let stack: Stack

beforeAll(async () => {
  stack = await startStack({
    configure: (config) => {
      const server = config.server as Record<string, unknown>
      server.requestBodyTimeoutMs = BODY_TIMEOUT_MS
      server.headersTimeoutMs = BODY_TIMEOUT_MS
      server.idleTimeoutMs = IDLE_TIMEOUT_MS
    },
  })
})
afterAll(async () => {
  await stack.close()
})

const requestHeaders = (contentLength: number): http2.OutgoingHttpHeaders => ({
  ':method': 'POST',
  ':path': CHAT,
  'content-type': 'application/json',
  'content-length': String(contentLength),
  authorization: `Bearer ${CLIENT.credentials.apiKey}`,
})

function connect(): Promise<http2.ClientHttp2Session> {
  const session = http2.connect(stack.sluice.dataUrl)
  session.on('error', () => {})
  return new Promise((resolve, reject) => {
    // The server's SETTINGS (its stream limit among them) arrive after the connection opens.
    session.once('remoteSettings', () => resolve(session))
    session.once('error', reject)
  })
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

interface FloodResult {
  kind: FloodKind
  sent: number
  goawayCode: number | undefined
  closed: boolean
}

/** What each flooding stream sends before its reset. */
type FloodKind = 'data' | 'headers'

/**
 * Opens streams in batches and resets each batch with CANCEL once its frames are on the wire:
 * - `data`: HEADERS (content-length 100) and 50 bytes of body, reset before the body is complete;
 * - `headers`: the same HEADERS and nothing else, no DATA.
 * (Resets of streams Sluice has already answered never reach JavaScript; nghttp2's own bucket,
 * 1000 resets refilled at 33/s, answers those with GOAWAY INTERNAL_ERROR.)
 * Stops at `streams`, at `deadlineMs`, or when the server ends the session.
 */
async function resetFlood(kind: FloodKind, streams: number, deadlineMs: number): Promise<FloodResult> {
  const session = await connect()
  let goawayCode: number | undefined
  session.on('goaway', (code: number) => (goawayCode ??= code))
  const closed = new Promise<true>((resolve) => session.once('close', () => resolve(true)))
  const deadline = Date.now() + deadlineMs
  const chunk = Buffer.alloc(50, 0x20)
  const headers = requestHeaders(100)
  let sent = 0
  while (sent < streams && Date.now() < deadline && !session.closed && !session.destroyed) {
    const batch: http2.ClientHttp2Stream[] = []
    try {
      for (let i = 0; i < 64 && sent < streams; i++, sent++) {
        const stream = session.request(headers, { endStream: false })
        stream.on('error', () => {})
        if (kind === 'data') stream.write(chunk)
        batch.push(stream)
      }
    } catch {
      break // the session got GOAWAY between two checks
    }
    await tick() // the frames leave; a reset before that would cancel them client-side
    for (const stream of batch) stream.close(NGHTTP2_CANCEL)
    await tick()
  }
  const ended = await Promise.race([closed, new Promise<false>((resolve) => setTimeout(() => resolve(false), 2_000).unref())])
  session.destroy()
  return { kind, sent, goawayCode, closed: ended }
}

async function inFlightRequests(): Promise<number> {
  const text = await (await fetch(`${stack.sluice.adminUrl}/metrics`)).text()
  const match = /^sluice_in_flight_requests (\d+)/m.exec(text)
  return Number(match?.[1] ?? NaN)
}

async function goodUnifiedCall(): Promise<string | null | undefined> {
  const openai = new OpenAI({ baseURL: `${stack.sluice.dataUrl}/openai/v1`, apiKey: CLIENT.credentials.apiKey, maxRetries: 0 })
  const result = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'still there?' }] })
  return result.choices[0]?.message.content
}

async function goodBedrockCall(): Promise<string | undefined> {
  const bedrock = bedrockThroughSluice(stack.sluice.dataUrl)
  try {
    const out = await bedrock.send(
      new ConverseCommand({ modelId: 'anthropic.claude-3-haiku-20240307-v1:0', messages: [{ role: 'user', content: [{ text: 'hi' }] }] }),
    )
    return out.output?.message?.content?.[0]?.text
  } finally {
    bedrock.destroy()
  }
}

const mb = (bytes: number): number => Math.round(bytes / 1024 / 1024)

describe('HTTP/2 rapid reset, with and without DATA', () => {
  it('every flooding session gets GOAWAY ENHANCE_YOUR_CALM and is closed, memory stays bounded, good calls are served', async () => {
    const decisionsBefore = stack.decisions.length
    const rssBefore = process.memoryUsage().rss
    const started = Date.now()
    // Six connections, each able to reset 3000 streams: six times the default limit of 500 per
    // 10 s, and three times nghttp2's own bucket (1000 resets, refilled at 33/s).
    const kinds: FloodKind[] = ['data', 'data', 'data', 'data', 'headers', 'headers']
    const attack = Promise.all(kinds.map((kind) => resetFlood(kind, 3_000, 8_000)))
    // Good calls while the floods run: HTTP/1.1 through the OpenAI SDK, h2c through the Bedrock SDK.
    const during = await Promise.all([goodUnifiedCall(), goodBedrockCall()])
    const floods = await attack
    const elapsedMs = Date.now() - started
    const after = await Promise.all([goodUnifiedCall(), goodBedrockCall()])
    const rssAfter = process.memoryUsage().rss
    const sent = floods.reduce((sum, f) => sum + f.sent, 0)
    console.log(
      `rapid reset: ${sent} streams sent (${floods.map((f) => `${f.kind} ${f.sent}`).join(', ')}) in ${elapsedMs} ms; ` +
        `GOAWAY codes ${floods.map((f) => f.goawayCode).join(',')}; ${stack.decisions.length - decisionsBefore} requests settled; ` +
        `rss ${mb(rssBefore)} → ${mb(rssAfter)} MB; good calls ${during.length + after.length} served`,
    )
    for (const text of [...during, ...after]) expect(text).toBeTruthy()
    for (const flood of floods) {
      expect(flood.goawayCode).toBe(NGHTTP2_ENHANCE_YOUR_CALM)
      expect(flood.closed).toBe(true)
      expect(flood.sent).toBeLessThan(3_000)
    }
    expect(rssAfter - rssBefore).toBeLessThan(150 * 1024 * 1024)
    expect(await inFlightRequests()).toBe(0)
  })
})

describe('HTTP/2 streams whose body never arrives', () => {
  it('are reset with CANCEL within requestBodyTimeoutMs and their requests settle', async () => {
    const rssBefore = process.memoryUsage().rss
    const sessions = await Promise.all(Array.from({ length: 3 }, () => connect()))
    const limit = sessions[0]!.remoteSettings.maxConcurrentStreams ?? 0
    expect(limit).toBe(128)
    const started = Date.now()
    const closes: Array<Promise<{ code: number; afterMs: number }>> = []
    for (const session of sessions) {
      for (let i = 0; i < limit; i++) {
        const stream = session.request(requestHeaders(100), { endStream: false }) // HEADERS, then nothing
        stream.on('error', () => {})
        closes.push(new Promise((resolve) => stream.once('close', () => resolve({ code: stream.rstCode ?? -1, afterMs: Date.now() - started }))))
      }
    }
    const during = await goodUnifiedCall()
    const closed = await Promise.all(closes)
    const slowestMs = Math.max(...closed.map((c) => c.afterMs))
    const rssAfter = process.memoryUsage().rss
    const inFlight = await inFlightRequests()
    const after = await goodBedrockCall()
    console.log(
      `stalled streams: ${closed.length} on ${sessions.length} sessions, all reset after ${Math.min(...closed.map((c) => c.afterMs))}–${slowestMs} ms ` +
        `(limit ${BODY_TIMEOUT_MS} ms); rss ${mb(rssBefore)} → ${mb(rssAfter)} MB; in flight afterwards ${inFlight}`,
    )
    for (const session of sessions) session.destroy()
    expect(closed.every((c) => c.code === NGHTTP2_CANCEL)).toBe(true)
    expect(Math.min(...closed.map((c) => c.afterMs))).toBeGreaterThanOrEqual(BODY_TIMEOUT_MS - 50)
    expect(slowestMs).toBeLessThan(BODY_TIMEOUT_MS + SLACK_MS)
    expect(inFlight).toBe(0)
    expect(during).toBeTruthy()
    expect(after).toBeTruthy()
    expect(rssAfter - rssBefore).toBeLessThan(100 * 1024 * 1024)
  })

  it('a session with no open stream is closed with GOAWAY NO_ERROR after idleTimeoutMs', async () => {
    const session = await connect()
    const started = Date.now()
    const goaway = new Promise<number>((resolve) => session.once('goaway', (code: number) => resolve(code)))
    const closed = new Promise<void>((resolve) => session.once('close', () => resolve()))
    expect(await goaway).toBe(NGHTTP2_NO_ERROR)
    await closed
    const afterMs = Date.now() - started
    expect(afterMs).toBeGreaterThanOrEqual(IDLE_TIMEOUT_MS - 50)
    expect(afterMs).toBeLessThan(IDLE_TIMEOUT_MS + SLACK_MS)
  })
})

describe('connections that stall on HTTP/1.1 or before the first byte', () => {
  /** Opens a raw socket, writes `bytes`, and resolves with everything received until the server closes it. */
  function stall(bytes: string): Promise<{ received: string; afterMs: number }> {
    const url = new URL(stack.sluice.dataUrl)
    const socket = net.connect(Number(url.port), url.hostname)
    const started = Date.now()
    let received = ''
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => (received += chunk))
    socket.on('error', () => {})
    socket.once('connect', () => {
      if (bytes !== '') socket.write(bytes)
    })
    return new Promise((resolve) => socket.once('close', () => resolve({ received, afterMs: Date.now() - started })))
  }

  it('a request body that never arrives gets 408 within requestBodyTimeoutMs', async () => {
    const head =
      `POST ${CHAT} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n` +
      `authorization: Bearer ${CLIENT.credentials.apiKey}\r\ncontent-length: 100\r\n\r\n{"model":`
    const results = await Promise.all(Array.from({ length: 20 }, () => stall(head)))
    for (const { received, afterMs } of results) {
      expect(received).toMatch(/^HTTP\/1\.1 408 /)
      expect(afterMs).toBeGreaterThanOrEqual(BODY_TIMEOUT_MS - 50)
      expect(afterMs).toBeLessThan(BODY_TIMEOUT_MS + SLACK_MS)
    }
    expect(await inFlightRequests()).toBe(0)
    expect(await goodUnifiedCall()).toBeTruthy()
  })

  it('a connection that sends nothing is closed after headersTimeoutMs', async () => {
    const { received, afterMs } = await stall('')
    expect(received).toBe('')
    expect(afterMs).toBeGreaterThanOrEqual(BODY_TIMEOUT_MS - 50)
    expect(afterMs).toBeLessThan(BODY_TIMEOUT_MS + SLACK_MS)
  })
})
