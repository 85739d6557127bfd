// A read (a model list or lookup) reserves no tokens: however overdrawn a token limit is, it is
// admitted — and still counted as a request — by the local and the Redis limiter alike.
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startRedis, type RedisServer } from '../../../test/support/redis.js'
import { LocalRateLimiter } from './local.js'
import { RedisRateLimiter } from './redis.js'
import { rateLimitsConfig } from './schema.js'
import type { RateLimitContext, RateLimiter } from './types.js'

const T0 = 1_800_000_000_000
const ctx: RateLimitContext = { client: 'app', tenant: 'shop', targetingKey: 'u1', route: 'r', provider: 'openai', model: 'm' }
const READ = { inputTokens: 0, maxOutputTokens: 0 }
const config = rateLimitsConfig({
  rules: [{ name: 'r', key: ['client'], requests: { limit: 10, windowSeconds: 60 }, tokens: { limit: 100, windowSeconds: 60 }, defaultMaxOutputTokens: 0 }],
  redis: { clock: 'local' },
})

let server: RedisServer
let redis: Redis
beforeAll(async () => {
  server = await startRedis()
  redis = new Redis(server.url)
})
afterAll(async () => {
  redis.disconnect()
  await server.stop()
})

describe.each([
  ['local', (): RateLimiter => new LocalRateLimiter(config)],
  ['redis', (): RateLimiter => new RedisRateLimiter(redis, config)],
])('%s limiter', (_name, create) => {
  it('admits a read past an overdrawn token limit, charging it one request and no tokens', async () => {
    const limiter = create()
    // 50 tokens reserved, 500 used: the counter is 400 tokens past its limit.
    const first = await limiter.acquire(ctx, { inputTokens: 50, maxOutputTokens: 0 }, true, T0)
    expect(first.allowed).toBe(true)
    await limiter.settle(first.lease, 500, T0)
    const generation = await limiter.acquire(ctx, { inputTokens: 1, maxOutputTokens: 0 }, true, T0)
    expect(generation.deniedBy).toMatchObject({ rule: 'r', kind: 'tokens' })
    const read = await limiter.acquire(ctx, READ, true, T0)
    expect(read.allowed).toBe(true)
    expect(read.limits.find((l) => l.kind === 'requests')?.remaining).toBe(8)
    expect(read.limits.find((l) => l.kind === 'tokens')?.remaining).toBe(0)
    await limiter.settle(read.lease, 0, T0)
  })
})
