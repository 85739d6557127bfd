// Every response Sluice itself produces carries one of these codes (docs/errors.md). One row per code:
// HTTP status, the kind of failure (which each dialect maps to its own error type) and the
// message. Codes are never reused; docs/errors.md has a row per code (kept in step by a test).

export type ErrorKind =
  | 'invalid_request'
  | 'auth_missing'
  | 'auth_invalid'
  /** Authenticated, but policy does not allow this request (e.g. streaming switched off). */
  | 'forbidden'
  | 'not_found'
  | 'too_large'
  /** Over a rate limit: the dialect's throttling error. */
  | 'rate_limited'
  /** A budget is spent: an error each SDK treats as final, so it does not retry in a loop. */
  | 'budget_exhausted'
  | 'unavailable'
  /**
   * Refused on purpose (a kill switch, egress or a provider switched off): retrying cannot help
   * until an operator changes it, so each dialect sends the form its SDK does not retry (docs/errors.md).
   */
  | 'switched_off'
  | 'upstream'
  | 'timeout'
  | 'internal'

export interface ErrorSpec {
  readonly status: number
  readonly kind: ErrorKind
  readonly message: string
}

export const errors = {
  SLUICE_ERR_ROUTE_NOT_FOUND: { status: 404, kind: 'not_found', message: 'No provider mount or route matches this path.' },
  SLUICE_ERR_OPERATION_UNSUPPORTED: {
    status: 404,
    kind: 'not_found',
    message: 'This provider mount does not recognise the operation for this method and path.',
  },
  SLUICE_ERR_METHOD_NOT_ALLOWED: { status: 405, kind: 'invalid_request', message: 'This path does not accept that HTTP method.' },
  SLUICE_ERR_REQUEST_TOO_LARGE: { status: 413, kind: 'too_large', message: 'Request body exceeds the configured limit.' },
  SLUICE_ERR_REQUEST_MALFORMED: { status: 400, kind: 'invalid_request', message: 'Request body is not valid JSON.' },
  SLUICE_ERR_PATH_INVALID: { status: 400, kind: 'invalid_request', message: 'The request path is not one a provider API has.' },
  SLUICE_ERR_REQUEST_TOO_DEEP: {
    status: 400,
    kind: 'invalid_request',
    message: 'The request nests JSON objects or arrays more deeply than Sluice accepts.',
  },
  SLUICE_ERR_MODEL_INVALID: {
    status: 400,
    kind: 'invalid_request',
    message: 'The model could not be read from the request.',
  },
  SLUICE_ERR_REQUEST_INVALID: {
    status: 400,
    kind: 'invalid_request',
    message: 'The body is JSON but not a valid request for this operation.',
  },
  SLUICE_ERR_HEADER_INVALID: { status: 400, kind: 'invalid_request', message: 'A request header has an invalid value.' },
  SLUICE_ERR_AUTH_MISSING: { status: 401, kind: 'auth_missing', message: 'No credential was presented.' },
  SLUICE_ERR_AUTH_INVALID: {
    status: 403,
    kind: 'auth_invalid',
    message: 'The credential is unknown or its signature does not match.',
  },
  SLUICE_ERR_UPSTREAM_UNREACHABLE: {
    status: 502,
    kind: 'upstream',
    message: 'The upstream provider could not be reached.',
  },
  SLUICE_ERR_UPSTREAM_TIMEOUT: { status: 504, kind: 'timeout', message: 'The upstream provider did not answer in time.' },
  SLUICE_ERR_UPSTREAM_BROKEN: {
    status: 502,
    kind: 'upstream',
    message: 'The upstream stream broke off after the response had started; the answer is incomplete.',
  },
  SLUICE_ERR_UPSTREAM_AUTH: {
    status: 502,
    kind: 'upstream',
    message: 'Sluice could not obtain credentials to sign the upstream request.',
  },
  SLUICE_ERR_UPSTREAM_INVALID: {
    status: 502,
    kind: 'upstream',
    message: 'The upstream answer could not be translated to the unified (OpenAI) format.',
  },
  SLUICE_ERR_CIRCUIT_OPEN: {
    status: 503,
    kind: 'unavailable',
    message: 'The circuit breaker of every target for this request is open; retry after the Retry-After delay.',
  },
  SLUICE_ERR_VIRTUAL_MODEL_NOT_FOUND: {
    status: 404,
    kind: 'not_found',
    message: 'No virtual model of this name is configured (models: in config; GET /v1/models lists them).',
  },
  SLUICE_ERR_TRANSLATION_UNSUPPORTED: {
    status: 400,
    kind: 'invalid_request',
    message: 'The request uses a feature no target of this virtual model can be sent.',
  },
  SLUICE_ERR_KILL_GLOBAL: { status: 503, kind: 'switched_off', message: 'Emergency shutdown is on: Sluice forwards no AI traffic.' },
  SLUICE_ERR_KILL_PROVIDER: { status: 503, kind: 'switched_off', message: 'A kill switch blocks this provider.' },
  SLUICE_ERR_KILL_MODEL: { status: 503, kind: 'switched_off', message: 'A kill switch blocks this model.' },
  SLUICE_ERR_KILL_ROUTE: { status: 503, kind: 'switched_off', message: 'A kill switch blocks this route.' },
  SLUICE_ERR_KILL_CLIENT: { status: 503, kind: 'switched_off', message: 'A kill switch blocks this client or tenant.' },
  SLUICE_ERR_EGRESS_DISABLED: {
    status: 503,
    kind: 'switched_off',
    message: 'AI egress is switched off (flag ai.egress.enabled).',
  },
  SLUICE_ERR_PROVIDER_DISABLED: {
    status: 503,
    kind: 'switched_off',
    message: 'This provider is switched off (flag ai.provider.<name>.enabled).',
  },
  SLUICE_ERR_STREAMING_DISABLED: {
    status: 403,
    kind: 'forbidden',
    message: 'Streaming is switched off (flag ai.streaming.enabled); send the request without streaming.',
  },
  SLUICE_ERR_RATE_LIMITED: {
    status: 429,
    kind: 'rate_limited',
    message: 'A rate limit is exhausted; retry after the time in Retry-After.',
  },
  SLUICE_ERR_RATE_LIMIT_TOO_LARGE: {
    status: 400,
    kind: 'invalid_request',
    message: 'This request alone needs more tokens than a rate limit allows per window; make it smaller (lower max_tokens).',
  },
  SLUICE_ERR_GUARDRAIL_PII: {
    status: 400,
    kind: 'invalid_request',
    message: 'A guardrail refused this: it contains personal data.',
  },
  SLUICE_ERR_GUARDRAIL_CREDENTIALS: {
    status: 400,
    kind: 'invalid_request',
    message: 'A guardrail refused this: it contains a credential.',
  },
  SLUICE_ERR_GUARDRAIL_INJECTION: {
    status: 400,
    kind: 'invalid_request',
    message: 'A guardrail refused this: it looks like a prompt-injection attempt.',
  },
  SLUICE_ERR_GUARDRAIL_DENY_LIST: {
    status: 400,
    kind: 'invalid_request',
    message: 'A guardrail refused this: it contains a denied word or pattern.',
  },
  SLUICE_ERR_GUARDRAIL_MODEL: {
    status: 400,
    kind: 'invalid_request',
    message: 'A guardrail refused this request: the guard model judged it unsafe.',
  },
  SLUICE_ERR_GUARDRAIL_SIZE: {
    status: 400,
    kind: 'invalid_request',
    message: 'A guardrail refused this request: it is over a size limit.',
  },
  SLUICE_ERR_GUARDRAIL_UNAVAILABLE: {
    status: 400,
    kind: 'invalid_request',
    message: 'A guardrail could not read this body and its fail mode is closed.',
  },
  SLUICE_ERR_BUDGET_EXCEEDED: {
    status: 429,
    kind: 'budget_exhausted',
    message: 'A cost budget is spent for this window.',
  },
  SLUICE_ERR_BUDGET_THROTTLED: {
    status: 429,
    kind: 'rate_limited',
    message: 'A budget threshold throttles this scope to a share of its usual rate; retry shortly.',
  },
  SLUICE_ERR_BUDGET_PRICE_UNKNOWN: {
    status: 400,
    kind: 'invalid_request',
    message: 'No price is known for this model and budgets.unknownModel.policy is deny.',
  },
  SLUICE_ERR_GATE_FAILED: {
    status: 503,
    kind: 'unavailable',
    message: 'A gate failed internally and its fail mode is closed.',
  },
  SLUICE_ERR_EVENT_INVALID: { status: 400, kind: 'invalid_request', message: 'An event is not of the documented shape.' },
  SLUICE_ERR_EVENT_EXPERIMENT_UNKNOWN: {
    status: 404,
    kind: 'not_found',
    message: 'The event names no experiment that takes events.',
  },
  SLUICE_ERR_EVENT_METRIC_UNKNOWN: { status: 400, kind: 'invalid_request', message: 'The event names a metric its experiment does not declare.' },
  SLUICE_ERR_EVENT_UNASSIGNED: {
    status: 409,
    kind: 'invalid_request',
    message: 'The event\'s user was never assigned a variant of this experiment, so it cannot be credited.',
  },
  SLUICE_ERR_ADMIN_UNAUTHENTICATED: {
    status: 401,
    kind: 'auth_missing',
    message: 'The admin API needs Authorization: Bearer <token> with a token from admin.tokens.',
  },
  SLUICE_ERR_ADMIN_FORBIDDEN: { status: 403, kind: 'forbidden', message: "The token's role does not allow this action." },
  SLUICE_ERR_ADMIN_INVALID: { status: 400, kind: 'invalid_request', message: 'The admin request is invalid.' },
  SLUICE_ERR_ADMIN_NOT_FOUND: { status: 404, kind: 'not_found', message: 'No such admin resource.' },
  SLUICE_ERR_ADMIN_CONFLICT: { status: 409, kind: 'invalid_request', message: 'The change does not fit the current state.' },
  SLUICE_ERR_STATE_UNAVAILABLE: {
    status: 503,
    kind: 'unavailable',
    message: 'The state store could not complete the change; nothing was changed.',
  },
  SLUICE_ERR_SHUTTING_DOWN: { status: 503, kind: 'unavailable', message: 'Sluice is shutting down; retry on another instance.' },
  SLUICE_ERR_INTERNAL: { status: 500, kind: 'internal', message: 'Sluice failed while handling this request.' },
} as const satisfies Record<string, ErrorSpec>

export type ErrorCode = keyof typeof errors

/** A failure Sluice answers itself; a value, rendered by the client's dialect. */
export interface SluiceError {
  readonly code: ErrorCode
  readonly status: number
  readonly kind: ErrorKind
  readonly message: string
  readonly requestId: string
  /** Seconds, for 429/503 answers. */
  readonly retryAfterSeconds?: number
}

export function sluiceError(code: ErrorCode, requestId: string, detail?: string): SluiceError {
  const spec: ErrorSpec = errors[code]
  return {
    code,
    status: spec.status,
    kind: spec.kind,
    message: detail === undefined ? spec.message : `${spec.message} ${detail}`,
    requestId,
  }
}
