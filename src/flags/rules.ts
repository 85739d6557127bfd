// Targeting rules are checked and their `$ref`s resolved once, at load time. What flagd loads and
// only answers at evaluation time loads here too, with flagd's answer and a warning: a `$ref` to a
// missing `$evaluators` entry (the flag then always evaluates to ERROR/PARSE_ERROR, as flagd-core
// reports a rule that still holds a `$ref` after substitution), and custom operations that always
// evaluate to null (`sem_ver` with an unknown operator or not three arguments, `starts_with` /
// `ends_with` without two) or whose weights flagd clamps (`fractional`). Everything else found
// wrong — an operator outside flagd's targeting schema, a `$ref` cycle, a malformed bucket — is a
// load problem, so a bad file is refused and the last good flag set keeps serving.
import { fractionalChecks } from './fractional.js'
import { TARGETING_OPERATORS } from './operators.js'
import { isMapping, under, type PathSegment, type Problem } from './problems.js'
import { SEM_VER_OPERATORS, parseVersion } from './semver.js'

/** A rule with its `$ref`s replaced, and the names it refers to that name no `$evaluators` entry. */
export interface ResolvedRef {
  rule: unknown
  /** Non-empty: the rule still holds `{"$ref": name}` for each of these, as flagd would leave it. */
  missing: readonly string[]
}

/**
 * Resolves a `$ref` name to its rule; undefined when no entry has that name. Throws a RefProblem
 * (a load problem, reported at `at`) when the reference cannot be used at all.
 */
export type RefLookup = (name: string, at: PathSegment[]) => ResolvedRef | undefined

/** Where a check reports: problems refuse the set, warnings are reported and the set still loads. */
export interface Findings {
  problems: Problem[]
  warnings: Problem[]
  /** `$evaluators` names referred to but not defined, reached from the rule being resolved. */
  missing: string[]
}

/** Stands in for a reference that failed; the problem is already reported. */
const BROKEN = Symbol('broken $ref')

/** A single flag definition (a built-in or a runtime override) has no `$evaluators` to refer to. */
export const noEvaluators: RefLookup = (name, at) => {
  throw new RefProblem({ at, problem: 'cannot be used in a single flag definition; write the rule out in full', got: name })
}

class RefProblem extends Error {
  constructor(readonly detail: Problem) {
    super(detail.problem)
  }
}

const PARSE_ERROR_IN_FLAG = 'so every evaluation of the flag is an ERROR (PARSE_ERROR), as in flagd'
const PARSE_ERROR_IN_EVALUATOR = 'so every evaluation of every flag using it is an ERROR (PARSE_ERROR), as in flagd'

/**
 * Resolves every evaluator (reporting each problem and warning once, under `$evaluators.<name>`)
 * and returns the lookup flags use. Evaluators may reference each other; a cycle is a problem.
 */
export function resolveEvaluators(
  evaluators: Readonly<Record<string, unknown>>,
  found: Pick<Findings, 'problems' | 'warnings'>,
): RefLookup {
  const done = new Map<string, ResolvedRef | typeof BROKEN>()
  const active: string[] = []
  const lookup: RefLookup = (name, at) => {
    if (!Object.hasOwn(evaluators, name)) return undefined
    const earlier = done.get(name)
    if (earlier === BROKEN) throw new RefProblem({ at, problem: 'names an $evaluators entry that has problems', got: name })
    if (earlier !== undefined) return earlier
    const start = active.indexOf(name)
    if (start >= 0) throw new RefProblem({ at, problem: `$ref cycle: ${[...active.slice(start), name].join(' → ')}` })
    active.push(name)
    const here: Findings = { problems: found.problems, warnings: found.warnings, missing: [] }
    const before = found.problems.length
    const body = evaluators[name]
    let rule: unknown = BROKEN
    if (isMapping(body)) rule = resolveRule(body, ['$evaluators', name], lookup, here)
    else found.problems.push({ at: ['$evaluators', name], problem: 'must be a JsonLogic rule (a mapping)', got: body })
    active.pop()
    const broken = found.problems.length > before
    done.set(name, broken ? BROKEN : { rule, missing: [...new Set(here.missing)] })
    // The reference that first reached a broken entry adds no problem of its own: the entry's are reported.
    return broken ? { rule: BROKEN, missing: [] } : (done.get(name) as ResolvedRef)
  }
  for (const name of Object.keys(evaluators)) if (!done.has(name)) lookup(name, ['$evaluators', name])
  return lookup
}

/** A copy of `rule` with `$ref`s replaced; every finding is reported with its full path. */
export function resolveRule(rule: unknown, at: PathSegment[], lookup: RefLookup, found: Findings): unknown {
  if (Array.isArray(rule)) return rule.map((item, i) => resolveRule(item, [...at, i], lookup, found))
  if (!isMapping(rule)) return rule
  const keys = Object.keys(rule)
  if (keys.length === 0) return rule
  if (keys.length > 1) {
    found.problems.push({ at, problem: `a JsonLogic operation has exactly one key (got keys ${keys.join(', ')})` })
    return rule
  }
  const op = keys[0]!
  const args = rule[op]
  if (op === '$ref') return resolveRef(rule, args, [...at, op], lookup, found)
  if (!TARGETING_OPERATORS.has(op)) {
    found.problems.push({ at: [...at, op], problem: "unknown operator (not in flagd's targeting schema; see docs/flags.md)" })
    return rule
  }
  const resolved = resolveRule(args, [...at, op], lookup, found)
  operationChecks(op, resolved, [...at, op], found)
  return { [op]: resolved }
}

