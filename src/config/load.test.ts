import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { formatProblem, loadConfigFile, parseConfig, type LoadOptions } from './load.js'

const fixture = (name: string): string => fileURLToPath(new URL(`../../test/fixtures/config/${name}`, import.meta.url))

const BASE = `
providers:
  openai: { type: openai, mount: /openai, apiKey: sk-upstream }
clients:
  - { id: app, credentials: { apiKey: client-key-1 } }
`

/** The formatted problems, or the warnings prefixed `ok` when the config loaded. */
function lines(yaml: string, options: LoadOptions = {}): string[] {
  const result = parseConfig(yaml, { environ: {}, ...options })
  return result.ok ? ['ok', ...result.warnings] : result.problems.map(formatProblem)
}

describe('parseConfig: valid files', () => {
  it('applies schema defaults, including inside providers, and resolves state.path', () => {
    const result = parseConfig(BASE, { environ: {}, baseDir: '/srv/sluice' })
    if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'))
    expect(result.warnings).toEqual([])
    expect(result.config.server).toEqual({
      host: '0.0.0.0',
      port: 8080,
      maxBodyBytes: 10_485_760,
      shutdownGraceMs: 30_000,
      idleTimeoutMs: 65_000,
      headersTimeoutMs: 10_000,
      requestBodyTimeoutMs: 60_000,
      http2: { maxConcurrentStreams: 128, maxResetsPerWindow: 500, resetWindowMs: 10_000, maxSessionMemoryMb: 10, maxHeaderListPairs: 128, maxHeaderListBytes: 32_768 },
    })
    expect(result.config.providers['openai']).toEqual({
      type: 'openai',
      mount: '/openai',
      apiKey: 'sk-upstream',
      auth: 'client',
      connections: 256,
      connectTimeoutMs: 10_000,
      headersTimeoutMs: 300_000,
      bodyTimeoutMs: 300_000,
    })
    expect(result.config.clients[0]?.attributes).toEqual({})
    expect(result.config.state).toEqual({ store: 'sqlite', path: '/srv/sluice/data' })
    expect(result.config.log).toEqual({ level: 'info', decisions: true })
  })

  it('deep-freezes the result', () => {
    const result = parseConfig(BASE, { environ: {} })
    if (!result.ok) throw new Error('expected ok')
    const provider = result.config.providers['openai'] as { mount: string }
    expect(Object.isFrozen(result.config)).toBe(true)
    expect(Object.isFrozen(result.config.clients[0]?.credentials)).toBe(true)
    expect(() => {
      provider.mount = '/other'
    }).toThrow(TypeError)
  })

  it('accepts `{}` (all defaults) but refuses an empty document', () => {
    expect(lines('{}')).toEqual(['ok'])
    expect(lines('')).toEqual(['(root): the config is empty'])
    expect(lines('# only a comment\n')).toEqual(['(root): the config is empty'])
  })

  it.each([
    ['state.redis without store redis', `${BASE}state: { redis: { url: "redis://h:6379" } }`, 'state.redis is ignored because state.store is sqlite'],
    ['auth: client with no clients', 'providers: { o: { type: openai, mount: /o } }', 'no clients are configured, so every request to providers o (auth: client) will be refused'],
  ])('warns about %s', (_name, yaml, warning) => {
    expect(lines(yaml)).toEqual(['ok', warning])
  })

  it('merges YAML anchors with <<', () => {
    const yaml = 'providers:\n  a: &shared { type: openai, mount: /a, auth: none, connections: 8 }\n  b: { <<: *shared, mount: /b }\n'
    const result = parseConfig(yaml, { environ: {} })
    if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'))
    expect(result.config.providers['b']).toMatchObject({ type: 'openai', mount: '/b', auth: 'none', connections: 8 })
  })
})

