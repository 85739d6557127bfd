// One shape for every config problem, from YAML syntax to cross-field checks, printed as
// `path: problem (got value)` (STYLE.md, Config). Secrets never reach the output: the loader
// redacts every `got` by the schema's secret marks (config/secrets.ts) before a problem leaves it.
import { REDACTED } from './secret.js'

export interface ConfigProblem {
  /** Where, e.g. `providers.bedrock.mount` or `clients[0].credentials.apiKey`; `(root)` for the document. */
  path: string
  problem: string
  /** The offending value; omitted when showing it would not help (missing keys, misspelt keys). */
  got?: unknown
}

export type PathSegment = string | number

const MAX_GOT_CHARS = 60
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

/** Builds a problem; `got` is as found, for the loader to redact by the schema. */
export function problemAt(segments: readonly PathSegment[], problem: string, got?: unknown): ConfigProblem {
  const path = formatPath(segments)
  return got === undefined ? { path, problem } : { path, problem, got }
}

/** `<redacted>`, as config/secrets.ts writes it, prints bare: it is a mark, not a string value. */
export function formatProblem(p: ConfigProblem): string {
  if (p.got === undefined) return `${p.path}: ${p.problem}`
  return `${p.path}: ${p.problem} (got ${formatGot(p.got)})`
}

function formatGot(got: unknown): string {
  if (got === REDACTED) return REDACTED
  const text = JSON.stringify(got) ?? String(got)
  return text.length > MAX_GOT_CHARS ? `${text.slice(0, MAX_GOT_CHARS - 3)}...` : text
}

/** Whether a change (a reload, a store refresh) was applied, or every reason it was refused. */
export type Applied = { ok: true } | { ok: false; problems: string[] }
