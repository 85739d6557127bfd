// flagd's `sem_ver` operator (https://flagd.dev/reference/custom-operations/semver-operation/):
// `{"sem_ver": [version, op, version]}` with op one of = != < <= > >= ^ ~. Versions parse as in
// flagd-core: SemVer 2.0 (https://semver.org), an optional leading `v`, and partial numeric
// versions ("1", "1.2") padded with zeros. `^` means same major and `~` same major and minor —
// flagd's meaning, not npm's range semantics. Anything unparsable yields null, never a throw.

export interface Version {
  readonly major: number
  readonly minor: number
  readonly patch: number
  /** Pre-release identifiers; numeric ones as numbers so they compare numerically. */
  readonly pre: ReadonlyArray<string | number>
}

// The regex from semver.org, with a name for each part; build metadata is matched and ignored.
const FULL =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+[0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*)?$/
const PARTIAL = /^(\d{1,16})(?:\.(\d{1,16}))?$/
/** node-semver refuses longer inputs; matching it keeps flagd-core's answers. */
const MAX_LENGTH = 256

export const SEM_VER_OPERATORS: readonly string[] = ['=', '!=', '<', '<=', '>', '>=', '^', '~']

export function parseVersion(raw: unknown): Version | null {
  if (raw === null || raw === undefined || typeof raw === 'object') return null
  const text = String(raw).replace(/^[vV]/, '').trim().replace(/^v/, '')
  if (text.length > MAX_LENGTH) return null
  const full = FULL.exec(text)
  if (full !== null) {
    const [major, minor, patch] = [Number(full[1]), Number(full[2]), Number(full[3])]
    if (!Number.isSafeInteger(major) || !Number.isSafeInteger(minor) || !Number.isSafeInteger(patch)) return null
    const pre = full[4] === undefined ? [] : full[4].split('.').map(identifier)
    return { major, minor, patch, pre }
  }
  const partial = PARTIAL.exec(text)
  if (partial === null) return null
  const [major, minor] = [Number(partial[1]), Number(partial[2] ?? 0)]
  if (!Number.isSafeInteger(major) || !Number.isSafeInteger(minor)) return null
  return { major, minor, patch: 0, pre: [] }
}

/** Numeric identifiers compare as numbers, unless too large to be exact (node-semver's rule). */
function identifier(id: string): string | number {
  const n = Number(id)
  return /^\d+$/.test(id) && Number.isSafeInteger(n) ? n : id
}

function compareIdentifiers(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return Math.sign(a - b)
  // SemVer §11.4.3: numeric identifiers have lower precedence than alphanumeric ones.
  if (typeof a === 'number') return -1
  if (typeof b === 'number') return 1
  return a < b ? -1 : a > b ? 1 : 0
}

/** SemVer 2.0 precedence: -1, 0 or 1. Build metadata never matters. */
export function compareVersions(a: Version, b: Version): number {
  const main = Math.sign(a.major - b.major) || Math.sign(a.minor - b.minor) || Math.sign(a.patch - b.patch)
  if (main !== 0) return main
  // A release outranks any of its pre-releases.
  if (a.pre.length === 0 || b.pre.length === 0) return Math.sign(b.pre.length - a.pre.length)
  for (let i = 0; i < Math.min(a.pre.length, b.pre.length); i++) {
    const order = compareIdentifiers(a.pre[i]!, b.pre[i]!)
    if (order !== 0) return order
  }
  return Math.sign(a.pre.length - b.pre.length)
}

/** The operator over evaluated arguments; null when they are not `[version, op, version]`. */
export function semVer(args: unknown): boolean | null {
  if (!Array.isArray(args) || args.length !== 3) return null
  const left = parseVersion(args[0])
  const right = parseVersion(args[2])
  if (left === null || right === null) return null
  const order = compareVersions(left, right)
  switch (String(args[1])) {
    case '=':
      return order === 0
    case '!=':
      return order !== 0
    case '<':
      return order < 0
    case '<=':
      return order <= 0
    case '>':
      return order > 0
    case '>=':
      return order >= 0
    case '^':
      return left.major === right.major
    case '~':
      return left.major === right.major && left.minor === right.minor
    default:
      return null
  }
}