function resolveRef(rule: Record<string, unknown>, name: unknown, at: PathSegment[], lookup: RefLookup, found: Findings): unknown {
  if (typeof name !== 'string') {
    found.problems.push({ at, problem: 'must name an entry in $evaluators', got: name })
    return BROKEN
  }
  let resolved: ResolvedRef | undefined
  try {
    resolved = lookup(name, at)
  } catch (error) {
    if (!(error instanceof RefProblem)) throw error
    found.problems.push(error.detail)
    return BROKEN
  }
  const inEvaluator = at[0] === '$evaluators'
  if (resolved === undefined) {
    // flagd substitutes only names it has, so the `$ref` stays and the rule cannot be parsed.
    const consequence = inEvaluator ? PARSE_ERROR_IN_EVALUATOR : PARSE_ERROR_IN_FLAG
    found.warnings.push({ at, problem: `names no entry in $evaluators, ${consequence}`, got: name })
    found.missing.push(name)
    return rule
  }
  if (resolved.missing.length > 0) {
    found.missing.push(...resolved.missing)
    if (!inEvaluator) {
      const names = resolved.missing.map((m) => JSON.stringify(m)).join(', ')
      found.warnings.push({ at, problem: `uses an $evaluators entry that refers to missing ${names}, ${PARSE_ERROR_IN_FLAG}`, got: name })
    }
  }
  return resolved.rule
}

const ALWAYS_NULL = 'so it always evaluates to null (the default variant; false in a condition), as in flagd'

/** Checks of a custom operation's arguments, pushed under `at` (the operation's path). */
function operationChecks(op: string, args: unknown, at: PathSegment[], found: Findings): void {
  switch (op) {
    case 'fractional': {
      const checks = fractionalChecks(args)
      found.problems.push(...under(at, checks.problems))
      found.warnings.push(...under(at, checks.warnings))
      return
    }
    case 'sem_ver':
      return semVerChecks(args, at, found)
    case 'starts_with':
    case 'ends_with':
      // An operation as the whole argument list is evaluated first and may well yield a pair.
      if (!isMapping(args) && (!Array.isArray(args) || args.length !== 2)) {
        found.warnings.push({ at, problem: `takes exactly 2 arguments, ${ALWAYS_NULL}`, got: args })
      }
      return
    case 'var': {
      const path: unknown = Array.isArray(args) ? args[0] : args
      const flagd = typeof path === 'string' && path.startsWith('$flagd.')
      if (flagd && path !== '$flagd.flagKey' && path !== '$flagd.timestamp') {
        found.problems.push({ at, problem: '$flagd provides only $flagd.flagKey and $flagd.timestamp', got: path })
      }
      return
    }
    default:
      return
  }
}

/** A literal: anything but an operation (a mapping) or an array, which evaluate to something else. */
const isLiteral = (value: unknown): boolean => value === null || typeof value !== 'object'

function semVerChecks(args: unknown, at: PathSegment[], found: Findings): void {
  if (isMapping(args)) return
  if (!Array.isArray(args) || args.length !== 3) {
    found.warnings.push({ at, problem: `takes [version, operator, version], ${ALWAYS_NULL}`, got: args })
    return
  }
  const op: unknown = args[1]
  if (isLiteral(op) && !SEM_VER_OPERATORS.includes(String(op))) {
    found.warnings.push({ at: [...at, 1], problem: `is not one of ${SEM_VER_OPERATORS.join(' ')}, ${ALWAYS_NULL}`, got: op })
  }
  for (const i of [0, 2]) {
    const version: unknown = args[i]
    if ((typeof version === 'string' || typeof version === 'number') && parseVersion(version) === null) {
      found.problems.push({ at: [...at, i], problem: 'is not a semantic version', got: version })
    }
  }
}

/**
 * Literal results a rule can return (if branches, fractional buckets) that name no variant.
 * flagd accepts these but every evaluation reaching one is an ERROR, so they are worth a warning.
 */
export function unknownVariantResults(rule: unknown, at: PathSegment[], variants: ReadonlySet<string>): Problem[] {
  if (typeof rule === 'string' || typeof rule === 'boolean' || typeof rule === 'number') {
    const name = String(rule)
    return variants.has(name) ? [] : [{ at, problem: 'names no variant of this flag, so evaluating to it is an ERROR', got: rule }]
  }
  if (!isMapping(rule)) return []
  const args = Array.isArray(rule.if) ? rule.if : undefined
  if (args !== undefined) {
    const branches = args.map((_, i) => i).filter((i) => i % 2 === 1 || i === args.length - 1)
    return branches.flatMap((i) => (args.length > 1 ? unknownVariantResults(args[i], [...at, 'if', i], variants) : []))
  }
  if (Array.isArray(rule.fractional)) {
    return rule.fractional.flatMap((entry: unknown, i) =>
      Array.isArray(entry) && entry.length > 0 && entry[0] !== null
        ? unknownVariantResults(entry[0], [...at, 'fractional', i, 0], variants)
        : [],
    )
  }
  return []
}
