// A client channel that records what the exchange wrote (core/channel.ts), for unit tests of the
// upstream engine without a client socket. It closes once the answer ended or failed, as a
// response does; `closeNow()` plays a client that went away.
import type { ClientChannel, ResponseHeaders } from '../../src/core/channel.js'

export class RecordingChannel implements ClientChannel {
  status = 0
  headers: ResponseHeaders = {}
  readonly chunks: Buffer[] = []
  ended = false
  failed = false
  readonly http1 = true
  #closed = false
  readonly #listeners: Array<() => void> = []

  get started(): boolean {
    return this.status !== 0
  }

  get body(): string {
    return Buffer.concat(this.chunks).toString()
  }

  head(status: number, headers: ResponseHeaders): void {
    this.status = status
    this.headers = headers
  }

  chunk(data: Buffer | string, flushed?: () => void): boolean {
    this.chunks.push(Buffer.from(data))
    if (flushed !== undefined) queueMicrotask(flushed)
    return true
  }

  end(data?: Buffer | string): void {
    if (data !== undefined) this.chunks.push(Buffer.from(data))
    this.ended = true
    this.closeNow()
  }

  replay(status: number, headers: ResponseHeaders, body: Buffer | string): void {
    this.head(status, headers)
    this.end(body)
  }

  fail(): void {
    this.failed = true
    this.closeNow()
  }

  onClose(listener: () => void): void {
    this.#listeners.push(listener)
  }

  onDrain(): void {}

  closeAfter(): void {}

  closeNow(): void {
    if (this.#closed) return
    this.#closed = true
    for (const listener of this.#listeners.splice(0)) queueMicrotask(listener)
  }
}
