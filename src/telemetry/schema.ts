// Telemetry config, mounted at `telemetry:` in the main schema (docs/observability.md). Tracing is
// off by default, and then costs nothing: the OpenTelemetry SDK is not even loaded. Read at
// startup only: turning it on or moving the endpoint takes a restart.
import { Type, type Static } from '@sinclair/typebox'
import { Secret, SecretUserinfo } from '../core/secret.js'

export const TracingSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: false, description: 'Export one trace span per request (and a child per upstream attempt) over OTLP/HTTP.' }),
    // Userinfo in the URL is redacted like a provider endpoint's.
    endpoint: SecretUserinfo(
      Type.String({
        pattern: '^https?://',
        patternErrorMessage: 'must be an http:// or https:// URL',
        default: 'http://127.0.0.1:4318/v1/traces',
        description: "The collector's OTLP/HTTP traces URL (JSON encoding), path included.",
      }),
    ),
    headers: Type.Record(Type.String({ pattern: '^[A-Za-z0-9-]+$' }), Secret(Type.String()), {
      default: {},
      description: 'Headers on every export (a collector token); redacted like every secret.',
    }),
    serviceName: Type.String({ minLength: 1, default: 'sluice', description: 'The `service.name` resource attribute.' }),
    exportTimeoutMs: Type.Integer({ minimum: 1, default: 10_000, description: 'Timeout of one export request.' }),
    maxQueueSize: Type.Integer({ minimum: 1, default: 2048, description: 'Finished spans held for export; past it new spans are dropped (never the requests).' }),
  },
  { additionalProperties: false, default: {} },
)
export type TracingConfig = Static<typeof TracingSchema>

export const TelemetrySchema = Type.Object({ tracing: TracingSchema }, { additionalProperties: false, default: {}, description: 'Traces (OpenTelemetry); metrics are always on at the admin port\'s /metrics.' })
export type TelemetryConfig = Static<typeof TelemetrySchema>
