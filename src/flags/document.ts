// Reading flag documents. JSON is parsed as YAML 1.2 (a superset of JSON), so one parser serves
// both, whatever the file is called, and a duplicate key (which JSON.parse would silently resolve
// to the last one) is reported for either. Syntax problems point at `source:line:col`, like config.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { LineCounter, parseDocument, type YAMLError } from 'yaml'
import { checkDocument } from './definition.js'
import { formatProblem } from './problems.js'
import type { FlagDocResult, FlagDocument, FlagSource } from './types.js'

type ParsedText = { ok: true; value: unknown } | { ok: false; problems: string[] }

export type LoadSourcesResult = { ok: true; sources: FlagSource[] } | { ok: false; problems: string[] }

/** Parses YAML or JSON text; no flag checks. */
function parseText(text: string, source: string): ParsedText {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true })
  if (doc.errors.length > 0) {
    const located = (e: YAMLError): string => {
      const { line, col } = lineCounter.linePos(e.pos[0])
      return `${source}:${line}:${col}: ${e.message}`
    }
    return { ok: false, problems: doc.errors.map(located) }
  }
  try {
    return { ok: true, value: doc.toJS() as unknown }
  } catch (error) {
    // e.g. an alias bomb past yaml's maxAliasCount.
    return { ok: false, problems: [`${source}: ${error instanceof Error ? error.message : String(error)}`] }
  }
}

/** Parses and checks one flagd document on its own (its `$ref`s, its flags). */
export function parseFlagDocument(text: string, source: string): FlagDocResult {
  const parsed = parseText(text, source)
  if (!parsed.ok) return parsed
  const { problems } = checkDocument(parsed.value)
  if (problems.length > 0) return { ok: false, problems: problems.map((p) => formatProblem(p, source)) }
  return { ok: true, document: parsed.value as FlagDocument }
}

/**
 * Reads flag files (paths relative to `baseDir`, named in problems as given) into sources for
 * `compileFlagSet`, which checks them together. Every unreadable or unparsable file is reported.
 */
export function loadFlagSources(paths: readonly string[], baseDir: string): LoadSourcesResult {
  const sources: FlagSource[] = []
  const problems: string[] = []
  for (const path of paths) {
    let text: string
    try {
      text = readFileSync(resolve(baseDir, path), 'utf8')
    } catch (error) {
      problems.push(`${path}: cannot read: ${error instanceof Error ? error.message : String(error)}`)
      continue
    }
    const parsed = parseText(text, path)
    if (parsed.ok) sources.push({ source: path, document: parsed.value })
    else problems.push(...parsed.problems)
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, sources }
}
