// HTTP to the admin API (docs/admin-api.md) for `sluice ctl`: one request helper over global fetch, and the
// two ways a call fails — the API answered with an error, or nothing answered at all.
export const DEFAULT_ADMIN_URL = 'http://127.0.0.1:9901'
export const REQUEST_TIMEOUT_MS = 5_000

export type Role = 'viewer' | 'operator' | 'admin'

/** The admin API answered with an error: `{statusCode, code, error, message, problems?}`. */
export class AdminApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problems: readonly string[],
    /** The error body as received, for `--json`. */
    readonly body: unknown,
  ) {
    super(message)
    this.name = 'AdminApiError'
  }
}

/** Nothing usable answered at the admin URL: refused, unknown host, timed out, reset. */
export class AdminUnreachableError extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
    /** True when the request may have reached Sluice before the connection failed. */
    readonly maybeApplied: boolean,
  ) {
    super(`cannot reach the Sluice admin API at ${url}: ${reason}`)
    this.name = 'AdminUnreachableError'
  }
}

export interface AdminClient {
  readonly url: string
  /** The parsed JSON body of a 2xx answer (null for an empty one); throws the errors above. */
  request(method: string, path: string, body?: unknown): Promise<unknown>
}

export interface ClientOptions {
  readonly url: string
  readonly token: string | undefined
  readonly timeoutMs?: number
}

export function createAdminClient(options: ClientOptions): AdminClient {
  const base = options.url.replace(/\/+$/, '')
  const timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS
  return {
    url: base,
    async request(method, path, body) {
      const headers: Record<string, string> = { accept: 'application/json' }
      if (options.token !== undefined && options.token !== '') headers.authorization = `Bearer ${options.token}`
      if (body !== undefined) headers['content-type'] = 'application/json'
      let status: number
      let text: string
      try {
        // One deadline for connect, answer and body: an admin call is small.
        const response = await fetch(`${base}${path}`, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(timeoutMs),
        })
        status = response.status
        text = await response.text()
      } catch (err) {
        const reason = describeNetworkError(err, timeoutMs)
        throw new AdminUnreachableError(base, reason.text, method !== 'GET' && reason.afterConnect)
      }
      const parsed = parseJson(text)
      if (status >= 200 && status < 300) return parsed
      throw apiError(status, parsed, text)
    },
  }
}

function parseJson(text: string): unknown {
  if (text === '') return null
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

/** Maps an error answer to AdminApiError; a non-admin server (wrong port) still gets a readable line. */
function apiError(status: number, parsed: unknown, text: string): AdminApiError {
  const record = parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {}
  const code = typeof record.code === 'string' ? record.code : `HTTP_${status}`
  const problems = Array.isArray(record.problems) ? record.problems.map(String) : []
  // A data-plane answer (wrong port) nests its message: {"error":{"message"}}.
  const nested = record.error !== null && typeof record.error === 'object' ? (record.error as { message?: unknown }).message : undefined
  let message: string
  if (typeof record.message === 'string') message = record.message
  else if (typeof nested === 'string') message = nested
  else if (typeof record.error === 'string') message = record.error
  else message = text.trim() === '' ? `HTTP ${status} with an empty body` : `HTTP ${status}: ${text.trim().slice(0, 200)}`
  return new AdminApiError(status, code, message, problems, parsed ?? text)
}

/** undici wraps socket errors as `TypeError('fetch failed', { cause })`; the cause names what happened. */
function describeNetworkError(err: unknown, timeoutMs: number): { text: string; afterConnect: boolean } {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return { text: `no answer within ${timeoutMs / 1000} s`, afterConnect: true }
  }
  const cause = err instanceof Error ? (err.cause as { code?: unknown; message?: unknown } | undefined) : undefined
  const code = typeof cause?.code === 'string' ? cause.code : undefined
  switch (code) {
    case 'ECONNREFUSED':
      return { text: 'connection refused (is Sluice running, and is this its admin port?)', afterConnect: false }
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { text: 'host not found', afterConnect: false }
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return { text: `no connection within ${timeoutMs / 1000} s`, afterConnect: false }
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return { text: 'host unreachable', afterConnect: false }
  }
  const detail = typeof cause?.message === 'string' ? cause.message : err instanceof Error ? err.message : String(err)
  return { text: code === undefined ? detail : `${code} (${detail})`, afterConnect: true }
}
