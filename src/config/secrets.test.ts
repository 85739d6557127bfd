import { KindGuard, type TSchema } from '@sinclair/typebox'
import { describe, expect, it } from 'vitest'
import { formatPath, formatProblem } from '../core/problems.js'
import { REDACTED } from '../core/secret.js'
import { parseConfig } from './load.js'
import { ConfigSchema } from './schema.js'
import { formatSecretPath, parsePath, redactConfig, secretPaths } from './secrets.js'

/**
 * Every secret in the config, written out by hand: removing a mark from the schema (or adding
 * one) fails here until this table says so too.
 */
const KNOWN_SECRETS: Record<string, 'value' | 'userinfo'> = {
  'admin.tokens[].token': 'value',
  'state.redis.url': 'userinfo',
  'providers.*.endpoint': 'userinfo',
  'providers.*.credentials.accessKeyId': 'value',
  'providers.*.credentials.secretAccessKey': 'value',
  'providers.*.credentials.sessionToken': 'value',
  'providers.*.apiKey': 'value',
  // Not `clients[].credentials.accessKeyId`: the client's name in SigV4, shown like its id.
  'clients[].credentials.secretAccessKey': 'value',
  'clients[].credentials.apiKey': 'value',
  'budgets.alerts.webhooks[].url': 'value',
  'budgets.alerts.webhooks[].headers.*': 'value',
  'experiments.*.alertWebhooks[].url': 'value',
  'experiments.*.alertWebhooks[].headers.*': 'value',
  'rollouts.*.alertWebhooks[].url': 'value',
  'rollouts.*.alertWebhooks[].headers.*': 'value',
  'models.*.bandit.feedbackSecret': 'value',
  'telemetry.tracing.endpoint': 'userinfo',
  'telemetry.tracing.headers.*': 'value',
}

/** Leaves whose names sound like credentials but are not, each for a reason. */
const NOT_SECRETS = new Set([
  'providers.*.auth',
  'unified.auth',
  'ofrep.auth',
  'budgets.estimate.bytesPerToken',
  'budgets.estimate.defaultOutputTokens',
  'rateLimits.defaultMaxOutputTokens',
  'rateLimits.rules[].defaultMaxOutputTokens',
  'rateLimits.rules[].key[]',
  'rateLimits.maxLocalKeys',
  'models.*.targets[].params.maxTokens',
  'experiments.*.variants[].params.maxTokens',
  'guardrails.size.maxInputTokens',
])
/** Matched on a leaf's name, or its mapping's (`headers.*`). */
const CREDENTIAL_LIKE = /(token|key|secret|password|passwd|credentials?|auth|url|uri|endpoint|dsn|headers?|cookies?)s?$/i
const leafName = (path: string): string => path.split('.').filter((s) => s !== '*').at(-1)?.replace(/\[\]$/, '') ?? ''

type Leaf = [path: string[], schema: TSchema]

/** Every leaf of the schema, as `[]` / `*` paths; a union's variants are walked at the same place. */
function leaves(schema: TSchema, at: string[] = []): Leaf[] {
  if (KindGuard.IsUnion(schema) && !schema.anyOf.every((v) => 'const' in v)) return schema.anyOf.flatMap((v) => leaves(v, at))
  if (KindGuard.IsObject(schema)) return Object.entries(schema.properties).flatMap(([k, s]) => leaves(s, [...at, k]))
  if (KindGuard.IsRecord(schema)) return leaves(Object.values(schema.patternProperties)[0]!, [...at, '*'])
  if (KindGuard.IsArray(schema)) return leaves(schema.items, [...at, '[]'])
  return [[at, schema]]
}

let counter = 0
/** A value for every key the schema has, optional ones too; every string is a URL with userinfo. */
function sample(schema: TSchema): unknown {
  const n = ++counter
  if (KindGuard.IsUnion(schema)) return sample(schema.anyOf[0]!)
  if (KindGuard.IsObject(schema)) return Object.fromEntries(Object.entries(schema.properties).map(([k, s]) => [k, sample(s)]))
  if (KindGuard.IsRecord(schema)) return { [`key-${n}`]: sample(Object.values(schema.patternProperties)[0]!) }
  if (KindGuard.IsArray(schema)) return [sample(schema.items)]
  if (KindGuard.IsLiteral(schema)) return schema.const
  if (KindGuard.IsNumber(schema) || KindGuard.IsInteger(schema)) return n
  if (KindGuard.IsBoolean(schema)) return true
  return `https://user-${n}:pw-${n}@host-${n}.example/p${n}`
}

