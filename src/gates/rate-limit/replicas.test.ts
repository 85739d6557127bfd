// The replica registry against a real redis-server: heartbeats with a TTL on the Redis clock, a
// count that includes every live replica and shrinks only after the missing ones stayed away.
import { once } from 'node:events'
import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { startRedis, type RedisServer } from '../../../test/support/redis.js'
import { connectRateLimitRedis } from './index.js'
import { ReplicaRegistry } from './replicas.js'
import { rateLimitsConfig } from './schema.js'

let server: RedisServer
const clients: Redis[] = []

beforeAll(async () => {
  server = await startRedis()
})
afterAll(async () => {
  for (const client of clients) client.disconnect()
  await server.stop()
})

async function connection(): Promise<Redis> {
  const client = connectRateLimitRedis(server.url, rateLimitsConfig({}).redis)
  clients.push(client)
  await once(client, 'ready')
  return client
}

describe('ReplicaRegistry', () => {
  it('counts the live replicas, each once, itself included', async () => {
    const [a, b] = [await connection(), await connection()]
    const one = new ReplicaRegistry(a, 'count:')
    expect(one.count).toBeUndefined()
    expect(await one.beat()).toBe(1)
    const two = new ReplicaRegistry(b, 'count:')
    expect(await two.beat()).toBe(2)
    expect(await one.beat()).toBe(2)
    expect(await one.beat()).toBe(2) // beating again is the same entry
    expect(await new ReplicaRegistry(a, 'other:').beat()).toBe(1) // per key prefix
  })

  it('drops a replica that stopped beating only after its entry lapsed and the lower count held a TTL', async () => {
    let now = 0
    const [a, b] = [await connection(), await connection()]
    const options = { heartbeatMs: 20, ttlMs: 150, now: () => now }
    const stays = new ReplicaRegistry(a, 'lapse:', options)
    const leaves = new ReplicaRegistry(b, 'lapse:', options)
    await leaves.beat()
    expect(await stays.beat()).toBe(2)
    await new Promise((resolve) => setTimeout(resolve, 200)) // the leaver's entry lapses on the Redis clock
    now = 100
    expect(await stays.beat()).toBe(2) // Redis says 1, but 2 was seen less than a TTL ago
    now = 150
    expect(await stays.beat()).toBe(1)
  })

  it('keeps the last count while Redis is unreachable, beats on its own and stops when the connection ends', async () => {
    const client = await connection()
    const registry = new ReplicaRegistry(client, 'timer:', { heartbeatMs: 20 }).start()
    await vi.waitFor(() => expect(registry.count).toBe(1), { timeout: 1000, interval: 10 })
    const peer = new ReplicaRegistry(await connection(), 'timer:')
    await peer.beat()
    await vi.waitFor(() => expect(registry.count).toBe(2), { timeout: 1000, interval: 10 })
    const beat = vi.spyOn(registry, 'beat')
    client.disconnect()
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(registry.count).toBe(2)
    expect(beat).not.toHaveBeenCalled() // the timer is gone with the connection
  })
})
