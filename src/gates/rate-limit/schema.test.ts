import { describe, expect, it } from 'vitest'
import { rateLimitProblems, rateLimitsConfig } from './schema.js'

describe('rateLimits config', () => {
  it('fills the documented defaults', () => {
    expect(rateLimitsConfig({ rules: [{ name: 'r', concurrent: 4 }] })).toEqual({
      rules: [{ name: 'r', key: [], concurrent: 4 }],
      defaultMaxOutputTokens: 1024,
      maxLocalKeys: 100_000,
      redis: { keyPrefix: 'sluice:rl:', clock: 'redis', leaseSeconds: 900, commandTimeoutMs: 100, deadlineMs: 1000, fallback: 'local', localShare: 0.5 },
    })
  })

  it.each([
    [{ rules: [{ name: 'r' }] }, 'rateLimits.rules[0]: sets no limit: give requests, tokens or concurrent'],
    [{ rules: [{ name: 'r', concurrent: 1 }, { name: 'r', concurrent: 2 }] }, 'rateLimits.rules[1].name: duplicates another rule name'],
    [{ rules: [{ name: 'r', key: ['team'], concurrent: 1 }] }, 'rateLimits.rules.0.key.0'],
    [{ rules: [{ name: 'r', requests: { limit: 5, windowSeconds: 0.5 } }] }, 'rateLimits.rules.0.requests.windowSeconds'],
    [{ redis: { localShare: 0 } }, 'rateLimits.redis.localShare'],
    [{ rules: [{ name: 'r', key: ['user'], concurrent: 1 }], maxLocalKeys: 1 }, 'rateLimits.maxLocalKeys: must exceed the number of keyed rules (1)'],
  ])('rejects %j', (input, message) => {
    expect(() => rateLimitsConfig(input)).toThrow(message)
  })

  it('reports cross-field problems with paths for config/semantic.ts', () => {
    const config = rateLimitsConfig({})
    expect(rateLimitProblems({ ...config, rules: [{ name: 'x', key: [] }] })).toEqual([
      { path: 'rateLimits.rules[0]', problem: 'sets no limit: give requests, tokens or concurrent' },
    ])
  })
})
