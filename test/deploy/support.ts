// Shared by the deployment tests: reading the repository's deployment files, PromQL parsed with
// Prometheus' own grammar (@prometheus-io/lezer-promql, the parser of the Prometheus web UI), and
// the metric families of a /metrics exposition.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parser } from '@prometheus-io/lezer-promql'
import { parse, parseAllDocuments } from 'yaml'
import { loadConfigFile, type LoadResult } from '../../src/config/load.js'

export const REPO = fileURLToPath(new URL('../../', import.meta.url))
export const read = (path: string): string => readFileSync(join(REPO, path), 'utf8')
/** One YAML document; `<<` merge keys resolved, as compose does. */
export const readYaml = <T = unknown>(path: string): T => parse(read(path), { merge: true }) as T
/** Every document of a YAML file, failing on a syntax error in any. */
export function readYamlDocuments(path: string): unknown[] {
  return parseAllDocuments(read(path)).map((doc, i) => {
    if (doc.errors.length > 0) throw new Error(`${path} document ${i}: ${doc.errors.map((e) => e.message).join('; ')}`)
    return doc.toJS() as unknown
  })
}

// --- Sluice configs in the manifests ---------------------------------------------------------------

/** `${NAME}` references without a default: what a deployment must supply. */
export const requiredRefs = (text: string): string[] => [...new Set([...text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]!))]

/** Sluice's own loader on a config text (a ConfigMap's, a mounted file's), as the container loads it. */
export function loadConfig(text: string, environ: Record<string, string>, env?: string): LoadResult {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-manifest-'))
  try {
    writeFileSync(join(dir, 'sluice.yaml'), text)
    return loadConfigFile(join(dir, 'sluice.yaml'), { environ, ...(env === undefined ? {} : { env }) })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

export function loaded(result: LoadResult): Extract<LoadResult, { ok: true }>['config'] {
  if (!result.ok) throw new Error(`the config does not load: ${JSON.stringify(result.problems)}`)
  return result.config
}

// --- PromQL ------------------------------------------------------------------------------------

/** A vector selector of an expression: its metric name and the label names it matches on. */
export interface Selector {
  readonly metric: string
  readonly matchers: string[]
}

export interface ParsedQuery {
  readonly selectors: Selector[]
  /** Label names of `by (...)`, `without (...)`, `on (...)`, `ignoring (...)`, `group_left/right (...)`. */
  readonly grouping: string[]
  /** Syntax errors, as the text around each. */
  readonly errors: string[]
}

/**
 * Grafana's variables replaced by values PromQL accepts, so the query parses as Prometheus will
 * see it once Grafana has interpolated it.
 */
export function interpolateGrafana(expr: string): string {
  return expr
    .replace(/\$__rate_interval|\$__interval|\$__range/g, '5m')
    .replace(/\$\{?[A-Za-z_]\w*\}?/g, '.*')
}

export function parsePromQL(expr: string): ParsedQuery {
  const tree = parser.parse(expr)
  const selectors: Selector[] = []
  const grouping: string[] = []
  const errors: string[] = []
  const text = (from: number, to: number): string => expr.slice(from, to)
  tree.iterate({
    enter(node) {
      if (node.type.isError) errors.push(`at ${node.from}: "${expr.slice(Math.max(0, node.from - 15), node.to + 15)}"`)
      if (node.name === 'VectorSelector') {
        const identifier = node.node.getChild('Identifier')
        const matchers: string[] = []
        const list = node.node.getChild('LabelMatchers')
        let metric = identifier === null ? '' : text(identifier.from, identifier.to)
        for (let child = list?.firstChild ?? null; child !== null; child = child.nextSibling) {
          if (!/LabelMatcher$/.test(child.name)) continue
          const name = child.getChild('LabelName')
          if (name !== null) matchers.push(text(name.from, name.to))
          // {__name__="x"} and the quoted-name form {"x"} name the metric inside the braces.
          if (child.name === 'QuotedLabelName' || (name !== null && text(name.from, name.to) === '__name__')) {
            const value = child.getChild('StringLiteral')
            if (value !== null) metric = JSON.parse(text(value.from, value.to)) as string
          }
        }
        selectors.push({ metric, matchers: matchers.filter((m) => m !== '__name__') })
      }
      if (node.name === 'GroupingLabels') {
        for (let child = node.node.firstChild; child !== null; child = child.nextSibling) {
          if (child.name === 'LabelName') grouping.push(text(child.from, child.to))
        }
      }
    },
  })
  return { selectors, grouping, errors }
}

// --- /metrics ----------------------------------------------------------------------------------

export interface Family {
  readonly name: string
  readonly type: string
  /** Label names seen on its samples (`le` and `quantile` included). */
  readonly labels: Set<string>
  /** Samples in this scrape (a labelled family prom-client declared but never set has none). */
  samples: number
}

/**
 * The metric families of an exposition, from its `# TYPE` lines, so a family that has no sample
 * yet still counts; each sample adds its label names to its family.
 */
export function metricFamilies(text: string): Map<string, Family> {
  const families = new Map<string, Family>()
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line)
    if (type !== null) {
      families.set(type[1]!, { name: type[1]!, type: type[2]!, labels: new Set(), samples: 0 })
      continue
    }
    if (line === '' || line.startsWith('#')) continue
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? \S+$/.exec(line)
    if (sample === null) throw new Error(`not an exposition line: ${line}`)
    const family = familyOf(families, sample[1]!)
    if (family === undefined) throw new Error(`sample ${sample[1]} has no # TYPE line`)
    family.samples++
    for (const [, label] of (sample[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="(?:[^"\\]|\\.)*"/g)) family.labels.add(label!)
  }
  return families
}

/** The family a series name belongs to: itself, or a histogram's/summary's _bucket, _sum, _count. */
export function familyOf(families: Map<string, Family>, series: string): Family | undefined {
  const exact = families.get(series)
  if (exact !== undefined) return exact
  const match = /^(.*)_(bucket|sum|count)$/.exec(series)
  if (match === null) return undefined
  const base = families.get(match[1]!)
  if (base === undefined) return undefined
  if (base.type === 'histogram') return base
  return base.type === 'summary' && match[2] !== 'bucket' ? base : undefined
}
