// An upstream's non-2xx answer, for the unified endpoint, in OpenAI's error format
// `{"error":{"message","type","code","param"}}`: the client speaks OpenAI whichever provider
// answered. The upstream's status, error name and words are kept, prefixed with the provider, so
// the client learns why the call failed and the openai SDK picks its error class (and whether to
// retry) from the status as it would for OpenAI itself.
import type { IncomingHttpHeaders } from 'node:http'
import type { ProviderType, RenderedError } from '../core/wire.js'
import { isObject, parseJsonObject } from '../providers/request.js'

/** Error pages can be whole HTML documents; this much of the upstream's text is enough to act on. */
const MAX_DETAIL_CHARS = 1000

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined)

/** `name: detail`, or whichever of the two is known. */
export function joinDetail(name: string | undefined, detail: string | undefined): string | undefined {
  return name !== undefined && detail !== undefined ? `${name}: ${detail}` : (name ?? detail)
}

/** The start of a body that is not a known error shape, on one line. */
function rawText(body: Buffer): string | undefined {
  const raw = body.toString('utf8', 0, Math.min(body.length, 4 * MAX_DETAIL_CHARS)).replace(/\s+/g, ' ').trim()
  return raw === '' ? undefined : raw
}

export interface UpstreamErrorDetail {
  /** `name: text` (the text defaulting to the raw body), at most ~1000 chars; undefined when both are missing. */
  readonly message: string | undefined
  /** The upstream's error name: an AWS exception, a Google status, an OpenAI code. */
  readonly name: string | undefined
  /** An OpenAI-shaped body's own `type` (e.g. `insufficient_quota`), kept as is. */
  readonly type: string | undefined
}

/**
 * Reads the error shapes the providers use: Google's `{error:{code,message,status}}`, OpenAI's and
 * Llama's `{error:{message,type,code}}`, Anthropic's `{type:"error",error:{type,message}}`, AWS's `{message}` / `{Message}` (whose name travels apart,
 * in a header or an event-stream header, and is passed as `name`) and problem details `{title,detail}`.
 */
export function upstreamErrorDetail(body: Buffer, name?: string): UpstreamErrorDetail {
  const json = parseJsonObject(body)
  const error = json?.error
  let detail: string | undefined
  let type: string | undefined
  if (isObject(error) && json?.type === 'error') {
    // Anthropic's error: its inner `type` (overloaded_error, …) is the error's name, not OpenAI's type.
    name ??= text(error.type)
    detail = text(error.message)
  } else if (isObject(error)) {
    name ??= text(error.status) ?? text(error.code)
    detail = text(error.message)
    type = text(error.type)
  } else if (json !== undefined) {
    name ??= text(json.title)
    detail = text(error) ?? text(json.message) ?? text(json.Message) ?? text(json.detail)
  }
  const message = joinDetail(name, detail ?? rawText(body))
  return { message: message !== undefined && message.length > MAX_DETAIL_CHARS ? `${message.slice(0, MAX_DETAIL_CHARS)}…` : message, name, type }
}

/** AWS may append the model's namespace: `ThrottlingException:http://internal.amazon.com/coral/…`. */
function awsErrorType(value: string | string[] | undefined): string | undefined {
  if (typeof value !== 'string') return undefined
  const colon = value.indexOf(':')
  return text(colon === -1 ? value : value.slice(0, colon))
}

// The types OpenAI itself answers with for each status; the SDK only looks at the status.
const ERROR_TYPES: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  429: 'rate_limit_error',
}

function errorType(status: number): string {
  return status >= 500 ? 'server_error' : (ERROR_TYPES[status] ?? 'invalid_request_error')
}

export function translateUpstreamError(
  provider: ProviderType,
  status: number,
  headers: IncomingHttpHeaders,
  body: Buffer,
  requestId: string,
): RenderedError {
  const detail = upstreamErrorDetail(body, provider === 'bedrock' ? awsErrorType(headers['x-amzn-errortype']) : undefined)
  const out: Record<string, string> = { 'content-type': 'application/json', 'x-request-id': requestId }
  const retryAfter = headers['retry-after']
  if (typeof retryAfter === 'string') out['retry-after'] = retryAfter
  const error = { message: `${provider}: ${detail.message ?? `HTTP ${status}`}`, type: detail.type ?? errorType(status), code: detail.name ?? null, param: null }
  return { status, headers: out, body: JSON.stringify({ error }) }
}
