// Resilience config (docs/resilience.md): circuit breakers per upstream target and retries before the
// first byte. Mounted at `resilience:` in the main schema; per-target timeouts sit on each target
// (`models.<name>.targets[].timeouts`) and default to the provider's own timeouts.
import { Type, type Static } from '@sinclair/typebox'
import { FailureKinds, type FailureKind } from '../core/target.js'

const Kinds = (defaults: FailureKind[], description: string) =>
  Type.Array(Type.Union(FailureKinds.map((k) => Type.Literal(k))), { uniqueItems: true, default: defaults, description })

export const CircuitBreakerSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: true }),
    errorThresholdPercent: Type.Number({
      exclusiveMinimum: 0,
      maximum: 100,
      default: 50,
      description:
        'Opens when failures (outcomes in failOn) are more than this percentage of the attempts started in the window, those still in flight included.',
    }),
    volumeThreshold: Type.Integer({ minimum: 1, default: 20, description: 'Attempts started in the window (in flight included) before it may open.' }),
    windowMs: Type.Integer({ minimum: 100, default: 10_000, description: 'Length of the rolling window of counts.' }),
    windowBuckets: Type.Integer({ minimum: 1, maximum: 100, default: 10, description: 'Buckets the window is counted in.' }),
    resetTimeoutMs: Type.Integer({
      minimum: 1,
      default: 30_000,
      description:
        'How long an open circuit refuses before letting one probe through (half-open); the probe\'s success closes it with a fresh window, its failure opens it again.',
    }),
    failOn: Kinds(['5xx', 'timeout', 'connection'], 'Attempt outcomes that count as failures; add `429` to trip on throttling.'),
  },
  { additionalProperties: false, default: {}, description: 'One breaker per upstream target (opossum), shared by every route to it.' },
)
export type CircuitBreakerConfig = Static<typeof CircuitBreakerSchema>

export const RetriesSchema = Type.Object(
  {
    maxRetries: Type.Integer({ minimum: 0, maximum: 10, default: 1, description: 'Extra attempts on the same target before falling back.' }),
    retryOn: Kinds(['5xx', '429', 'timeout', 'connection'], 'Attempt outcomes worth another attempt (same target, then the fallbacks).'),
    backoffMs: Type.Integer({ minimum: 0, default: 100, description: 'Base of the full-jitter exponential backoff.' }),
    maxBackoffMs: Type.Integer({ minimum: 0, default: 2_000, description: 'Cap of one backoff.' }),
    maxRetryAfterMs: Type.Integer({
      minimum: 0,
      default: 5_000,
      description: 'An upstream Retry-After up to this is waited out; a longer one moves on to the next target at once.',
    }),
    deadlineMs: Type.Integer({
      minimum: 1,
      default: 300_000,
      description:
        'Total time for attempts, backoffs and fallbacks before the first byte reaches the client. An attempt\'s first-byte timeout never outlasts it; the default matches the providers\' headersTimeoutMs, since a long non-streamed answer may take minutes to start.',
    }),
  },
  {
    additionalProperties: false,
    default: {},
    description: 'Retries happen only before any byte reached the client; after that a failure ends the response with an error.',
  },
)
export type RetriesConfig = Static<typeof RetriesSchema>

export const ResilienceSchema = Type.Object(
  { circuitBreaker: CircuitBreakerSchema, retries: RetriesSchema },
  { additionalProperties: false, default: {}, description: 'Circuit breakers, retries and fallbacks (docs/resilience.md).' },
)
export type ResilienceConfig = Static<typeof ResilienceSchema>

export const TimeoutsSchema = Type.Object(
  {
    connectMs: Type.Optional(Type.Integer({ minimum: 1, description: 'TCP/TLS connect. Default: the provider\'s connectTimeoutMs.' })),
    firstByteMs: Type.Optional(
      Type.Integer({ minimum: 1, description: 'Response head after the request went out. Default: the provider\'s headersTimeoutMs.' }),
    ),
    idleMs: Type.Optional(Type.Integer({ minimum: 1, description: 'Gap between body chunks. Default: the provider\'s bodyTimeoutMs.' })),
  },
  { additionalProperties: false, description: 'Timeouts of this target; a timeout is a `timeout` failure.' },
)
export type TimeoutsConfig = Static<typeof TimeoutsSchema>
