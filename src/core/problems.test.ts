import { describe, expect, it } from 'vitest'
import { formatPath, formatProblem, problemAt, type ConfigProblem } from './problems.js'

describe('formatProblem', () => {
  it.each<[ConfigProblem, string]>([
    [{ path: 'server.port', problem: 'must be an integer', got: 'http' }, 'server.port: must be an integer (got "http")'],
    [{ path: 'server.port', problem: 'must be at most 65535', got: 70000 }, 'server.port: must be at most 65535 (got 70000)'],
    [{ path: 'providers.a.mount', problem: 'is required' }, 'providers.a.mount: is required'],
    [{ path: 'x', problem: 'p', got: null }, 'x: p (got null)'],
    [{ path: 'x', problem: 'p', got: 'y'.repeat(100) }, `x: p (got "${'y'.repeat(56)}...)`],
  ])('%j', (problem, line) => {
    expect(formatProblem(problem)).toBe(line)
  })

  it.each(['token', 'apiKey', 'secretAccessKey', 'sessionToken', 'password', 'api_key', 'clientSecret'])(
    'never prints a value under %s',
    (key) => {
      expect(formatProblem({ path: `a[0].b.${key}`, problem: 'is wrong', got: 'hunter2' })).toBe(
        `a[0].b.${key}: is wrong (got <redacted>)`,
      )
    },
  )

  it('masks secrets nested in an object or a URL', () => {
    const got = { id: 'AK', secret: 'hunter2', a: { token: 'hunter2' } }
    const line = formatProblem({ path: 'providers.a.credentials', problem: 'p', got })
    expect(line).toBe('providers.a.credentials: p (got {"id":"AK","secret":"<redacted>","a":{"token":"<redacted>"}})')
    expect(formatProblem({ path: 'state.redis.url', problem: 'p', got: 'redis://user:hunter2@h:6379' })).toBe(
      'state.redis.url: p (got "redis://user:<redacted>@h:6379")',
    )
  })
})

describe('problemAt', () => {
  it('keeps secrets out of the problem object itself, so it can be logged as data', () => {
    const problems = [
      problemAt(['clients', 0, 'credentials', 'apiKey'], 'duplicates', 'hunter2'),
      problemAt(['clients', 0, 'credentials'], 'bad', { apiKey: 'hunter2' }),
      problemAt(['state', 'redis', 'url'], 'bad', 'rediss://:hunter2@h'),
    ]
    expect(JSON.stringify(problems)).not.toContain('hunter2')
  })

  it.each<[Array<string | number>, string]>([
    [[], '(root)'],
    [['providers', 'bedrock', 'mount'], 'providers.bedrock.mount'],
    [['clients', 0, 'credentials', 'apiKey'], 'clients[0].credentials.apiKey'],
    [['providers', 'open ai'], 'providers["open ai"]'],
    [['providers', '1st'], 'providers["1st"]'],
  ])('formatPath(%j) → %s', (segments, path) => {
    expect(formatPath(segments)).toBe(path)
  })
})
