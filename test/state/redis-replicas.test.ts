// Two store instances on one redis-server stand in for two replicas: they see each other's
// changes, their concurrent commits serialise, and both ride out a Redis outage.
import { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createStore, StateError, type StateChange, type StateStore } from '../../src/state/index.js'
import { commandTimeoutMs } from '../../src/state/redis-connection.js'
import { rejectionOf } from '../support/rejection.js'
import { startRedis, type RedisServer } from '../support/redis.js'
import { by, killSwitch, override } from './contract-concerns.js'

let server: RedisServer
let admin: Redis

beforeAll(async () => {
  server = await startRedis()
})
afterAll(async () => {
  await server.stop()
})

/** Every change a store delivers, and a way to wait for the next few without sleeping. */
function watch(store: StateStore) {
  const changes: StateChange[] = []
  let waiter: { count: number; resolve: () => void } | undefined
  store.subscribe((change) => {
    changes.push(change)
    if (waiter !== undefined && changes.length >= waiter.count) waiter.resolve()
  })
  const waitFor = (count: number, withinMs: number): Promise<void> =>
    changes.length >= count
      ? Promise.resolve()
      : new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`saw ${changes.length} of ${count} changes in ${withinMs} ms`)), withinMs)
          waiter = { count, resolve: () => (clearTimeout(timer), resolve()) }
        })
  return { changes, waitFor }
}

describe('redis replicas', () => {
  let a: StateStore
  let b: StateStore

  beforeEach(async () => {
    // Per test, as one test restarts the server under it.
    admin = new Redis(server.url)
    await admin.flushdb()
    const open = () => createStore({ store: 'redis', path: '', redis: { url: server.url } })
    ;[a, b] = await Promise.all([open(), open()])
  })
  afterEach(async () => {
    await Promise.all([a.close(), b.close()])
    admin.disconnect()
  })

  it("delivers one replica's changes to the other within a second, in order and identical", async () => {
    const atA = watch(a)
    const atB = watch(b)
    const started = Date.now()
    await a.putKillSwitch(killSwitch('global', '*'))
    await a.putOverride(override('f'))
    await b.deleteKillSwitch('global', '*', by)
    await Promise.all([atA.waitFor(3, 1000), atB.waitFor(3, 1000)])
    expect(Date.now() - started).toBeLessThan(1000)
    expect(atB.changes.map((c) => c.revision)).toEqual([1, 2, 3])
    expect(atB.changes).toEqual(atA.changes)
  })

  it('serialises concurrent transactions from both: no revision or audit row is lost or shared', async () => {
    const atA = watch(a)
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        (i % 2 === 0 ? a : b).transaction([
          { op: 'put-override', override: override('shared', i % 3 === 0 ? 'on' : 'off') },
          { op: 'put-record', namespace: 'writes', key: `w${i}`, value: { i }, ...by },
        ]),
      ),
    )
    expect(results.map((r) => r.revision).sort((x, y) => x - y)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1))
    // Nothing interleaves inside a commit: each transaction's two rows have adjacent ids.
    for (const { audit } of results) expect(audit.map((e) => e.id - (audit[0]?.id ?? 0))).toEqual([0, 1])
    const audit = (await b.listAudit({ limit: 1000 })).sort((x, y) => x.id - y.id)
    expect(audit.map((e) => e.id)).toEqual(Array.from({ length: 80 }, (_, i) => i + 1))
    // `before` is read inside the commit, so the shared key's rows chain exactly.
    const shared = audit.filter((e) => e.target === 'shared')
    shared.forEach((row, i) => expect(row.before).toEqual(i === 0 ? null : shared[i - 1]?.after))
    expect(await a.revision()).toBe(40)
    // A replica may skip a revision whose own commit overtook it (a gap means reload), never go back.
    await atA.waitFor(1, 1000)
    const seen = atA.changes.map((c) => c.revision)
    expect(seen).toEqual([...seen].sort((x, y) => x - y))
    expect(new Set(seen).size).toBe(seen.length)
  })

  it.each(['stop', 'kill'] as const)('fails fast while Redis is down (%s), then resyncs every replica when it is back', async (how) => {
    const atA = watch(a)
    const atB = watch(b)
    await a.putOverride(override('lost'))
    await atB.waitFor(1, 1000)
    await server[how]()
    // Observed first and asserted after the restart, so a failure here does not leave the
    // server down for the tests that follow.
    let failures: StateError[]
    let elapsedMs: number
    let health: { ok: boolean; detail?: string }
    try {
      const started = Date.now()
      failures = [await rejectionOf<StateError>(a.putKillSwitch(killSwitch('global', '*'))), await rejectionOf<StateError>(b.listOverrides())]
      elapsedMs = Date.now() - started
      health = await a.health()
    } finally {
      await server.restart()
    }
    expect(elapsedMs).toBeLessThan(2000)
    expect(failures.map((err) => err.code)).toEqual(['unavailable', 'unavailable'])
    expect(health).toEqual({ ok: false, detail: expect.any(String) })

    // No persistence in this test server, so the data and the revision are gone: the resync
    // carries revision 0, lower than before, and no items.
    await Promise.all([atA.waitFor(2, 5000), atB.waitFor(2, 5000)])
    expect(atA.changes[1]).toEqual({ revision: 0, items: [] })
    expect(atB.changes[1]).toEqual({ revision: 0, items: [] })
    expect(await a.health()).toEqual({ ok: true })
    const put = await b.putOverride(override('again'))
    await atA.waitFor(3, 1000)
    expect(atA.changes[2]).toEqual({ revision: 1, items: [{ kind: 'override', key: 'again', override: put }] })
  })

  it('resyncs a replica whose subscription alone dropped', async () => {
    const atA = watch(a)
    await b.putOverride(override('f'))
    await atA.waitFor(1, 1000)
    await admin.client('KILL', 'TYPE', 'pubsub')
    await atA.waitFor(2, 5000)
    expect(atA.changes[1]).toEqual({ revision: 1, items: [] })
    await b.deleteOverride('f', by)
    await atA.waitFor(3, 1000)
    expect(atA.changes[2]?.revision).toBe(2)
  })

  it('rejects a commit Redis does not answer in time, though Redis may still apply it later', async () => {
    const atA = watch(a)
    await admin.client('PAUSE', commandTimeoutMs + 1000, 'WRITE')
    const started = Date.now()
    const err = await rejectionOf<StateError>(a.putOverride(override('f')))
    expect([err.code, err.message]).toEqual(['unavailable', 'state store could not commit: Command timed out'])
    expect(Date.now() - started).toBeLessThan(commandTimeoutMs + 500)
    // The script was queued, not refused: it runs once Redis resumes, and pub/sub reports it.
    await admin.client('UNPAUSE')
    await atA.waitFor(1, 1000)
    expect((await a.listOverrides()).map((o) => o.key)).toEqual(['f'])
  })
})
