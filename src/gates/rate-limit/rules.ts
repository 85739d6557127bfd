// Rules compiled once per config snapshot: matchers and key builders become small closures, limits
// become GCRA emission intervals, so the hot path only compares strings and adds numbers.
import type { Dimension, RateLimitRule, RateLimitsConfig } from './schema.js'
import type { RateLimitContext } from './types.js'

/** A GCRA limit: `limit` units per `windowMs`, one unit every `intervalMs`. */
export interface Rate {
  readonly limit: number
  readonly windowSeconds: number
  readonly windowMs: number
  readonly intervalMs: number
}

export interface CompiledRule {
  readonly name: string
  readonly matches: (ctx: RateLimitContext) => boolean
  /** Counter key, unique across rules (it starts with the rule name); constant when `keyed` is false. */
  readonly keyOf: (ctx: RateLimitContext) => string
  readonly keyed: boolean
  readonly requests: Rate | undefined
  readonly tokens: Rate | undefined
  /** Max in flight per key; 0 = no concurrency limit. */
  readonly concurrent: number
  readonly defaultMaxOutputTokens: number
}

type Read = (ctx: RateLimitContext) => string | undefined

const READ: Readonly<Record<Dimension, Read>> = {
  client: (c) => c.client,
  tenant: (c) => c.tenant,
  user: (c) => c.targetingKey,
  route: (c) => c.route,
  provider: (c) => c.provider,
  model: (c) => c.model,
}

// NUL cannot occur in HTTP header values, so values from headers and config cannot fake a key
// boundary; a request body's model name could, but only to share (never escape) a counter.
const SEP = '\u0000'

function matcher(match: RateLimitRule['match']): (ctx: RateLimitContext) => boolean {
  const tests: Array<(ctx: RateLimitContext) => boolean> = []
  for (const [dimension, wanted] of Object.entries(match ?? {}) as Array<[Dimension, string | string[] | undefined]>) {
    if (wanted === undefined) continue
    const read = READ[dimension]
    const values = typeof wanted === 'string' ? [wanted] : wanted
    if (values.includes('*')) tests.push((c) => (read(c) ?? '') !== '')
    else if (values.length === 1) tests.push((c) => read(c) === values[0])
    else {
      const set = new Set(values)
      tests.push((c) => set.has(read(c) ?? ''))
    }
  }
  if (tests.length === 0) return () => true
  return (c) => {
    for (const test of tests) if (!test(c)) return false
    return true
  }
}

/** A request missing a key dimension (no tenant, say) shares the counter of all such requests. */
function keyBuilder(name: string, key: readonly Dimension[]): (ctx: RateLimitContext) => string {
  const reads = key.map((d) => READ[d])
  const [first, second] = reads
  if (first === undefined) return () => name
  const prefix = name + SEP
  if (second === undefined) return (c) => prefix + (first(c) ?? '')
  if (reads.length === 2) return (c) => prefix + (first(c) ?? '') + SEP + (second(c) ?? '')
  return (c) => {
    let out = prefix + (first(c) ?? '')
    for (let i = 1; i < reads.length; i++) out += SEP + (reads[i]!(c) ?? '')
    return out
  }
}

function rate(window: { limit: number; windowSeconds: number } | undefined): Rate | undefined {
  if (window === undefined) return undefined
  const windowMs = window.windowSeconds * 1000
  return { limit: window.limit, windowSeconds: window.windowSeconds, windowMs, intervalMs: windowMs / window.limit }
}

/** The config's limits as they are; the local fallback's share is applied by LocalRateLimiter (`setShare`). */
export function compileRules(config: RateLimitsConfig): CompiledRule[] {
  return config.rules.map((rule) => ({
    name: rule.name,
    matches: matcher(rule.match),
    keyOf: keyBuilder(rule.name, rule.key),
    keyed: rule.key.length > 0,
    requests: rate(rule.requests),
    tokens: rate(rule.tokens),
    concurrent: rule.concurrent ?? 0,
    defaultMaxOutputTokens: rule.defaultMaxOutputTokens ?? config.defaultMaxOutputTokens,
  }))
}

/** Tokens reserved for `rule`: input plus the stated max_tokens or the rule's default. */
export function reservedTokens(rule: CompiledRule, inputTokens: number, maxOutputTokens: number | undefined): number {
  return inputTokens + (maxOutputTokens ?? rule.defaultMaxOutputTokens)
}
