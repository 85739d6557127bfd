// Builds an immutable FlagSet from built-ins, flag sources and runtime overrides (docs/flags.md), with
// that precedence: a file or inline flag replaces a built-in of the same key, an override replaces
// both. Every problem in every input is collected; one problem refuses the whole set, so callers
// keep serving the last good one. Warnings (what flagd loads but answers oddly at evaluation
// time; see rules.ts) never refuse anything: they come back with the set, for `sluice validate`
// and the runtime's log.
import { builtinFlags } from './builtins.js'
import { checkDocument, checkFlagDefinition, type CheckedFlag } from './definition.js'
import { compileFlag, createFlagSet, type CompiledFlag, type FlagSet } from './flag-set.js'
import { buildRule } from './operators.js'
import { formatProblem, type Problem } from './problems.js'
import { noEvaluators } from './rules.js'
import type { FlagDefinition, FlagMetadata, FlagSource } from './types.js'

export type { CompiledFlag, FlagSet } from './flag-set.js'

export interface CompileOptions {
  /** Lowest-precedence definitions. Default: `builtinFlags()`. */
  builtins?: Readonly<Record<string, FlagDefinition>>
}

export type CompileResult = { ok: true; flagSet: FlagSet; warnings: string[] } | { ok: false; problems: string[] }

interface Chosen {
  origin: string
  flag: CheckedFlag
  documentMetadata: FlagMetadata
}

export function compileFlagSet(
  sources: readonly FlagSource[],
  overrides: Readonly<Record<string, unknown>> = {},
  options: CompileOptions = {},
): CompileResult {
  const problems: string[] = []
  const warnings: string[] = []
  const report = (into: string[], found: readonly Problem[], source: string): void => {
    into.push(...found.map((p) => formatProblem(p, source)))
  }
  const chosen = new Map<string, Chosen>()
  const single = (origin: string, entries: Readonly<Record<string, unknown>>): Array<[string, CheckedFlag]> =>
    Object.entries(entries).flatMap(([key, def]): Array<[string, CheckedFlag]> => {
      const check = checkFlagDefinition(key, def, noEvaluators)
      if (!check.ok) {
        report(problems, check.problems, origin)
        return []
      }
      report(warnings, check.flag.warnings, origin)
      return [[key, check.flag]]
    })

  for (const [key, flag] of single('builtin', options.builtins ?? builtinFlags())) {
    chosen.set(key, { origin: 'builtin', flag, documentMetadata: {} })
  }
  let metadata: FlagMetadata = {}
  const fromSource = new Map<string, string>()
  for (const { source, document } of sources) {
    const checked = checkDocument(document)
    report(problems, checked.problems, source)
    report(warnings, checked.warnings, source)
    metadata = { ...metadata, ...checked.metadata }
    for (const [key, flag] of checked.flags) {
      const earlier = fromSource.get(key)
      if (earlier !== undefined) {
        const problem = `is defined in both ${earlier} and ${source}; a flag key belongs to one source`
        problems.push(formatProblem({ at: ['flags', key], problem }, source))
        continue
      }
      fromSource.set(key, source)
      chosen.set(key, { origin: source, flag, documentMetadata: checked.metadata })
    }
  }
  for (const [key, flag] of single('overrides', overrides)) {
    const replaced = chosen.get(key)
    if (replaced === undefined) {
      warnings.push(formatProblem({ at: ['flags', key], problem: 'overrides a flag that no file or built-in defines' }, 'overrides'))
    }
    chosen.set(key, { origin: 'overrides', flag, documentMetadata: replaced?.documentMetadata ?? {} })
  }
  if (problems.length > 0) return { ok: false, problems }

  const flags = new Map<string, CompiledFlag>()
  for (const key of [...chosen.keys()].sort()) {
    const { origin, flag, documentMetadata } = chosen.get(key)!
    try {
      flags.set(key, compileFlag(key, flag, origin, documentMetadata))
    } catch (error) {
      problems.push(formatProblem({ at: ['flags', key, 'targeting'], problem: `cannot compile: ${describe(error)}` }, origin))
    }
  }
  if (problems.length > 0) return { ok: false, problems }
  return { ok: true, flagSet: createFlagSet(flags, metadata), warnings }
}

/** Problems with one definition, as `flags.<key>.<path>: problem`; empty when it would compile. */
export function validateFlagDefinition(key: string, definition: unknown): string[] {
  const check = checkFlagDefinition(key, definition, noEvaluators)
  if (!check.ok) return check.problems.map((p) => formatProblem(p))
  try {
    if (check.flag.definition.targeting !== undefined) buildRule(key, check.flag.definition.targeting)
    return []
  } catch (error) {
    return [formatProblem({ at: ['flags', key, 'targeting'], problem: `cannot compile: ${describe(error)}` })]
  }
}

/** Keys added, removed or changed between two flag sets, sorted. */
export function changedFlagKeys(before: FlagSet, after: FlagSet): string[] {
  const keys = new Set([...before.keys, ...after.keys])
  return [...keys].filter((key) => before.get(key)?.fingerprint !== after.get(key)?.fingerprint).sort()
}

/** json-logic-engine throws plain objects such as `{ type: 'Unknown Operator', key }`. */
function describe(error: unknown): string {
  if (error instanceof Error) return error.message
  return JSON.stringify(error) ?? String(error)
}
