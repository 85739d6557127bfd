// The OpenTelemetry SDK behind RequestTracer (docs/observability.md), loaded only when tracing is
// on (./tracer.ts). Spans are built when a request settles, from what the pipeline recorded on
// the monotonic clock: one span per request (kind SERVER), continuing the client's `traceparent`
// when it is valid, and one CLIENT child per upstream attempt. A BatchSpanProcessor queues them
// and exports over OTLP/HTTP (JSON); a full queue drops spans, never slows a request. Every span
// is started with an explicit parent context, so no global context manager is registered.
import { diag, DiagLogLevel, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Tracer } from '@opentelemetry/api'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base'
import type { Logger } from 'pino'
import type { Outcome } from '../core/facts.js'
import type { RequestTracer, TracedRequest } from '../core/tracing.js'
import type { TracingConfig } from './schema.js'
import { attemptSpan, requestSpan, type SpanPlan } from './span-attributes.js'
import { parseTraceparent } from './traceparent.js'

/** performance.now() values → epoch milliseconds, which the SDK takes as wall-clock times. */
const EPOCH = performance.timeOrigin

export function createOtelTracer(config: TracingConfig, logger: Logger): RequestTracer {
  // The SDK reports export failures through its diagnostics logger; they go to ours, once each.
  diag.setLogger(diagnostics(logger), DiagLogLevel.WARN)
  const exporter = new OTLPTraceExporter({ url: config.endpoint, headers: { ...config.headers }, timeoutMillis: config.exportTimeoutMs })
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': config.serviceName }),
    spanProcessors: [new BatchSpanProcessor(exporter, { maxQueueSize: config.maxQueueSize, exportTimeoutMillis: config.exportTimeoutMs })],
  })
  const tracer = provider.getTracer('sluice')
  let failed = false
  return {
    request(request, outcome, endedAt) {
      try {
        record(tracer, request, outcome, endedAt)
      } catch (err) {
        if (!failed) logger.error({ err, requestId: request.requestId }, 'tracing a request failed; further failures are not logged')
        failed = true
      }
    },
    shutdown: () => provider.shutdown(),
  }
}

function record(tracer: Tracer, request: TracedRequest, outcome: Outcome, endedAt: number): void {
  const remote = parseTraceparent(request.traceparent)
  const parent: Context = remote === undefined ? ROOT_CONTEXT : trace.setSpanContext(ROOT_CONTEXT, { ...remote, isRemote: true })
  const plan = requestSpan(request, outcome)
  const span = tracer.startSpan(plan.name, { kind: SpanKind.SERVER, startTime: EPOCH + request.arrivedAt, attributes: plan.attributes }, parent)
  setStatus(span, plan)
  const log = outcome.attemptLog
  if (log !== undefined && span.isRecording()) {
    const within = trace.setSpan(parent, span)
    for (let i = 0; i < log.length; i++) {
      const attempt = log[i]!
      const child = attemptSpan(attempt, i)
      const s = tracer.startSpan(child.name, { kind: SpanKind.CLIENT, startTime: EPOCH + attempt.startedAt, attributes: child.attributes }, within)
      setStatus(s, child)
      // Still open when the request settled (the client went away): it ends with the request.
      s.end(EPOCH + (attempt.endedAt === 0 ? endedAt : attempt.endedAt))
    }
  }
  span.end(EPOCH + endedAt)
}

function setStatus(span: ReturnType<Tracer['startSpan']>, plan: SpanPlan): void {
  if (plan.error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: plan.error })
}

function diagnostics(logger: Logger): Parameters<typeof diag.setLogger>[0] {
  const seen = new Set<string>()
  const warn = (message: string): void => {
    if (seen.has(message)) return
    seen.add(message)
    logger.warn({ detail: message }, 'trace export problem (OpenTelemetry SDK)')
  }
  const ignore = (): void => {}
  return { error: warn, warn, info: ignore, debug: ignore, verbose: ignore }
}
