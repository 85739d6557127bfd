// `${NAME}` and `${NAME:-default}` in string values, so secrets stay out of the file (docs/config.md).
// `$${` is a literal `${`. Keys are never substituted. As in POSIX sh, `:-` also applies when
// the variable is set but empty.
import { problemAt, type ConfigProblem, type PathSegment } from '../core/problems.js'

export type Environ = Readonly<Record<string, string | undefined>>

export interface Substituted {
  value: unknown
  problems: ConfigProblem[]
  /**
   * Paths of strings that were exactly one reference (`port: ${PORT}`). Only these may be
   * converted to the type the schema expects; a literal `"8080"` in the file stays a string.
   */
  wholeRefs: PathSegment[][]
}

const TOKEN = /\$\$\{|\$\{([^}]*)\}|\$\{/g
const REF = /^([A-Za-z_][A-Za-z0-9_]*)(?::-([\s\S]*))?$/
const WHOLE_REF = /^\$\{[^}]*\}$/

export function substituteEnv(value: unknown, environ: Environ): Substituted {
  const out: Substituted = { value: undefined, problems: [], wholeRefs: [] }
  out.value = walk(value, [], environ, out)
  return out
}

function walk(value: unknown, path: PathSegment[], environ: Environ, out: Substituted): unknown {
  if (typeof value === 'string') return substituteString(value, path, environ, out)
  if (Array.isArray(value)) return value.map((item, i) => walk(item, [...path, i], environ, out))
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, [...path, k], environ, out)]))
  }
  return value
}

function substituteString(text: string, path: PathSegment[], environ: Environ, out: Substituted): string {
  if (!text.includes('${')) return text
  const before = out.problems.length
  const result = text.replace(TOKEN, (token: string, body: string | undefined) => {
    if (token === '$${') return '${'
    if (body === undefined) {
      out.problems.push(problemAt(path, 'has an unterminated ${ (write $${ for a literal ${)'))
      return token
    }
    const ref = REF.exec(body)
    if (ref === null) {
      out.problems.push(problemAt(path, `has an invalid environment reference \${${body}}`))
      return token
    }
    const [, name = '', fallback] = ref
    const set = environ[name]
    if (fallback !== undefined) return set === undefined || set === '' ? fallback : set
    if (set === undefined) out.problems.push(problemAt(path, `references unset environment variable ${name}`))
    return set ?? token
  })
  if (out.problems.length === before && WHOLE_REF.test(text)) out.wholeRefs.push(path)
  return result
}
