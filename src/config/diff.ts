// Which keys a reload changed, for the reload log line (STYLE.md, Config). Paths only, never
// values: the config holds credentials.
import { Value } from '@sinclair/typebox/value'
import { formatPath, type PathSegment } from '../core/problems.js'

/** Mappings are descended into this deep; below it, or at a list, the whole value is compared. */
const DEPTH = 3

type Mapping = Record<string, unknown>

const isMapping = (value: unknown): value is Mapping =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

/** E.g. `['providers.openai.apiKey', 'clients']`; sorted, empty when nothing changed. */
export function changedKeys(before: unknown, after: unknown): string[] {
  const changed: string[] = []
  walk(before, after, [], changed)
  return changed.sort()
}

function walk(before: unknown, after: unknown, path: PathSegment[], changed: string[]): void {
  if (path.length < DEPTH && isMapping(before) && isMapping(after)) {
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      walk(before[key], after[key], [...path, key], changed)
    }
  } else if (!Value.Equal(before, after)) {
    changed.push(formatPath(path))
  }
}
