// A client channel that turns the unified chat path's answer into the Responses API's
// (docs/unified.md#responses): a 200 `chat.completion` replayed whole becomes a Response object, a
// 200 chat SSE stream becomes Responses events as it is written (unified/responses/stream.ts);
// errors and every other status pass through as they are (OpenAI's error shape is the same).
import type { ClientChannel, ResponseHeaders } from '../core/channel.js'
import { responseFromCompletion, ResponsesStream, type ResponseIdentity, type ResponsesEcho } from '../unified/responses/index.js'
import type { ChatCompletion } from '../unified/index.js'

function headerValue(headers: ResponseHeaders, name: string): string {
  const value = headers[name]
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '')
}

export class ResponsesChannel implements ClientChannel {
  #stream: ResponsesStream | undefined

  constructor(
    private readonly inner: ClientChannel,
    private readonly identity: ResponseIdentity,
    private readonly echo: ResponsesEcho,
  ) {}

  get started(): boolean {
    return this.inner.started
  }

  get http1(): boolean {
    return this.inner.http1
  }

  head(status: number, headers: ResponseHeaders): void {
    if (status === 200 && headerValue(headers, 'content-type').startsWith('text/event-stream')) this.#stream = new ResponsesStream(this.identity, this.echo)
    this.inner.head(status, headers)
  }

  chunk(data: Buffer | string, flushed?: () => void): boolean {
    const stream = this.#stream
    return this.inner.chunk(stream === undefined ? data : stream.write(String(data)), flushed)
  }

  end(data?: Buffer | string): void {
    const stream = this.#stream
    if (stream === undefined) return this.inner.end(data)
    this.inner.end(data === undefined ? undefined : stream.write(String(data)))
  }

  replay(status: number, headers: ResponseHeaders, body: Buffer | string): void {
    if (status !== 200 || !headerValue(headers, 'content-type').startsWith('application/json')) return this.inner.replay(status, headers, body)
    let completion: ChatCompletion
    try {
      completion = JSON.parse(String(body)) as ChatCompletion
    } catch {
      return this.inner.replay(status, headers, body)
    }
    const rendered = JSON.stringify(responseFromCompletion(completion, this.identity, this.echo))
    this.inner.replay(200, { ...headers, 'content-length': String(Buffer.byteLength(rendered)) }, rendered)
  }

  fail(): void {
    this.inner.fail()
  }

  onClose(listener: () => void): void {
    this.inner.onClose(listener)
  }

  onDrain(listener: () => void): void {
    this.inner.onDrain(listener)
  }

  closeAfter(): void {
    this.inner.closeAfter()
  }
}
