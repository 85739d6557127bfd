// One shape for every config problem, from YAML syntax to cross-field checks, printed as
// `path: problem (got value)` (STYLE.md, Config). Secrets never reach the output.

export interface ConfigProblem {
  /** Where, e.g. `providers.bedrock.mount` or `clients[0].credentials.apiKey`; `(root)` for the document. */
  path: string
  problem: string
  /** The offending value; omitted when showing it would not help (missing keys, misspelt keys). */
  got?: unknown
}

export type PathSegment = string | number

const MAX_GOT_CHARS = 60
const REDACTED = '<redacted>'
/** Key names whose values are credentials, matched on the last path segment. */
const SECRET_KEY = /(token|api_?key|secret(access)?key|secret|password)$/i
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/

/** `['clients', 0, 'id']` → `clients[0].id`; keys that are not identifiers are quoted. */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = ''
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`
    else if (IDENTIFIER.test(segment)) out += out === '' ? segment : `.${segment}`
    else out += `[${JSON.stringify(segment)}]`
  }
  return out === '' ? '(root)' : out
}

/**
 * Builds a problem with secrets already masked in `got`, so a problem can be logged or served
 * (e.g. in `/v1/status`) as data, not only through `formatProblem`.
 */
export function problemAt(segments: readonly PathSegment[], problem: string, got?: unknown): ConfigProblem {
  const path = formatPath(segments)
  if (got === undefined) return { path, problem }
  return { path, problem, got: isSecretPath(path) ? REDACTED : redactDeep(got) }
}

export function formatProblem(p: ConfigProblem): string {
  if (p.got === undefined) return `${p.path}: ${p.problem}`
  return `${p.path}: ${p.problem} (got ${formatGot(p.path, p.got)})`
}

function isSecretPath(path: string): boolean {
  const last = /([A-Za-z0-9_$-]+)"?\]?$/.exec(path)?.[1] ?? ''
  return SECRET_KEY.test(last)
}

function formatGot(path: string, got: unknown): string {
  if (isSecretPath(path)) return REDACTED
  const text = JSON.stringify(redactDeep(got)) ?? String(got)
  return text.length > MAX_GOT_CHARS ? `${text.slice(0, MAX_GOT_CHARS - 3)}...` : text
}

/** Masks secret-named keys inside objects and passwords inside URLs (`redis://:pw@host`). */
export function redactDeep(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(/(\/\/[^/@:]*):[^/@]*@/, `$1:${REDACTED}@`)
  if (Array.isArray(value)) return value.map(redactDeep)
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) ? REDACTED : redactDeep(v)]),
    )
  }
  return value
}

/** Whether a change (a reload, a store refresh) was applied, or every reason it was refused. */
export type Applied = { ok: true } | { ok: false; problems: string[] }
