// The redis engine against a real redis-server: the shared contract, then what is redis's own
// (key layout, layout version, prefixes, rollback on a storage fault, failing to connect).
import { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { buildStore } from '../../src/state/build-store.js'
import { createStore, StateError, type StateStore } from '../../src/state/index.js'
import { openRedisEngine } from '../../src/state/redis.js'
import { rejectionOf } from '../support/rejection.js'
import { startRedis, type RedisServer } from '../support/redis.js'
import { by, override } from './contract-concerns.js'
import { runStoreContract } from './contract.js'

let server: RedisServer
let admin: Redis

beforeAll(async () => {
  server = await startRedis()
  admin = new Redis(server.url)
})
afterAll(async () => {
  admin.disconnect()
  await server.stop()
})

runStoreContract('redis', async (options) => {
  await admin.flushdb()
  const store = await createStore({ store: 'redis', path: '', redis: { url: server.url } }, options)
  return { store, cleanup: () => store.close() }
})

describe('redis store', () => {
  const open: StateStore[] = []
  const openStore = async (keyPrefix?: string): Promise<StateStore> => {
    const store = await buildStore((sink) => openRedisEngine({ url: server.url, keyPrefix }, sink))
    open.push(store)
    return store
  }

  afterEach(async () => {
    await Promise.all(open.splice(0).map((store) => store.close()))
    await admin.flushdb()
  })

  it('keeps documents in a hash per namespace, the audit log in one sorted set, and two counters', async () => {
    const store = await openStore()
    const put = await store.putOverride(override('f'))
    expect((await admin.keys('*')).sort()).toEqual(['sluice:audit', 'sluice:audit:id', 'sluice:docs:overrides', 'sluice:revision', 'sluice:schema'])
    expect(JSON.parse((await admin.hget('sluice:docs:overrides', 'f')) ?? '')).toEqual(put)
    expect(await admin.mget('sluice:revision', 'sluice:audit:id', 'sluice:schema')).toEqual(['1', '1', '1'])
    const [member] = await admin.zrange('sluice:audit', 0, -1)
    expect(member?.split('\n').slice(0, 2)).toEqual([put.setAt, '0000000000000001'])
  })

  it('keeps stores with different key prefixes apart', async () => {
    const a = await openStore('fleet-a:')
    const b = await openStore('fleet-b:')
    await a.putOverride(override('only-a'))
    expect(await b.listOverrides()).toEqual([])
    expect(await b.revision()).toBe(0)
    expect((await admin.keys('fleet-b:*')).sort()).toEqual(['fleet-b:schema'])
  })

  it('refuses a Redis whose layout a newer Sluice wrote', async () => {
    await admin.set('sluice:schema', '2')
    const err = await rejectionOf<StateError>(openStore())
    expect([err.code, err.message]).toEqual(['schema_too_new', 'sluice:schema is 2; this Sluice knows layout 1 at most'])
  })

  it('writes nothing when a key the commit touches has the wrong type', async () => {
    const store = await openStore()
    await store.putOverride(override('kept'))
    // Storage-level fault: the third op's key holds a string, where the script wants a hash.
    await admin.set('sluice:docs:rollouts', 'not a hash')
    const seen: number[] = []
    store.subscribe((change) => seen.push(change.revision))
    const err = await rejectionOf<StateError>(
      store.transaction([
        { op: 'put-override', override: override('a') },
        { op: 'delete-override', key: 'kept', ...by },
        { op: 'put-record', namespace: 'rollouts', key: 'r', value: { step: 1 }, ...by },
      ]),
    )
    expect(err.code).toBe('unavailable')
    expect(err.message).toContain('WRONGTYPE sluice:docs:rollouts holds a string, not a hash')
    expect((await store.listOverrides()).map((o) => o.key)).toEqual(['kept'])
    expect((await store.listAudit()).length).toBe(1)
    expect(await store.revision()).toBe(1)
    expect(seen).toEqual([])
  })

  it('fails to open with `unavailable` when nothing listens at the URL', async () => {
    const err = await rejectionOf<StateError>(createStore({ store: 'redis', path: '', redis: { url: 'redis://127.0.0.1:1' } }))
    expect(err).toBeInstanceOf(StateError)
    expect(err.code).toBe('unavailable')
    expect(err.message).toMatch(/^state store could not open the redis store: redis at 127\.0\.0\.1:1 is \w+ \(connect ECONNREFUSED/)
  })

  it('refuses store: redis without a redis section', async () => {
    const err = await rejectionOf<StateError>(createStore({ store: 'redis', path: '' }))
    expect([err.code, err.message]).toEqual(['invalid_input', 'state.redis is required when state.store is redis'])
  })
})
