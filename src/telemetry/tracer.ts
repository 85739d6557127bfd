// Request tracing for the composition root (docs/observability.md). Off by default, and then free:
// this file imports no OpenTelemetry module, the SDK is loaded with a dynamic import only when
// `telemetry.tracing.enabled` is set, and the data plane is handed no tracer (one `undefined` check
// per request, no attempt records).
import type { Logger } from 'pino'
import type { RequestTracer } from '../core/tracing.js'
import type { TracingConfig } from './schema.js'

export async function loadTracer(config: TracingConfig, logger: Logger): Promise<RequestTracer | undefined> {
  if (!config.enabled) return undefined
  const { createOtelTracer } = await import('./otel-tracer.js')
  return createOtelTracer(config, logger)
}
