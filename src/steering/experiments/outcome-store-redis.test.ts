// The outcome store contract against a real redis-server on an ephemeral port, each store on its own
// client (a replica each) and each test under its own key prefix; then the key layout, the shared
// hash's expiry, and adds failing fast while Redis is down and working again once it is back.
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fastFailClients, startRedis, type RedisServer } from '../../../test/support/redis.js'
import { createRedisOutcomeStore } from './outcome-store-redis.js'
import type { OutcomeBatch } from './outcome-store.js'
import { describeOutcomeStore } from './outcome-store.contract.js'

let server: RedisServer
const { client, disconnectAll } = fastFailClients(() => server.url)

beforeAll(async () => {
  server = await startRedis()
})
afterAll(async () => {
  disconnectAll()
  await server.stop()
})

let run = 0
describeOutcomeStore('redis', async () => {
  const keyPrefix = `contract${++run}:`
  const mine: Redis[] = []
  const open = async () => {
    const redis = await client()
    mine.push(redis)
    return createRedisOutcomeStore(redis, { keyPrefix })
  }
  return {
    store: await open(),
    reopen: open,
    cleanup: async () => {
      for (const redis of mine) redis.disconnect()
    },
  }
})

const batch = (experiment: string, variant: string, add: Record<string, number>, users: string[] = []): OutcomeBatch => ({ experiment, variant, add, users })

describe('redis outcome store', () => {
  it('keeps an experiment under one hash tag and leaves the client to its owner', async () => {
    const redis = await client()
    const store = createRedisOutcomeStore(redis, { keyPrefix: 'layout:' })
    await store.add('id-1', [batch('e1', 'A', { x: 1.5, 'h:lat:-3': 2 ** 40 }, ['u1'])])
    expect(await redis.hgetall('layout:{e1}:v:A')).toEqual({ users: '1', x: '1.5', 'h:lat:-3': '1099511627776' })
    expect(await redis.smembers('layout:{e1}:variants')).toEqual(['A'])
    expect(await redis.hgetall('layout:{e1}:exposed')).toEqual({ u1: 'A' })
    const markerTtl = await redis.pttl('layout:{e1}:batch:id-1')
    expect(markerTtl).toBeGreaterThan(86_000_000)
    expect(markerTtl).toBeLessThanOrEqual(86_400_000)
    await createRedisOutcomeStore(redis).add('id-1', [batch('e2', 'B', { y: 1 })])
    expect(await redis.hgetall('sluice:exp:{e2}:v:B')).toEqual({ y: '1' })
    await store.close()
    expect(await redis.ping()).toBe('PONG')
  })

  it('lets the shared hash live as long as its longest entry and drops expired entries', async () => {
    const redis = await client()
    const store = createRedisOutcomeStore(redis, { keyPrefix: 'shared:' })
    await store.putShared('k', 'a', 'short', 50)
    await store.putShared('k', 'b', 'long', 5_000)
    await store.putShared('k', 'c', 'shorter', 20)
    expect(await redis.pttl('shared:shared:k')).toBeGreaterThan(4_000)
    for (let waited = 0; waited < 5_000 && (await store.listShared('k')).length > 1; waited += 25) await new Promise((r) => setTimeout(r, 25))
    expect(await store.listShared('k')).toEqual([expect.objectContaining({ replica: 'b', value: 'long' })])
    expect(await redis.hkeys('shared:shared:k')).toEqual(['b'])
  })

  it('rejects adds at once while redis is down and works again once it is back', async () => {
    const redis = await client()
    const store = createRedisOutcomeStore(redis, { keyPrefix: 'outage:' })
    await store.add('id-1', [batch('e', 'A', { x: 1 })])
    await server.stop()
    const started = Date.now()
    await expect(store.add('id-2', [batch('e', 'A', { x: 1 })])).rejects.toThrow()
    await expect(store.read('e')).rejects.toThrow()
    expect(Date.now() - started).toBeLessThan(1_000)
    // Not events.once: it rejects on the connection errors emitted while reconnecting.
    const ready = new Promise((resolve) => redis.once('ready', resolve))
    await server.restart()
    await ready
    // The server came back empty (no persistence) and without the script: the retry reloads it.
    await store.add('id-2', [batch('e', 'A', { x: 1 }, ['u1'])])
    expect(await store.read('e')).toEqual(new Map([['A', { x: 1, users: 1 }]]))
  })
})
