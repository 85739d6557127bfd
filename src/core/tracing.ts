// What request tracing (src/telemetry/) is handed, so the data plane never imports the SDK. The
// tracer exists only when `telemetry.tracing.enabled` is set; off, the data plane makes no record
// of attempts and checks one `undefined` per request.
import type { Outcome, RequestFacts } from './facts.js'

export type { AttemptRecord } from './facts.js'

/** A settled request as the tracer reads it (the pipeline's request record satisfies it). */
export interface TracedRequest {
  readonly requestId: string
  /** performance.now() at arrival. */
  readonly arrivedAt: number
  readonly provider: string
  readonly route: string
  readonly facts: RequestFacts | undefined
  /** The client's `traceparent` header, kept only when tracing is on. */
  readonly traceparent: string | string[] | undefined
}

export interface RequestTracer {
  /** Called once per request when it settles; `endedAt` on the monotonic clock. Must not throw. */
  request(request: TracedRequest, outcome: Outcome, endedAt: number): void
  /** Exports what is queued and stops. */
  shutdown(): Promise<void>
}
