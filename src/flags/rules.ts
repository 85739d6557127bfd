// Targeting rules are checked and their `$ref`s resolved once, at load time. flagd-core resolves
// `{"$ref": "name"}` by string substitution and reports a bad rule only when the flag is evaluated
// (PARSE_ERROR); here a missing or cyclic reference, an operator outside flagd's targeting schema
// or a malformed custom operation is a load problem, so a bad file is refused and the last good
// flag set keeps serving.
import { fractionalProblems } from './fractional.js'
import { TARGETING_OPERATORS } from './operators.js'
import { isMapping, under, type PathSegment, type Problem } from './problems.js'
import { SEM_VER_OPERATORS, parseVersion } from './semver.js'

/** Resolves a `$ref` name to its rule; reports a problem at `at` when it cannot. */
export type RefLookup = (name: string, at: PathSegment[]) => unknown

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

/**
 * Resolves every evaluator (reporting each problem once, under `$evaluators.<name>`) and returns
 * the lookup flags use. Evaluators may reference each other; a cycle is a problem.
 */
export function resolveEvaluators(evaluators: Readonly<Record<string, unknown>>, problems: Problem[]): RefLookup {
  const done = new Map<string, unknown>()
  const active: string[] = []
  const lookup: RefLookup = (name, at) => {
    if (!Object.hasOwn(evaluators, name)) throw new RefProblem({ at, problem: 'names no entry in $evaluators', got: name })
    if (done.has(name)) {
      const resolved = done.get(name)
      if (resolved !== BROKEN) return resolved
      throw new RefProblem({ at, problem: 'names an $evaluators entry that has problems', got: name })
    }
    const start = active.indexOf(name)
    if (start >= 0) throw new RefProblem({ at, problem: `$ref cycle: ${[...active.slice(start), name].join(' → ')}` })
    active.push(name)
    const before = problems.length
    const body = evaluators[name]
    let resolved: unknown = BROKEN
    if (isMapping(body)) resolved = resolveRule(body, ['$evaluators', name], lookup, problems)
    else problems.push({ at: ['$evaluators', name], problem: 'must be a JsonLogic rule (a mapping)', got: body })
    active.pop()
    done.set(name, problems.length > before ? BROKEN : resolved)
    return done.get(name)
  }
  for (const name of Object.keys(evaluators)) if (!done.has(name)) lookup(name, ['$evaluators', name])
  return lookup
}

/** A copy of `rule` with `$ref`s replaced; every problem found is pushed with its full path. */
export function resolveRule(rule: unknown, at: PathSegment[], lookup: RefLookup, problems: Problem[]): unknown {
  if (Array.isArray(rule)) return rule.map((item, i) => resolveRule(item, [...at, i], lookup, problems))
  if (!isMapping(rule)) return rule
  const keys = Object.keys(rule)
  if (keys.length === 0) return rule
  if (keys.length > 1) {
    problems.push({ at, problem: `a JsonLogic operation has exactly one key (got keys ${keys.join(', ')})` })
    return rule
  }
  const op = keys[0]!
  const args = rule[op]
  if (op === '$ref') {
    if (typeof args !== 'string') {
      problems.push({ at: [...at, op], problem: 'must name an entry in $evaluators', got: args })
      return BROKEN
    }
    try {
      return lookup(args, [...at, op])
    } catch (error) {
      if (!(error instanceof RefProblem)) throw error
      problems.push(error.detail)
      return BROKEN
    }
  }
  if (!TARGETING_OPERATORS.has(op)) {
    problems.push({ at: [...at, op], problem: "unknown operator (not in flagd's targeting schema; see docs/flags.md)" })
    return rule
  }
  const resolved = resolveRule(args, [...at, op], lookup, problems)
  problems.push(...under([...at, op], operationProblems(op, resolved)))
  return { [op]: resolved }
}

/** Checks of a custom operation's arguments that flagd would only notice as a null result. */
function operationProblems(op: string, args: unknown): Problem[] {
  switch (op) {
    case 'fractional':
      return fractionalProblems(args)
    case 'sem_ver':
      return semVerProblems(args)
    case 'starts_with':
    case 'ends_with':
      return Array.isArray(args) && args.length === 2 ? [] : [{ at: [], problem: 'takes exactly 2 arguments', got: args }]
    case 'var': {
      const path: unknown = Array.isArray(args) ? args[0] : args
      const flagd = typeof path === 'string' && path.startsWith('$flagd.')
      if (flagd && path !== '$flagd.flagKey' && path !== '$flagd.timestamp') {
        return [{ at: [], problem: '$flagd provides only $flagd.flagKey and $flagd.timestamp', got: path }]
      }
      return []
    }
    default:
      return []
  }
}

function semVerProblems(args: unknown): Problem[] {
  if (!Array.isArray(args) || args.length !== 3) {
    return [{ at: [], problem: 'takes [version, operator, version]', got: args }]
  }
  const problems: Problem[] = []
  if (typeof args[1] === 'string' && !SEM_VER_OPERATORS.includes(args[1])) {
    problems.push({ at: [1], problem: `operator must be one of ${SEM_VER_OPERATORS.join(' ')}`, got: args[1] })
  }
  for (const i of [0, 2]) {
    const version: unknown = args[i]
    if ((typeof version === 'string' || typeof version === 'number') && parseVersion(version) === null) {
      problems.push({ at: [i], problem: 'is not a semantic version', got: version })
    }
  }
  return problems
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