describe('parseConfig: schema problems', () => {
  it.each([
    ['unknown top-level key', `${BASE}sever: {}`, ['sever: unknown key, did you mean server?']],
    ['misspelt nested key', `${BASE}log: { levle: info }`, ['log.levle: unknown key, did you mean level?']],
    ['unknown key far from any', `${BASE}server: { colour: blue }`, ['server.colour: unknown key']],
    ['misspelt secret key is not echoed', `providers:\n  o: { type: openai, mount: /o, apikey: sk-leak }`, ['providers.o.apikey: unknown key, did you mean apiKey?']],
    ['wrong type', `${BASE}server: { port: http }`, ['server.port: must be an integer (got "http")']],
    ['above maximum', `${BASE}server: { port: 70000 }`, ['server.port: must be at most 65535 (got 70000)']],
    ['below minimum', `${BASE}server: { shutdownGraceMs: -1 }`, ['server.shutdownGraceMs: must be at least 0 (got -1)']],
    ['not an integer', `${BASE}server: { maxBodyBytes: 1.5 }`, ['server.maxBodyBytes: must be an integer (got 1.5)']],
    ['boolean', `${BASE}log: { decisions: yes please }`, ['log.decisions: must be true or false (got "yes please")']],
    ['enum', `${BASE}log: { level: loud }`, ['log.level: must be one of fatal, error, warn, info, debug, trace, silent (got "loud")']],
    ['provider type', 'providers: { o: { type: azure, mount: /o, auth: none } }', ['providers.o.type: must be one of bedrock, gemini, llama, openai, vertex (got "azure")']],
    ['mount without leading slash', 'providers: { o: { type: openai, mount: openai, auth: none } }', ['providers.o.mount: must start with / and not end with /, using only letters, digits and . _ ~ - between slashes (got "openai")']],
    ['mount with trailing slash', 'providers: { o: { type: openai, mount: /o/, auth: none } }', ['providers.o.mount: must start with / and not end with /, using only letters, digits and . _ ~ - between slashes (got "/o/")']],
    ['endpoint scheme', 'providers: { o: { type: openai, mount: /o, auth: none, endpoint: ftp://x } }', ['providers.o.endpoint: must be an http:// or https:// URL (got "ftp://x")']],
    ['missing required keys', 'providers: { o: { auth: none } }', ['providers.o.type: is required', 'providers.o.mount: is required']],
    ['provider names', 'providers: { "open ai": { type: openai, mount: /a }, "x.y": { type: openai, mount: /b } }', ['providers["open ai"]: is not a valid name (must match ^[A-Za-z0-9_-]+$)', 'providers["x.y"]: is not a valid name (must match ^[A-Za-z0-9_-]+$)']],
    // Strings in the wrong kind of value where secrets live are redacted (config/secrets.ts).
    ['providers as a list', 'providers: [openai]', ['providers: must be a mapping (got ["<redacted>"])']],
    ['clients as a mapping', 'clients: { app: {} }', ['clients: must be a list (got {"app":{}})']],
    ['client id pattern', 'clients: [{ id: "my app", credentials: { apiKey: k } }]', ['clients[0].id: must use only letters, digits and . _ : - (got "my app")']],
    ['client without credentials', 'clients: [{ id: app }]', ['clients[0].credentials: is required']],
    ['client attribute union', 'clients: [{ id: app, attributes: { tier: [1] }, credentials: { apiKey: k } }]', ['clients[0].attributes.tier: must be a string, a number or a boolean (got [1])']],
    ['empty string', 'clients: [{ id: app, tenant: "", credentials: { apiKey: k } }]', ['clients[0].tenant: must not be empty (got "")']],
    ['short admin token, redacted', 'admin: { tokens: [{ name: ops, token: short-secret, role: root }] }', ['admin.tokens[0].token: must be at least 16 characters (got <redacted>)', 'admin.tokens[0].role: must be one of viewer, operator, admin (got "root")']],
    ['secret with the wrong type, redacted', 'clients: [{ id: app, credentials: { apiKey: 12345, secretAccessKey: 99 } }]', ['clients[0].credentials.secretAccessKey: must be a string (got <redacted>)', 'clients[0].credentials.apiKey: must be a string (got <redacted>)']],
    ['redis url', 'state: { store: redis, redis: { url: "http://:hunter2@h" } }', ['state.redis.url: must start with redis:// or rediss:// (got "http://<redacted>@h")']],
    ['root is a list', '- a\n- b', ['(root): must be a mapping (got ["<redacted>","<redacted>"])']],
    ['long values are truncated', `${BASE}server: { host: [${'"abcdefghij", '.repeat(8)}] }`, ['server.host: must be a string (got ["abcdefghij","abcdefghij","abcdefghij","abcdefghij","abc...)']],
  ])('%s', (_name, yaml, expected) => {
    expect(lines(yaml)).toEqual(expected)
  })

  it('reports YAML syntax errors with line:column', () => {
    expect(lines('server:\n  port: 8080\n port: 1\n')).toEqual([
      '<config>:3:1: All mapping items must start at the same column',
    ])
    expect(lines('a: 1\na: 2\n', { source: 'sluice.yaml' })).toEqual(['sluice.yaml:2:1: Map keys must be unique'])
  })
})

describe('loadConfigFile', () => {
  const environ = { OPENAI_API_KEY: 'sk-upstream', APP_KEY: 'client-key-1' }

  it('loads a file', () => {
    const result = loadConfigFile(fixture('minimal.yaml'), { environ })
    expect(result.ok && result.config.providers['openai']?.apiKey).toBe('sk-upstream')
  })

  it('names the file in YAML syntax errors', () => {
    const path = fixture('broken-syntax.yaml')
    const result = loadConfigFile(path, { environ })
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([
      `${path}:3:1: Flow map in block collection must be sufficiently indented and end with a }`,
    ])
  })

  it('reports every problem in the file at once', () => {
    const result = loadConfigFile(fixture('many-problems.yaml'), { environ: {} })
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([
      'providers.google.apiKey: references unset environment variable GEMINI_API_KEY',
      'clients[0].credentials.apiKey: references unset environment variable APP_KEY',
      'server.hots: unknown key, did you mean host?',
      'server.port: must be at most 65535 (got 80800)',
      'providers.openai.type: must be one of bedrock, gemini, llama, openai, vertex (got "azure")',
      'providers.openai.mount: must start with / and not end with /, using only letters, digits and . _ ~ - between slashes (got "openai/")',
      'providers.google.mount: is required',
      'log.level: must be one of fatal, error, warn, info, debug, trace, silent (got "loud")',
    ])
  })

  it('reports a missing file as a problem', () => {
    const path = fixture('does-not-exist.yaml')
    const result = loadConfigFile(path)
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([`${path}: cannot read the config file (ENOENT)`])
  })

  it('loads the shipped example in every environment', () => {
    const path = fileURLToPath(new URL('../../config/sluice.example.yaml', import.meta.url))
    const secrets = Object.fromEntries(
      ['SLUICE_ADMIN_TOKEN', 'SLUICE_VIEWER_TOKEN', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'GEMINI_API_KEY',
        'LLAMA_API_KEY', 'OPENAI_API_KEY', 'CHECKOUT_SECRET', 'CHECKOUT_API_KEY'].map((name) => [name, `${name.toLowerCase()}-0123456789`]),
    )
    for (const env of [undefined, 'dev', 'prod']) {
      const result = loadConfigFile(path, { env, environ: { ...secrets, REDIS_URL: 'redis://cache:6379' } })
      expect(result.ok ? 'ok' : result.problems.map(formatProblem)).toBe('ok')
    }
  })
})
