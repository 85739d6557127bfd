// The sink of a streamed answer whose request Sluice asked usage for on the client's behalf
// (Dialect.withStreamUsage): the added bytes come out before the client sees them
// (providers/streams/usage-strip.ts), so the client gets what it asked for, byte for byte. The
// attempt reads the usage from the upstream's own bytes before they reach this sink.
import type { IncomingHttpHeaders } from 'node:http'
import type { Sink } from '../core/channel.js'
import type { SluiceError } from '../core/errors.js'
import type { UsageReader } from '../core/wire.js'
import { UsageStripper } from '../providers/streams/usage-strip.js'

export class UsageStripSink implements Sink {
  #stripper: UsageStripper | undefined

  constructor(private readonly inner: Sink) {}

  get failed(): boolean {
    return this.inner.failed
  }

  get usage(): UsageReader | undefined {
    return this.inner.usage
  }

  head(status: number, headers: IncomingHttpHeaders): void {
    // Only a 2xx event stream carries the added bytes; an error body passes as it came.
    const type = headers['content-type']
    if (status >= 200 && status < 300 && typeof type === 'string' && type.includes('text/event-stream')) this.#stripper = new UsageStripper()
    this.inner.head(status, headers)
  }

  write(chunk: Buffer): boolean {
    if (this.#stripper === undefined) return this.inner.write(chunk)
    const out = this.#stripper.push(chunk)
    return out.length === 0 ? true : this.inner.write(out)
  }

  end(): void {
    this.#flush()
    this.inner.end()
  }

  broken(): void {
    // The client gets the bytes it would have got before the cut, then the failure.
    this.#flush()
    this.inner.broken()
  }

  refuse(error: SluiceError): void {
    this.#stripper = undefined
    this.inner.refuse(error)
  }

  #flush(): void {
    const rest = this.#stripper?.flush()
    if (rest !== undefined && rest.length > 0) this.inner.write(rest)
  }
}