/** Concrete leaves of a value: `[['clients', 0, 'id'], 'app'], ...`. */
function flatten(value: unknown, at: Array<string | number> = []): Array<[Array<string | number>, unknown]> {
  if (Array.isArray(value)) return value.flatMap((v, i) => flatten(v, [...at, i]))
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => flatten(v, [...at, k]))
  return [[at, value]]
}

/** The KNOWN_SECRETS entry a concrete path falls under, if any. */
function knownMark(path: Array<string | number>): 'value' | 'userinfo' | undefined {
  for (const [pattern, mark] of Object.entries(KNOWN_SECRETS)) {
    const segments = pattern.replaceAll('[]', '.[]').split('.')
    const under = segments.length <= path.length && segments.every((s, i) => (s === '[]' ? typeof path[i] === 'number' : s === '*' || s === path[i]))
    if (under) return mark
  }
  return undefined
}

describe('secret marks in the config schema', () => {
  it('mark exactly the known secret paths', () => {
    const marked = Object.fromEntries(secretPaths().map((p) => [formatSecretPath(p.segments), p.mark]))
    expect(marked).toEqual(KNOWN_SECRETS)
  })

  it('leave no credential-like leaf unmarked and unexplained', () => {
    const all = leaves(ConfigSchema).map(([path]) => formatSecretPath(path))
    const unexplained = all.filter((path) => CREDENTIAL_LIKE.test(leafName(path)) && !(path in KNOWN_SECRETS) && !NOT_SECRETS.has(path))
    expect(unexplained).toEqual([])
    expect([...NOT_SECRETS].filter((path) => !all.includes(path) || !CREDENTIAL_LIKE.test(leafName(path)))).toEqual([])
  })
})

describe('redactConfig', () => {
  // A loaded config never holds `environments` (overlays are checked below).
  const { environments: _overlays, ...config } = sample(ConfigSchema) as Record<string, unknown>
  const redacted = redactConfig(config)

  it('redacts every secret leaf of a config with every key set, and nothing else', () => {
    const before = flatten(config)
    const after = new Map(flatten(redacted).map(([path, value]) => [formatPath(path), value]))
    expect(after.size).toBe(before.length)
    const secrets = before.filter(([path]) => knownMark(path) !== undefined)
    expect(secrets.length).toBeGreaterThanOrEqual(Object.keys(KNOWN_SECRETS).length)
    for (const [path, value] of before) {
      const mark = knownMark(path)
      const expected = mark === 'value' ? REDACTED : mark === 'userinfo' ? String(value).replace(/\/\/.*@/, `//${REDACTED}@`) : value
      expect([formatPath(path), after.get(formatPath(path))]).toEqual([formatPath(path), expected])
    }
  })

  it('redacts an overlay as the config it is merged into, unknown keys included', () => {
    const overlays = { environments: { prod: { providers: { x: { mount: '/x', apiKey: 'sk-prod', apikey: 'sk-typo' } }, server: { port: 1 } } } }
    expect(redactConfig(overlays)).toEqual({
      environments: { prod: { providers: { x: { mount: '/x', apiKey: REDACTED, apikey: REDACTED } }, server: { port: 1 } } },
    })
  })

  it('serves a loaded config with header names but not their values, and budgets.estimate in clear', () => {
    const result = parseConfig(
      [
        'admin: { tokens: [{ name: ops, token: admin-token-0123456789, role: admin }] }',
        'state: { store: redis, redis: { url: "rediss://default:redis-pw@cache:6380/2" } }',
        'providers:',
        '  bedrock: { type: bedrock, mount: /bedrock, credentials: { accessKeyId: AKIAUPSTREAM, secretAccessKey: aws-secret, sessionToken: aws-session } }',
        '  openai: { type: openai, mount: /openai, apiKey: sk-upstream, endpoint: "https://proxy-user:proxy-pw@proxy.example/v1" }',
        'clients: [{ id: app, credentials: { accessKeyId: AKIDAPP, secretAccessKey: client-secret, apiKey: sk-client } }]',
        'budgets: { alerts: { webhooks: [{ url: "https://hooks.example/T0/B0/hook-token", headers: { authorization: "Bearer hook-bearer", x-api-key: hook-key } }] } }',
      ].join('\n'),
      { environ: {} },
    )
    if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'))
    const text = JSON.stringify(redactConfig(result.config))
    for (const secret of ['admin-token', 'redis-pw', 'AKIAUPSTREAM', 'aws-secret', 'aws-session', 'sk-upstream', 'proxy-pw', 'proxy-user', 'client-secret', 'sk-client', 'hook-token', 'hook-bearer', 'hook-key']) {
      expect(text).not.toContain(secret)
    }
    const served = JSON.parse(text) as typeof result.config
    expect(served.budgets.estimate).toEqual({ bytesPerToken: 4, defaultOutputTokens: 1024 })
    expect(served.budgets.alerts.webhooks[0]!.headers).toEqual({ authorization: REDACTED, 'x-api-key': REDACTED })
    expect(served.state.redis?.url).toBe(`rediss://${REDACTED}@cache:6380/2`)
    expect(served.providers.openai!.endpoint).toBe(`https://${REDACTED}@proxy.example/v1`)
    expect(served.clients[0]!.credentials.accessKeyId).toBe('AKIDAPP')
    expect(served.admin.tokens[0]).toEqual({ name: 'ops', token: REDACTED, role: 'admin' })
  })
})

