// Rate-limit config (docs/rate-limits.md). Mounted at `rateLimits:` in the main schema; defaults and
// units live here. Cross-field checks a JSON Schema cannot say are in `rateLimitProblems`.
import { Type, type Static, type TObject, type TProperties } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'

const strict = <T extends TProperties>(properties: T, description: string): TObject<T> =>
  Type.Object(properties, { additionalProperties: false, description })

export const Dimensions = ['client', 'tenant', 'user', 'route', 'provider', 'model'] as const
export type Dimension = (typeof Dimensions)[number]

const Values = Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })], {
  description: 'An exact value, a list of values, or "*" (any request that has this dimension).',
})

const Window = (unit: string) =>
  strict(
    {
      limit: Type.Integer({ minimum: 1, description: `${unit} allowed per window (and the largest burst).` }),
      windowSeconds: Type.Integer({ minimum: 1, description: 'Window length in whole seconds (as RateLimit-Policy `w` states it); capacity refills evenly over it.' }),
    },
    `At most \`limit\` ${unit} per \`windowSeconds\`, enforced with GCRA (docs/rate-limits.md).`,
  )

export const RateLimitRuleSchema = strict(
  {
    name: Type.String({
      pattern: '^[A-Za-z0-9._-]+$',
      patternErrorMessage: 'must use only letters, digits and . _ -',
      description: 'Unique rule name: shown in RateLimit headers, metrics and logs, and part of every counter key.',
    }),
    match: Type.Optional(
      strict(
        {
          client: Type.Optional(Values),
          tenant: Type.Optional(Values),
          user: Type.Optional(Values),
          route: Type.Optional(Values),
          provider: Type.Optional(Values),
          model: Type.Optional(Values),
        },
        'Which requests the rule applies to; every listed dimension must match. Omit to match all requests.',
      ),
    ),
    key: Type.Array(Type.Union(Dimensions.map((d) => Type.Literal(d))), {
      default: [],
      uniqueItems: true,
      description: 'Dimensions that form the counter key, e.g. [tenant, user] for a limit per user of each tenant. [] = one shared counter.',
    }),
    requests: Type.Optional(Window('requests')),
    tokens: Type.Optional(Window('tokens (input + output)')),
    concurrent: Type.Optional(Type.Integer({ minimum: 1, description: 'Max requests in flight at once per key.' })),
    defaultMaxOutputTokens: Type.Optional(
      Type.Integer({ minimum: 0, description: 'Output tokens reserved when the request states no max_tokens. Default: rateLimits.defaultMaxOutputTokens.' }),
    ),
  },
  'One rate-limit rule: requests and/or tokens per window and/or concurrent requests, per key.',
)
export type RateLimitRule = Static<typeof RateLimitRuleSchema>

export const RateLimitsSchema = Type.Object(
  {
    rules: Type.Array(RateLimitRuleSchema, { default: [], description: 'Every matching rule applies; the most restrictive decides.' }),
    defaultMaxOutputTokens: Type.Integer({
      minimum: 0,
      default: 1024,
      description: 'Output tokens reserved before the call when the request states no max_tokens; corrected from actual usage after it.',
    }),
    maxLocalKeys: Type.Integer({
      minimum: 1,
      default: 100_000,
      description: 'Most counter keys held in memory (LRU). Evicted keys fall back to a fixed-size sketch that never loosens a limit.',
    }),
    redis: Type.Object(
      {
        keyPrefix: Type.String({ default: 'sluice:rl:', description: 'Prefix of every rate-limit key in Redis.' }),
        clock: Type.Union([Type.Literal('redis'), Type.Literal('local')], {
          default: 'redis',
          description: '`redis`: windows use the Redis server clock, so replica clock skew cannot loosen limits. `local`: each replica\'s own clock.',
        }),
        leaseSeconds: Type.Integer({
          minimum: 1,
          default: 900,
          description: 'A concurrency slot held longer than this is freed, so a replica that dies cannot hold slots forever.',
        }),
        commandTimeoutMs: Type.Integer({
          minimum: 1,
          default: 100,
          description:
            'A Redis call unanswered this long counts as slow (stats slowCalls), not as down: while the connection is up it is waited for, up to `deadlineMs`.',
        }),
        deadlineMs: Type.Integer({
          minimum: 1,
          default: 1000,
          description: 'How long a rate-limit decision waits for Redis on a live connection before Redis counts as down and the fallback decides.',
        }),
        fallback: Type.Union([Type.Literal('local'), Type.Literal('none')], {
          default: 'local',
          description:
            '`local`: while Redis is unreachable, limit in-process with a share of each limit (see `localShare`). `none`: the error reaches the gate, whose failMode decides.',
        }),
        localShare: Type.Number({
          exclusiveMinimum: 0,
          maximum: 1,
          default: 0.5,
          description:
            'The most of each limit one replica allows on its own while Redis is unreachable. The share used is the smaller of this and 1 / replicas seen through Redis heartbeats (rounded down per limit), so the fleet stays within the limit; this alone until a replica has seen the count.',
        }),
      },
      { additionalProperties: false, default: {}, description: 'Used when state.store is redis: counters shared and exact across replicas.' },
    ),
  },
  { additionalProperties: false, default: {}, description: 'Rate limits (gate 5). Enforced when flag ai.ratelimit.enforce is on, else monitored.' },
)
export type RateLimitsConfig = Static<typeof RateLimitsSchema>

export interface RateLimitProblem {
  readonly path: string
  readonly problem: string
  readonly got?: unknown
}

/** Checks beyond the schema, as `rateLimits.…` paths for config/semantic.ts to report. */
export function rateLimitProblems(config: RateLimitsConfig): RateLimitProblem[] {
  const problems: RateLimitProblem[] = []
  const seen = new Set<string>()
  config.rules.forEach((rule, i) => {
    const at = `rateLimits.rules[${i}]`
    if (seen.has(rule.name)) problems.push({ path: `${at}.name`, problem: 'duplicates another rule name', got: rule.name })
    seen.add(rule.name)
    if (rule.requests === undefined && rule.tokens === undefined && rule.concurrent === undefined) {
      problems.push({ path: at, problem: 'sets no limit: give requests, tokens or concurrent' })
    }
  })
  // One acquire touches a counter per keyed rule; a smaller LRU could evict one of them mid-acquire.
  const keyed = config.rules.filter((rule) => rule.key.length > 0).length
  if (config.maxLocalKeys <= keyed) {
    problems.push({ path: 'rateLimits.maxLocalKeys', problem: `must exceed the number of keyed rules (${keyed})`, got: config.maxLocalKeys })
  }
  return problems
}

/** `rateLimits:` with defaults applied and checked, for tests and benchmarks (config/load.ts does it for real). */
export function rateLimitsConfig(input: unknown): RateLimitsConfig {
  const value = Value.Default(RateLimitsSchema, Value.Clone(input))
  const error = Value.Errors(RateLimitsSchema, value).First()
  if (error !== undefined) throw new Error(`rateLimits${error.path.replaceAll('/', '.')}: ${error.message}`)
  const problem = rateLimitProblems(value as RateLimitsConfig)[0]
  if (problem !== undefined) throw new Error(`${problem.path}: ${problem.problem}`)
  return value as RateLimitsConfig
}
