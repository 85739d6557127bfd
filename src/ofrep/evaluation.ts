// OFREP evaluation over the flag engine: the request body, the context as Sluice enriches it, and
// each result in OFREP's shape (open-feature/protocol service/openapi.yaml). Pure: no I/O.
import { createHash } from 'node:crypto'
import type { ClientConfig } from '../config/schema.js'
import { evaluateAny, type EvaluationContext, type EvaluationResult, type FlagSet, type FlagValue } from '../flags/index.js'
import { errors } from '../core/errors.js'
import { countEvaluation } from '../flags/counted.js'

type Result = EvaluationResult<FlagValue | undefined>
type JsonRecord = Record<string, unknown>

export type EvaluationRequest = { readonly ok: true; readonly context: JsonRecord } | { readonly ok: false; readonly detail: string }

/** `{"context": {...}}`; the body and its `context` are both optional in the spec. */
export function parseEvaluationRequest(body: Buffer): EvaluationRequest {
  if (body.length === 0) return { ok: true, context: {} }
  let parsed: unknown
  try {
    parsed = JSON.parse(body.toString('utf8'))
  } catch {
    return { ok: false, detail: errors.SLUICE_ERR_REQUEST_MALFORMED.message }
  }
  if (!isRecord(parsed)) return { ok: false, detail: 'The body must be a JSON object: {"context": {...}}.' }
  const context = parsed.context
  if (context === undefined || context === null) return { ok: true, context: {} }
  return isRecord(context) ? { ok: true, context } : { ok: false, detail: '`context` must be a JSON object.' }
}

/**
 * The caller's context with what Sluice knows for certain laid over it, as the data plane's own
 * context does (pipeline/facts.ts): Sluice's `environment`, and for an authenticated client its
 * configured attributes, `client` and `tenant`, so no caller can evaluate flags as another tenant.
 * `targetingKey` stays the caller's: it names the user, whom only the application knows.
 */
export function enrichContext(caller: JsonRecord, client: ClientConfig | undefined, environment: string): EvaluationContext {
  const context: JsonRecord = { ...caller, environment }
  if (client === undefined) return context
  for (const name in client.attributes) context[name] = client.attributes[name]
  context.client = client.id
  context.tenant = client.tenant
  return context
}

export interface SingleEvaluation {
  /** 200, or the spec's 404 for FLAG_NOT_FOUND and 400 for every other evaluation error. */
  readonly status: 200 | 400 | 404
  readonly body: string
}

export function evaluateSingle(flags: FlagSet, key: string, context: EvaluationContext): SingleEvaluation {
  const result = evaluateAny(flags, key, context)
  countEvaluation(result)
  const status = result.errorCode === undefined ? 200 : result.errorCode === 'FLAG_NOT_FOUND' ? 404 : 400
  return { status, body: renderResult(result) }
}

export interface BulkEvaluation {
  readonly body: string
  /** A strong validator of the body itself, so it changes exactly when the answer does. */
  readonly etag: string
}

/**
 * Every flag, disabled ones included as `reason: DISABLED` without a value: flagd's current
 * behaviour, which lets a static-context provider serve the code default for them instead of
 * reporting FLAG_NOT_FOUND. The ETag hashes the body rather than revision + context because
 * `$flagd.timestamp` rules can change the answer while both stay the same.
 */
export function evaluateBulk(flags: FlagSet, context: EvaluationContext): BulkEvaluation {
  const parts: string[] = []
  for (const key of flags.keys) {
    const result = evaluateAny(flags, key, context)
    countEvaluation(result)
    parts.push(renderResult(result))
  }
  const body = `{"flags":[${parts.join(',')}],"metadata":${JSON.stringify(flags.metadata)}}`
  return { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"` }
}

/** RFC 9110 §13.1.2: If-None-Match compares weakly, and `*` matches any current representation. */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false
  return ifNoneMatch.split(',').some((candidate) => {
    const tag = candidate.trim()
    return tag === '*' || tag === etag || tag === `W/${etag}`
  })
}

// Static and matched results are frozen objects the engine reuses, so their JSON is cached against
// them (as flags/counted.ts caches metric children): a bulk poll mostly concatenates strings.
const rendered = new WeakMap<object, string>()

/**
 * A result as OFREP's `evaluationSuccess` or `evaluationFailure`. Without a value (disabled, or no
 * default variant) `value` and `variant` are left out: OFREP's `codeDefaultFlag` (ADR 0006), which
 * tells the provider to use the caller's code default.
 */
function renderResult(result: Result): string {
  let json = rendered.get(result)
  if (json !== undefined) return json
  const { key, flagMetadata: metadata } = result
  json = JSON.stringify(
    result.errorCode === undefined
      ? { key, value: result.value, variant: result.variant, reason: result.reason, metadata }
      : { key, errorCode: result.errorCode, errorDetails: result.errorMessage, metadata },
  )
  if (Object.isFrozen(result)) rendered.set(result, json)
  return json
}

function isRecord(value: unknown): value is JsonRecord {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}
