import { describe, expect, it } from 'vitest'
import { formatPath, formatProblem, type ConfigProblem } from './problems.js'

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

  it('prints <redacted> bare: config/secrets.ts puts it where a secret was', () => {
    expect(formatProblem({ path: 'admin.tokens[0].token', problem: 'is wrong', got: '<redacted>' })).toBe(
      'admin.tokens[0].token: is wrong (got <redacted>)',
    )
    expect(formatProblem({ path: 'clients[0].credentials', problem: 'p', got: { apiKey: '<redacted>' } })).toBe(
      'clients[0].credentials: p (got {"apiKey":"<redacted>"})',
    )
  })

  it('guesses nothing from key names: a non-secret that sounds like one is shown', () => {
    expect(formatProblem({ path: 'budgets.estimate.bytesPerToken', problem: 'must be at least 1', got: 0 })).toBe(
      'budgets.estimate.bytesPerToken: must be at least 1 (got 0)',
    )
  })
})

describe('formatPath', () => {
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
