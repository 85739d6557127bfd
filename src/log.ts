// Structured JSON logs (pino). Credentials never reach the log: nothing logs headers or config
// wholesale, and these paths are censored as a second line of defence. The config's are derived
// from the schema's secret marks (config/secrets.ts), so a newly marked field is
// censored here too without anyone listing it.
import { pino, type Logger } from 'pino'
import { ANY_ITEM, ANY_KEY, secretPaths } from './config/secrets.js'
import { redactUserinfo, type SecretMark } from './core/secret.js'

interface RedactPattern {
  readonly segments: readonly string[]
  readonly mark: SecretMark
}

/** Credentials on the wire, wherever a request's headers end up in a log object. */
const HEADER_PATTERNS: RedactPattern[] = [
  ['authorization'],
  [ANY_KEY, 'authorization'],
  [ANY_KEY, 'headers', 'authorization'],
  [ANY_KEY, 'headers', 'x-goog-api-key'],
  [ANY_KEY, 'headers', 'x-amz-security-token'],
].map((segments) => ({ segments, mark: 'value' }))

/**
 * Each marked config field at the root (`providers.*.apiKey`), under one key (`{config}`), and —
 * below its innermost mapping entry or list item — wherever that one entry is logged, at the root
 * or under one key (`{provider}` → `*.apiKey`, `{client}` → `*.credentials.apiKey`).
 */
function configPatterns(): RedactPattern[] {
  const patterns: RedactPattern[] = []
  for (const { segments, mark } of secretPaths()) {
    const path = segments.map((s) => (s === ANY_ITEM ? ANY_KEY : s))
    patterns.push({ segments: path, mark }, { segments: [ANY_KEY, ...path], mark })
    const entry = path.lastIndexOf(ANY_KEY)
    const tail = path.slice(entry + 1)
    if (entry >= 0 && tail.length > 0) patterns.push({ segments: tail, mark }, { segments: [ANY_KEY, ...tail], mark })
  }
  return patterns
}

const PATTERNS: readonly RedactPattern[] = [...HEADER_PATTERNS, ...configPatterns()]

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/
const pinoPath = (segments: readonly string[]): string =>
  segments.map((s, i) => (s === ANY_KEY || IDENTIFIER.test(s) ? `${i === 0 ? '' : '.'}${s}` : `[${JSON.stringify(s)}]`)).join('')

export const REDACT_PATHS: readonly string[] = [...new Set(PATTERNS.map((p) => pinoPath(p.segments)))]

const USERINFO_PATTERNS = PATTERNS.filter((p) => p.mark === 'userinfo')
const VALUE_PATTERNS = PATTERNS.filter((p) => p.mark === 'value')

/** A URL marked `userinfo` keeps its host (`redis://<redacted>@cache:6379`); anything else goes whole. */
function censor(value: unknown, path: readonly (string | symbol)[]): unknown {
  // pino passes a symbol for a leading wildcard; it matches `*` like any key.
  const keys = path.map((k) => (typeof k === 'string' ? k : ANY_KEY))
  const matches = (p: RedactPattern): boolean =>
    p.segments.length === keys.length && p.segments.every((s, i) => s === ANY_KEY || keys[i] === ANY_KEY || s === keys[i])
  const userinfo = typeof value === 'string' && USERINFO_PATTERNS.some(matches) && !VALUE_PATTERNS.some(matches)
  return userinfo ? redactUserinfo(value) : '[redacted]'
}

export function createLogger(level: string, destination: pino.DestinationStream = pino.destination({ sync: false })): Logger {
  return pino({ level, base: { service: 'sluice' }, redact: { paths: [...REDACT_PATHS], censor } }, destination)
}

export type { Logger }

/**
 * The per-request decision log: `fields` (pipeline/settle.ts `decisionFields`, JSON members
 * assembled from non-secret facts — ids, names, codes, timings, token counts) written as the
 * logger's own info line, `{"level":30,"time":…,<bindings>,<fields>,"msg":"decision"}`, straight
 * to its destination. Skipping pino's serialiser and its redaction pass (which walks wildcard
 * paths on every line) saves most of the decision log's per-request cost; log.test.ts checks the
 * line against pino's own for the same record. Shadow mirrors' records use it too, with `msg`
 * "shadow".
 */
export function decisionSink(logger: Logger, msg = 'decision'): (fields: string) => void {
  const internals = logger as unknown as Record<symbol, unknown>
  const stream = internals[pino.symbols.streamSym] as { write(line: string): void }
  const bindings = internals[pino.symbols.chindingsSym] as string
  const time = internals[pino.symbols.timeSym] as () => string
  const info = String(pino.levels.values.info)
  return (fields) => {
    if (!logger.isLevelEnabled('info')) return
    stream.write(`{"level":${info}${time()}${bindings},${fields},"msg":"${msg}"}\n`)
  }
}