describe('problems never print a secret (sluice validate)', () => {
  const lines = (yaml: string, env?: string): string[] => {
    const result = parseConfig(yaml, { environ: {}, ...(env === undefined ? {} : { env }) })
    return result.ok ? ['ok'] : result.problems.map(formatProblem)
  }

  it.each([
    ['a non-secret that sounds like one is shown', 'budgets: { estimate: { bytesPerToken: 0 } }', ['budgets.estimate.bytesPerToken: must be at least 1 (got 0)']],
    ['a webhook header of the wrong type', 'budgets: { alerts: { webhooks: [{ url: "https://h", headers: { authorization: 12345 } }] } }', ['budgets.alerts.webhooks[0].headers.authorization: must be a string (got <redacted>)']],
    ['a webhook URL', 'budgets: { alerts: { webhooks: [{ url: "ftp://h/hook-token" }] } }', ['budgets.alerts.webhooks[0].url: must be an http:// or https:// URL (got <redacted>)']],
    ['headers that are not a mapping', 'budgets: { alerts: { webhooks: [{ url: "https://h", headers: "Bearer hook-bearer" }] } }', ['budgets.alerts.webhooks[0].headers: must be a mapping (got <redacted>)']],
    ['credentials that are not a mapping', 'clients: [{ id: app, credentials: "sk-client" }]', ['clients[0].credentials: must be a mapping (got <redacted>)']],
    ['a Redis URL: the userinfo only', 'state: { store: redis, redis: { url: "http://u:redis-pw@cache" } }', ['state.redis.url: must start with redis:// or rediss:// (got "http://<redacted>@cache")']],
    ['a malformed Redis URL', 'state: { store: redis, redis: { url: "redis://:pw/x@cache:x" } }', ['state.redis.url: is not a valid URL (got "redis://<redacted>@cache:x")']],
    ['a mapping holding secrets', 'admin: { tokens: [{ name: ops, token: short-secret, role: root }] }', ['admin.tokens[0].token: must be at least 16 characters (got <redacted>)', 'admin.tokens[0].role: must be one of viewer, operator, admin (got "root")']],
    ['an overlay that is not a mapping', 'environments: { qa: "sk-upstream" }', ['environments.qa: must be a mapping (got <redacted>)']],
    ['a provider of the wrong kind', 'providers: { a: "sk-upstream" }', ['providers.a: must be a mapping (got <redacted>)']],
  ])('%s', (_name, yaml, expected) => {
    expect(lines(yaml)).toEqual(expected)
  })

  it('the problem objects themselves hold no secret, so they can be logged or served as data', () => {
    const result = parseConfig('clients: [{ id: app, credentials: { apiKey: 12345, secretAccessKey: [hunter2] } }]\nstate: { store: redis, redis: { url: "x://:hunter2@h" } }', { environ: {} })
    expect(result.ok).toBe(false)
    expect(JSON.stringify(result)).not.toMatch(/hunter2|12345/)
  })

  it('cross-field problems are redacted by the same marks', () => {
    const yaml = 'clients:\n  - { id: a, credentials: { apiKey: sk-same } }\n  - { id: b, credentials: { apiKey: sk-same } }'
    expect(lines(yaml)).toEqual(['clients[1].credentials.apiKey: duplicates clients[0].credentials.apiKey (got <redacted>)'])
  })
})

describe('parsePath', () => {
  it.each<Array<string | number>[]>([
    [[]],
    [['providers', 'bedrock', 'mount']],
    [['clients', 0, 'credentials', 'apiKey']],
    [['providers', 'open ai', 'apiKey']],
    [['budgets', 'alerts', 'webhooks', 1, 'headers', 'x-api-key']],
    [['budgets', 'prices', 'openai/gpt-4o', 'inputPerMTok']],
    [['flags', 'a"b\\c', 'state']],
  ])('reads back formatPath(%j)', (segments) => {
    expect(parsePath(formatPath(segments))).toEqual(segments)
  })

  it('refuses what formatPath never writes', () => {
    expect(parsePath('config/sluice.yaml:3:1')).toBeUndefined()
  })
})
