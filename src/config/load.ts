// Config loading (docs/config.md): YAML → overlay → ${ENV} → defaults → schema → cross-field checks →
// deep freeze. Every problem is collected and returned together, never thrown, so `sluice
// validate`, startup and reload all report the same way.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { LineCounter, parseDocument, type YAMLError } from 'yaml'
import { substituteEnv, type Environ } from './env-refs.js'
import { applyOverlay } from './overlay.js'
import { formatProblem, problemAt, type ConfigProblem } from '../core/problems.js'
import { schemaProblems } from '../core/schema-problems.js'
import { ConfigSchema, type Config } from './schema.js'
import { redactProblem } from './secrets.js'
import { checkSemantics } from './semantic.js'
import { typeEnvValues, withDefaults } from './shape.js'

export type { ConfigProblem } from '../core/problems.js'
export { formatProblem } from '../core/problems.js'

export interface LoadOptions {
  /** Overlay to apply from `environments:` (`--env` / SLUICE_ENV). */
  env?: string
  /** Where `${NAME}` references are resolved. Default: process.env. */
  environ?: Environ
  /** Relative paths in the config (`state.path`) resolve against this. Default: process.cwd(). */
  baseDir?: string
  /** Names the input in YAML syntax errors (`sluice.yaml:3:7`). Default: `<config>`. */
  source?: string
}

export type LoadResult =
  | { ok: true; config: Readonly<Config>; warnings: string[] }
  | { ok: false; problems: ConfigProblem[] }

/**
 * Every problem leaves here with its `got` redacted by the schema's secret marks, so problems are
 * safe to print, log or serve (`/v1/status`). Drops repeats: an overlay that is not a mapping is
 * caught by both the shape check and the merge.
 */
const fail = (problems: ConfigProblem[]): LoadResult => ({
  ok: false,
  problems: [...new Map(problems.map(redactProblem).map((p) => [formatProblem(p), p])).values()],
})

export function loadConfigFile(path: string, options: LoadOptions = {}): LoadResult {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error)
    return fail([{ path, problem: `cannot read the config file (${reason})` }])
  }
  return parseConfig(text, { ...options, source: options.source ?? path })
}

export function parseConfig(text: string, options: LoadOptions = {}): LoadResult {
  const source = options.source ?? '<config>'
  const lineCounter = new LineCounter()
  // `merge: true` allows `<<: *anchor`, the usual way to share settings between providers.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, merge: true })
  const located = (e: YAMLError): ConfigProblem => {
    const { line, col } = lineCounter.linePos(e.pos[0])
    return { path: `${source}:${line}:${col}`, problem: e.message }
  }
  if (doc.errors.length > 0) return fail(doc.errors.map(located))
  const warnings = doc.warnings.map((w) => {
    const { path, problem } = located(w)
    return `${path}: ${problem}`
  })

  let raw: unknown
  try {
    raw = doc.toJS({ maxAliasCount: 100 })
  } catch (error) {
    return fail([problemAt([], error instanceof Error ? error.message : String(error))])
  }
  // An empty file is refused rather than read as "all defaults": a reload that catches an
  // editor's truncate-then-write would otherwise swap in a config with no providers.
  if (raw === null || raw === undefined) return fail([problemAt([], 'the config is empty')])
  if (typeof raw !== 'object' || Array.isArray(raw)) return fail([problemAt([], 'must be a mapping', raw)])

  const document = raw as Record<string, unknown>
  const environments = ConfigSchema.properties.environments
  const problems = 'environments' in document ? schemaProblems(environments, document['environments'], ['environments']) : []
  const overlaid = applyOverlay(document, options.env)
  const substituted = substituteEnv(overlaid.value, options.environ ?? process.env)
  problems.push(...overlaid.problems, ...substituted.problems)

  const shaped = withDefaults(typeEnvValues(substituted.value, substituted.wholeRefs))
  // An unresolved reference would also fail its type or pattern: report it once, as unresolved.
  const reported = new Set(substituted.problems.map((p) => p.path))
  problems.push(...schemaProblems(ConfigSchema, shaped).filter((p) => !reported.has(p.path)))
  if (problems.length > 0) return fail(problems)

  const config = shaped as Config
  const semantic = checkSemantics(config)
  if (semantic.problems.length > 0) return fail(semantic.problems)
  config.state.path = resolve(options.baseDir ?? process.cwd(), config.state.path)
  return { ok: true, config: deepFreeze(config), warnings: [...warnings, ...semantic.warnings] }
}

function deepFreeze<T>(value: T): Readonly<T> {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child)
    Object.freeze(value)
  }
  return value
}
