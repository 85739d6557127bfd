// Checks that span several fields, run once the file matches the schema: things a JSON Schema
// cannot say (uniqueness across entries, one field depending on another, parseable URLs).
import { formatPath, problemAt, type ConfigProblem, type PathSegment } from '../core/problems.js'
import type { Config } from './schema.js'
import { rateLimitProblems } from '../gates/rate-limit/schema.js'
import { checkBudgets } from '../gates/budget/semantic.js'
import { routingProblems } from '../models/semantic.js'
import { experimentProblems } from '../steering/experiments/semantic.js'
import { rolloutProblems, rolloutWarnings } from '../steering/rollouts/semantic.js'
import { shadowProblems } from '../steering/shadow/semantic.js'
import { guardrailProblems } from '../gates/guardrails/semantic.js'

export interface SemanticResult {
  problems: ConfigProblem[]
  warnings: string[]
}

/** Data-plane prefixes Sluice serves itself: the unified endpoint (docs/unified.md) and OFREP (docs/ofrep.md). */
const RESERVED_MOUNTS: Readonly<Record<string, string>> = { '/v1': 'the unified endpoint', '/ofrep': 'OFREP' }

/** `/a` contains `/a` and `/a/b` but not `/ab`: mounts match on whole path segments. */
const within = (outer: string, inner: string): boolean => inner === outer || inner.startsWith(`${outer}/`)

export function checkSemantics(config: Config): SemanticResult {
  const result: SemanticResult = { problems: [], warnings: [] }
  checkProviders(config, result)
  checkClients(config, result)
  const names = uniqueness(result)
  const tokens = uniqueness(result)
  config.admin.tokens.forEach((t, i) => {
    names(t.name, ['admin', 'tokens', i, 'name'])
    tokens(t.token, ['admin', 'tokens', i, 'token'])
  })
  checkState(config, result)
  for (const p of rateLimitProblems(config.rateLimits)) result.problems.push({ path: p.path, problem: p.problem, got: p.got })
  result.problems.push(...routingProblems(config))
  result.problems.push(...experimentProblems(config))
  result.problems.push(...rolloutProblems(config))
  result.warnings.push(...rolloutWarnings(config))
  result.problems.push(...shadowProblems(config))
  result.problems.push(...guardrailProblems(config))
  const budgets = checkBudgets(config.budgets)
  result.problems.push(...budgets.problems)
  result.warnings.push(...budgets.warnings)
  return result
}

function checkProviders(config: Config, result: SemanticResult): void {
  const seen: Array<[PathSegment[], string]> = []
  for (const [name, provider] of Object.entries(config.providers)) {
    const at = (key: string, problem: string, got?: unknown): void => {
      result.problems.push(problemAt(['providers', name, key], problem, got))
    }
    const { mount } = provider
    for (const [prefix, owner] of Object.entries(RESERVED_MOUNTS)) {
      if (within(prefix, mount)) at('mount', `is reserved for ${owner} (${prefix})`, mount)
    }
    for (const [otherPath, other] of seen) {
      const where = formatPath(otherPath)
      if (other === mount) at('mount', `duplicates ${where}`, mount)
      else if (within(other, mount)) at('mount', `is nested under ${where} (${other})`, mount)
      else if (within(mount, other)) at('mount', `contains ${where} (${other})`, mount)
    }
    seen.push([['providers', name, 'mount'], mount])

    if (provider.type !== 'bedrock') {
      if (provider.region !== undefined) at('region', 'only applies to type bedrock', provider.region)
      if (provider.credentials !== undefined) at('credentials', 'only applies to type bedrock')
    } else if (provider.apiKey !== undefined && provider.credentials !== undefined) {
      at('apiKey', 'set either apiKey or credentials, not both')
    }
    if (provider.type !== 'vertex') {
      for (const key of ['project', 'location', 'credentialsFile'] as const) {
        if (provider[key] !== undefined) at(key, 'only applies to type vertex', provider[key])
      }
    } else if (provider.apiKey !== undefined && provider.credentialsFile !== undefined) {
      at('apiKey', 'set either apiKey (express mode) or credentialsFile, not both')
    } else if (provider.apiKey === undefined && provider.project === undefined) {
      at('project', 'is required for type vertex (unless apiKey sets express mode)')
    }
    const urlProblem = provider.endpoint === undefined ? undefined : checkEndpoint(provider.endpoint)
    if (urlProblem !== undefined) at('endpoint', urlProblem, provider.endpoint)
  }
  if (config.clients.length === 0) {
    const gated = Object.keys(config.providers).filter((name) => config.providers[name]?.auth === 'client')
    if (gated.length > 0) {
      result.warnings.push(`no clients are configured, so every request to providers ${gated.join(', ')} (auth: client) will be refused`)
    }
  }
}

function checkClients(config: Config, result: SemanticResult): void {
  const ids = uniqueness(result)
  const apiKeys = uniqueness(result)
  const accessKeyIds = uniqueness(result)
  config.clients.forEach((client, i) => {
    const path = (...rest: PathSegment[]): PathSegment[] => ['clients', i, ...rest]
    const { apiKey, accessKeyId, secretAccessKey } = client.credentials
    ids(client.id, path('id'))
    apiKeys(apiKey, path('credentials', 'apiKey'))
    accessKeyIds(accessKeyId, path('credentials', 'accessKeyId'))
    if (apiKey === undefined && accessKeyId === undefined && secretAccessKey === undefined) {
      result.problems.push(problemAt(path('credentials'), 'must set apiKey, or accessKeyId with secretAccessKey'))
    }
    if (accessKeyId !== undefined && secretAccessKey === undefined) {
      result.problems.push(problemAt(path('credentials', 'secretAccessKey'), 'is required with accessKeyId'))
    }
    if (secretAccessKey !== undefined && accessKeyId === undefined) {
      result.problems.push(problemAt(path('credentials', 'accessKeyId'), 'is required with secretAccessKey'))
    }
  })
}

function checkState(config: Config, result: SemanticResult): void {
  const { store, redis } = config.state
  if (store === 'redis' && redis === undefined) {
    result.problems.push(problemAt(['state', 'redis'], 'is required when state.store is redis'))
  }
  if (store !== 'redis' && redis !== undefined) result.warnings.push(`state.redis is ignored because state.store is ${store}`)
  if (redis !== undefined && !URL.canParse(redis.url)) {
    result.problems.push(problemAt(['state', 'redis', 'url'], 'is not a valid URL', redis.url))
  }
}

function checkEndpoint(text: string): string | undefined {
  if (!URL.canParse(text)) return 'is not a valid URL'
  const url = new URL(text)
  // The upstream path is appended to the endpoint; a query or fragment would end up in the middle.
  return url.search === '' && url.hash === '' ? undefined : 'must not have a query or fragment'
}

/** Returns a checker that reports the second and later occurrences of a value. */
function uniqueness(result: SemanticResult): (value: string | undefined, path: PathSegment[]) => void {
  const first = new Map<string, string>()
  return (value, path) => {
    if (value === undefined) return
    const previous = first.get(value)
    if (previous === undefined) first.set(value, formatPath(path))
    else result.problems.push(problemAt(path, `duplicates ${previous}`, value))
  }
}
