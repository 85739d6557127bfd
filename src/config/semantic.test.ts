import { describe, expect, it } from 'vitest'
import { formatProblem, parseConfig } from './load.js'

function lines(yaml: string): string[] {
  const result = parseConfig(yaml, { environ: {} })
  return result.ok ? ['ok', ...result.warnings] : result.problems.map(formatProblem)
}

describe('parseConfig: cross-field problems', () => {
  const provider = (name: string, body: string): string => `  ${name}: { auth: none, ${body} }\n`
  it.each([
    ['duplicate mount', provider('a', 'type: openai, mount: /x') + provider('b', 'type: llama, mount: /x'), ['providers.b.mount: duplicates providers.a.mount (got "/x")']],
    ['nested mount', provider('a', 'type: openai, mount: /x') + provider('b', 'type: llama, mount: /x/y'), ['providers.b.mount: is nested under providers.a.mount (/x) (got "/x/y")']],
    ['enclosing mount', provider('a', 'type: openai, mount: /x/y') + provider('b', 'type: llama, mount: /x'), ['providers.b.mount: contains providers.a.mount (/x/y) (got "/x")']],
    ['sibling prefix is fine', provider('a', 'type: openai, mount: /x') + provider('b', 'type: llama, mount: /xy'), ['ok']],
    ['reserved /v1', provider('a', 'type: openai, mount: /v1'), ['providers.a.mount: is reserved for the unified endpoint (/v1) (got "/v1")']],
    ['under /ofrep', provider('a', 'type: openai, mount: /ofrep/flags'), ['providers.a.mount: is reserved for OFREP (/ofrep) (got "/ofrep/flags")']],
    ['/v1beta is not /v1', provider('a', 'type: gemini, mount: /v1beta'), ['ok']],
    ['region off bedrock', provider('a', 'type: gemini, mount: /g, region: eu-west-1'), ['providers.a.region: only applies to type bedrock (got "eu-west-1")']],
    ['credentials off bedrock', provider('a', 'type: llama, mount: /m, credentials: { accessKeyId: A, secretAccessKey: S }'), ['providers.a.credentials: only applies to type bedrock']],
    ['incomplete provider credentials', provider('a', 'type: bedrock, mount: /b, credentials: { accessKeyId: A }'), ['providers.a.credentials.secretAccessKey: is required']],
    ['vertex keys off vertex', provider('a', 'type: gemini, mount: /g, project: p, location: global'), ['providers.a.project: only applies to type vertex (got "p")', 'providers.a.location: only applies to type vertex (got "global")']],
    ['vertex without a project', provider('a', 'type: vertex, mount: /v'), ['providers.a.project: is required for type vertex (unless apiKey sets express mode)']],
    ['vertex express mode', provider('a', 'type: vertex, mount: /v, apiKey: k'), ['ok']],
    ['vertex with a project', provider('a', 'type: vertex, mount: /v, project: p, location: us-central1, credentialsFile: /k.json'), ['ok']],
    ['vertex with two credentials', provider('a', 'type: vertex, mount: /v, apiKey: k, credentialsFile: /k.json'), ['providers.a.apiKey: set either apiKey (express mode) or credentialsFile, not both']],
    ['bedrock with two credentials', provider('a', 'type: bedrock, mount: /b, apiKey: k, credentials: { accessKeyId: A, secretAccessKey: S }'), ['providers.a.apiKey: set either apiKey or credentials, not both']],
    ['endpoint not a URL', provider('a', 'type: openai, mount: /o, endpoint: "http://exa mple.com"'), ['providers.a.endpoint: is not a valid URL (got "http://exa mple.com")']],
    ['endpoint with a query', provider('a', 'type: openai, mount: /o, endpoint: "http://h/v1?x=1"'), ['providers.a.endpoint: must not have a query or fragment (got "http://h/v1?x=1")']],
  ])('%s', (_name, providers, expected) => {
    expect(lines(`providers:\n${providers}`)).toEqual(expected)
  })

  const client = (id: string, credentials: string): string => `  - { id: ${id}, credentials: { ${credentials} } }\n`
  it.each([
    ['duplicate id', client('a', 'apiKey: k1') + client('a', 'apiKey: k2'), ['clients[1].id: duplicates clients[0].id (got "a")']],
    ['duplicate apiKey, redacted', client('a', 'apiKey: same-key') + client('b', 'apiKey: same-key'), ['clients[1].credentials.apiKey: duplicates clients[0].credentials.apiKey (got <redacted>)']],
    ['duplicate accessKeyId', client('a', 'accessKeyId: AK, secretAccessKey: s1') + client('b', 'accessKeyId: AK, secretAccessKey: s2'), ['clients[1].credentials.accessKeyId: duplicates clients[0].credentials.accessKeyId (got "AK")']],
    ['accessKeyId without secret', client('a', 'accessKeyId: AK'), ['clients[0].credentials.secretAccessKey: is required with accessKeyId']],
    ['secret without accessKeyId', client('a', 'secretAccessKey: s'), ['clients[0].credentials.accessKeyId: is required with secretAccessKey']],
    ['no credential at all', client('a', ''), ['clients[0].credentials: must set apiKey, or accessKeyId with secretAccessKey']],
  ])('%s', (_name, clients, expected) => {
    expect(lines(`clients:\n${clients}`)).toEqual(expected)
  })

  it.each([
    ['duplicate admin token names and tokens', 'admin:\n  tokens:\n    - { name: ops, token: 0123456789abcdef, role: admin }\n    - { name: ops, token: 0123456789abcdef, role: viewer }', ['admin.tokens[1].name: duplicates admin.tokens[0].name (got "ops")', 'admin.tokens[1].token: duplicates admin.tokens[0].token (got <redacted>)']],
    ['redis store without redis', 'state: { store: redis }', ['state.redis: is required when state.store is redis']],
    ['redis url that does not parse', 'state: { store: redis, redis: { url: "redis://a b" } }', ['state.redis.url: is not a valid URL (got "redis://a b")']],
  ])('%s', (_name, yaml, expected) => {
    expect(lines(yaml)).toEqual(expected)
  })

  const rolloutBase = `providers:\n  o: { type: openai, mount: /o, auth: none }\n  n: { type: openai, mount: /n, auth: none }\n  g: { type: gemini, mount: /g, auth: none }\nmodels:\n  chat: { targets: [{ provider: o, model: m }, { provider: n, model: m, weight: 0 }] }\n`
  it.each([
    ['a valid rollout', 'r: { model: chat, stable: { provider: o, model: m }, canary: { provider: n, model: m } }', ['ok']],
    ['unknown model', 'r: { model: nope, stable: { provider: o, model: m }, canary: { provider: n, model: m } }', ['rollouts.r.model: is not a key of models (got "nope")']],
    ['arm not a target', 'r: { model: chat, stable: { provider: o, model: m }, canary: { provider: n, model: x } }', ['rollouts.r.canary: is not one of chat\'s targets (got "n/x")']],
    ['canary is stable', 'r: { model: chat, stable: { provider: o, model: m }, canary: { provider: o, model: m } }', ['rollouts.r.canary: is the stable target itself']],
    ['native arm of another dialect', 'r: { mount: o, model: m, stable: { provider: o, model: m }, canary: { provider: g, model: m } }', ['rollouts.r.canary.provider: must be a openai provider like o (a native request keeps its dialect) (got "g")']],
    ['steps not ending at 100', 'r: { model: chat, stable: { provider: o, model: m }, canary: { provider: n, model: m }, steps: [{ percent: 5 }, { percent: 50 }] }', ['rollouts.r.steps: the last step must be 100 %']],
    ['two rollouts on one model', 'a: { model: chat, stable: { provider: o, model: m }, canary: { provider: n, model: m } }\n  b: { model: chat, stable: { provider: n, model: m }, canary: { provider: o, model: m } }', ['rollouts.b.model: chat already runs rollout a; a model runs one split at a time']],
    ['a reaction to no sequence warns', 'r: { model: chat, stable: { provider: o, model: m }, canary: { provider: n, model: m }, activation: { launch: start } }', ['ok', 'rollouts.r.activation.launch: no such activation sequence; this reaction never runs']],
  ])('rollouts: %s', (_name, rollouts, expected) => {
    expect(lines(`${rolloutBase}rollouts:\n  ${rollouts}\n`)).toEqual(expected)
  })

  it('reports every cross-field problem together', () => {
    const yaml = `providers:\n${provider('a', 'type: openai, mount: /v1, region: r')}clients:\n${client('c', 'apiKey: k') + client('c', 'apiKey: k')}`
    expect(lines(yaml)).toEqual([
      'providers.a.mount: is reserved for the unified endpoint (/v1) (got "/v1")',
      'providers.a.region: only applies to type bedrock (got "r")',
      'clients[1].id: duplicates clients[0].id (got "c")',
      'clients[1].credentials.apiKey: duplicates clients[0].credentials.apiKey (got <redacted>)',
    ])
  })
})
