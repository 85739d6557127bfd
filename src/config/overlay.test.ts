import { describe, expect, it } from 'vitest'
import { formatProblem, parseConfig } from './load.js'
import { deepMerge } from './overlay.js'

const FILE = `
server: { port: 8080, host: 127.0.0.1 }
providers:
  openai: { type: openai, mount: /openai, apiKey: sk-base, connections: 16 }
clients:
  - { id: base-app, credentials: { apiKey: base-key } }
environments:
  staging:
    server: { port: 9090 }
    providers:
      openai: { endpoint: "http://staging-openai:8000" }
    clients:
      - { id: staging-app, credentials: { apiKey: staging-key } }
  prod:
    providers:
      openai: { apiKey: "\${PROD_OPENAI_KEY}" }
`

describe('environment overlays', () => {
  it('deep-merges mappings and replaces lists', () => {
    const result = parseConfig(FILE, { env: 'staging', environ: {} })
    if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'))
    expect(result.config.server).toMatchObject({ port: 9090, host: '127.0.0.1' })
    expect(result.config.providers['openai']).toMatchObject({
      apiKey: 'sk-base',
      connections: 16,
      endpoint: 'http://staging-openai:8000',
    })
    expect(result.config.clients.map((c) => c.id)).toEqual(['staging-app'])
  })

  it('removes `environments` from the result, with or without an env', () => {
    for (const env of [undefined, 'staging']) {
      const result = parseConfig(FILE, { env, environ: {} })
      expect(result.ok && 'environments' in result.config).toBe(false)
    }
  })

  it('resolves references only in the selected overlay', () => {
    expect(parseConfig(FILE, { env: 'staging', environ: {} }).ok).toBe(true)
    const prod = parseConfig(FILE, { env: 'prod', environ: {} })
    expect(prod.ok ? [] : prod.problems.map(formatProblem)).toEqual([
      'providers.openai.apiKey: references unset environment variable PROD_OPENAI_KEY',
    ])
  })

  it.each([
    ['an unknown environment', FILE, 'qa', ['environments: has no environment "qa" (known: staging, prod)']],
    ['an env when the file has none', 'server: {}', 'qa', ['environments: has no environment "qa" (the file defines no environments)']],
    ['an overlay that is not a mapping', 'environments: { qa: [1] }', 'qa', ['environments.qa: must be a mapping (got [1])']],
    ['nested environments', 'environments: { qa: { environments: {} } }', 'qa', ['environments.qa.environments: overlays cannot nest environments']],
    ['an overlay with a misspelt key', 'environments: { qa: { sever: {} } }', 'qa', ['sever: unknown key, did you mean server?']],
  ])('reports %s', (_name, yaml, env, expected) => {
    const result = parseConfig(yaml, { env, environ: {} })
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual(expected)
  })

  it('shape-checks overlays even when none is selected', () => {
    const result = parseConfig('environments: { qa: 5 }', { environ: {} })
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual(['environments.qa: must be a mapping (got 5)'])
  })

  it.each([
    [{ a: { b: 1, c: 2 } }, { a: { c: 3 } }, { a: { b: 1, c: 3 } }],
    [{ a: [1, 2] }, { a: [3] }, { a: [3] }],
    [{ a: { b: 1 } }, { a: 'scalar' }, { a: 'scalar' }],
    [{ a: 1 }, { b: { c: 1 } }, { a: 1, b: { c: 1 } }],
    [{ a: { b: 1 }, c: 1 }, { a: null }, { c: 1 }],
    [{ a: { b: 1, c: 1 } }, { a: { b: null } }, { a: { c: 1 } }],
  ])('deepMerge(%j, %j) → %j', (base, overlay, expected) => {
    expect(deepMerge(base, overlay)).toEqual(expected)
  })
})
