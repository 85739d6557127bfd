// Flag problems print like config problems (STYLE.md, Config): `source: path: problem (got value)`,
// with paths in the same notation: `flags.my-flag.variants.on`, `flags["ai.egress.enabled"].state`,
// `flags.x.targeting.if[0]`. Flag definitions hold no credentials, so values print as they are.

import { formatPath, type PathSegment } from '../core/problems.js'

export type { PathSegment }

export interface Problem {
  at: PathSegment[]
  problem: string
  /** The offending value; omitted when it would not help (missing or misspelt keys). */
  got?: unknown
}

const MAX_GOT_CHARS = 60
export function formatProblem(p: Problem, source?: string): string {
  const head = source === undefined ? formatPath(p.at) : `${source}: ${formatPath(p.at)}`
  if (p.got === undefined) return `${head}: ${p.problem}`
  // JSON would print Infinity and NaN as null.
  const text = typeof p.got === 'number' ? String(p.got) : (JSON.stringify(p.got) ?? String(p.got))
  const got = text.length > MAX_GOT_CHARS ? `${text.slice(0, MAX_GOT_CHARS - 3)}...` : text
  return `${head}: ${p.problem} (got ${got})`
}

/** Moves problems found relative to a node under that node's path. */
export function under(prefix: readonly PathSegment[], problems: readonly Problem[]): Problem[] {
  return problems.map((p) => ({ ...p, at: [...prefix, ...p.at] }))
}

export const isMapping = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

/** Problems for keys outside `allowed`, one per key, listing what is allowed. */
export function unknownKeys(value: Record<string, unknown>, allowed: readonly string[], at: PathSegment[]): Problem[] {
  return Object.keys(value)
    .filter((key) => !allowed.includes(key))
    .map((key) => ({ at: [...at, key], problem: `unknown key (allowed: ${allowed.join(', ')})` }))
}
