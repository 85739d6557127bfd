// Guardrails for a snapshot (docs/guardrails.md): the config's detectors compiled with the entries
// of `guardrails.denyList.file`, read when a config is checked and again whenever the file
// changes (the runtime watches it). A file that cannot be read, or holds a pattern that does not
// compile, refuses the config at load and reload; a later bad edit keeps the last good entries.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Config } from '../config/schema.js'
import { compileGuardrails, type CompiledGuardrails, type DenyEntries } from '../gates/guardrails/compile.js'
import { patternProblems } from '../gates/guardrails/semantic.js'

const NO_ENTRIES: DenyEntries = { words: [], patterns: [] }

/** The deny-list file's absolute path, if the config names one. */
export function denyFilePath(config: Readonly<Config>, baseDir: string): string | undefined {
  const file = config.guardrails.denyList.file
  return file === undefined ? undefined : resolve(baseDir, file)
}

/** One entry a line: `re:` before a pattern, `#` starts a comment line, blank lines are skipped. */
export function parseDenyFile(text: string, path: string): { ok: true; entries: DenyEntries } | { ok: false; problems: string[] } {
  const words: string[] = []
  const patterns: string[] = []
  const lines: number[] = []
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) return
    if (line.startsWith('re:')) {
      patterns.push(line.slice(3).trim())
      lines.push(i + 1)
    } else words.push(line)
  })
  const problems = patternProblems(patterns).map(({ index, problem }) => `${path}:${lines[index]}: ${problem}`)
  return problems.length > 0 ? { ok: false, problems } : { ok: true, entries: { words, patterns } }
}

export function readDenyFile(path: string | undefined): { ok: true; entries: DenyEntries } | { ok: false; problems: string[] } {
  if (path === undefined) return { ok: true, entries: NO_ENTRIES }
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    return { ok: false, problems: [`guardrails.denyList.file: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)})`] }
  }
  return parseDenyFile(text, path)
}

/** The snapshot's guardrails; undefined when no detector and no size limit is on. */
export function guardrailsFor(config: Readonly<Config>, entries: DenyEntries): CompiledGuardrails | undefined {
  const compiled = compileGuardrails(config.guardrails, entries)
  const { size } = compiled
  if (compiled.request.length + compiled.response.length === 0 && compiled.model === undefined && size.maxInputTokens === undefined && size.maxMessages === undefined) return undefined
  return compiled
}
