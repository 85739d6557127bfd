// The client channel implementations (core/channel.ts): one backed by the client's response — the
// only code on the data plane that writes to it — one that discards everything, for calls nobody
// waits for (shadow traffic), and one that keeps the answer for Sluice itself (the guard model). `sendError` renders Sluice's own answer in the client's dialect.
import type { ClientChannel, ResponseHeaders } from '../core/channel.js'
import type { SluiceError } from '../core/errors.js'
import type { Disposition } from '../core/facts.js'
import type { Dialect } from '../core/wire.js'

/** What the data plane needs of a response; both http.ServerResponse and Http2ServerResponse fit. */
export interface ClientResponse {
  readonly headersSent: boolean
  readonly req: { readonly httpVersionMajor: number }
  shouldKeepAlive?: boolean
  writeHead(status: number, headers: ResponseHeaders): unknown
  write(chunk: Buffer | string, callback?: () => void): boolean
  end(): unknown
  end(chunk: string | Buffer): unknown
  destroy(error?: Error): unknown
  once(event: 'close' | 'drain', listener: () => void): unknown
}

export class ResponseChannel implements ClientChannel {
  constructor(private readonly res: ClientResponse) {}

  get started(): boolean {
    return this.res.headersSent
  }

  get http1(): boolean {
    return this.res.req.httpVersionMajor === 1
  }

  head(status: number, headers: ResponseHeaders): void {
    this.res.writeHead(status, headers)
  }

  chunk(data: Buffer | string, flushed?: () => void): boolean {
    return this.res.write(data, flushed)
  }

  end(data?: Buffer | string): void {
    if (data === undefined) this.res.end()
    else this.res.end(data)
  }

  replay(status: number, headers: ResponseHeaders, body: Buffer | string): void {
    this.res.writeHead(status, headers)
    this.res.end(body)
  }

  fail(): void {
    this.res.destroy()
  }

  onClose(listener: () => void): void {
    this.res.once('close', listener)
  }

  onDrain(listener: () => void): void {
    this.res.once('drain', listener)
  }

  closeAfter(): void {
    if ('shouldKeepAlive' in this.res) this.res.shouldKeepAlive = false
  }
}

/**
 * Nobody is listening: every write is accepted and dropped, the channel "closes" once the answer
 * ended or failed (so an exchange's close handling runs as for a finished response).
 */
export class DiscardChannel implements ClientChannel {
  #started = false
  #closed = false
  readonly #listeners: Array<() => void> = []
  readonly http1 = false

  get started(): boolean {
    return this.#started
  }

  head(_status?: number, _headers?: ResponseHeaders): void {
    this.#started = true
  }

  chunk(_data: Buffer | string, flushed?: () => void): boolean {
    if (flushed !== undefined) queueMicrotask(flushed)
    return true
  }

  end(_data?: Buffer | string): void {
    this.#started = true
    this.#close()
  }

  replay(status: number, headers: ResponseHeaders, body: Buffer | string): void {
    this.head(status, headers)
    this.end(body)
  }

  fail(): void {
    this.#close()
  }

  onClose(listener: () => void): void {
    if (this.#closed) queueMicrotask(listener)
    else this.#listeners.push(listener)
  }

  onDrain(): void {}

  closeAfter(): void {}

  #close(): void {
    if (this.#closed) return
    this.#closed = true
    for (const listener of this.#listeners.splice(0)) queueMicrotask(listener)
  }
}

/** Nobody is listening, but the answer is kept: the status and body of a call Sluice makes for itself (the guard model's). */
export class KeepingChannel extends DiscardChannel {
  status = 0
  readonly #chunks: Buffer[] = []

  get body(): string {
    return Buffer.concat(this.#chunks).toString('utf8')
  }

  override head(status: number): void {
    this.status = status
    super.head()
  }

  override chunk(data: Buffer | string, flushed?: () => void): boolean {
    this.#chunks.push(Buffer.from(data))
    return super.chunk(data, flushed)
  }

  override end(data?: Buffer | string): void {
    if (data !== undefined) this.#chunks.push(Buffer.from(data))
    super.end()
  }

  override fail(): void {
    this.status = 0
    super.fail()
  }
}

/** Sluice's own answer (a denial or failure) in the client's dialect (docs/errors.md); a cut if the head already went out. */
export function sendError(
  channel: ClientChannel,
  dialect: Dialect,
  error: SluiceError,
  decision: Disposition,
  closeConnection = false,
  extraHeaders?: Readonly<Record<string, string>>,
): void {
  if (channel.started) return channel.fail()
  const rendered = dialect.renderError(error)
  const headers: Record<string, string> = {
    ...extraHeaders,
    ...rendered.headers,
    'content-length': String(Buffer.byteLength(rendered.body)),
    'x-sluice-request-id': error.requestId,
    'x-sluice-decision': decision,
  }
  // HTTP/1.1 only: a request body we refused to read would otherwise desynchronise keep-alive.
  if (closeConnection && channel.http1) headers.connection = 'close'
  channel.replay(rendered.status, headers, rendered.body)
}
