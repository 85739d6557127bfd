// The redis engine: the store for a fleet of sidecars (docs/state.md). Every commit is one Lua script
// (redis-scripts.ts), so it is all-or-nothing and serialised with every other replica's; every
// replica hears of it through pub/sub (redis-changes.ts). Layout, durability and outage
// behaviour: docs/state.md#redis.
import { conflictError, type AppliedWrite, type CommitSink, type StateEngine } from './engine.js'
import { asUnavailable, StateError } from './errors.js'
import { openChangeFeed, readRevision, type ChangeFeed } from './redis-changes.js'
import { closeRedis, connectRedis } from './redis-connection.js'
import { appendScript, commitScript, redisKeys, runScript } from './redis-scripts.js'
import type { AuditEntry, JsonObject } from '../core/store.js'

export interface RedisEngineOptions {
  /** `redis://` or `rediss://` (TLS), with optional credentials and database: `redis://:pw@host:6379/2`. */
  readonly url: string
  /**
   * Starts every key and the channel name. Default `sluice:`. Two fleets sharing one Redis need
   * different prefixes; on Redis Cluster use a hash tag (`{sluice}:`) so a commit's keys share a slot.
   */
  readonly keyPrefix?: string
}

// Bumped when the key layout changes incompatibly; a Redis written by a newer layout is refused.
const schemaVersion = 1

const parseDoc = (json: string): JsonObject => JSON.parse(json) as JsonObject
const auditRow = (json: string): AuditEntry => JSON.parse(json) as AuditEntry

/** Connects, checks the layout version and subscribes to changes; rejects with `StateError`. */
export async function openRedisEngine(options: RedisEngineOptions, sink: CommitSink): Promise<StateEngine> {
  const keys = redisKeys(options.keyPrefix ?? 'sluice:')
  const connection = connectRedis(options.url)
  const redis = connection.redis

  let feed: ChangeFeed
  try {
    await redis.connect()
    await redis.set(keys.schema, schemaVersion, 'NX')
    const stored = Number(await redis.get(keys.schema))
    if (!Number.isSafeInteger(stored)) throw new StateError('corrupt', `${keys.schema} is not a layout version`)
    if (stored > schemaVersion) {
      throw new StateError('schema_too_new', `${keys.schema} is ${stored}; this Sluice knows layout ${schemaVersion} at most`)
    }
    feed = await openChangeFeed(options.url, redis, keys, sink)
  } catch (err) {
    redis.disconnect()
    const problem = connection.problem()
    throw asUnavailable(problem === undefined ? err : new Error(problem, { cause: err }), 'open the redis store')
  }

  // Checked before each call so a caller during an outage learns why at once, not from ioredis'
  // "Stream isn't writeable".
  const guard = async <T>(doing: string, run: () => Promise<T>): Promise<T> => {
    try {
      const problem = connection.problem()
      if (problem !== undefined) throw new Error(problem)
      return await run()
    } catch (err) {
      throw asUnavailable(err, doing)
    }
  }

  return {
    kind: 'redis',
    get: (namespace, key) =>
      guard('read a record', async () => {
        const json = await redis.hget(keys.docs(namespace), key)
        return json === null ? null : parseDoc(json)
      }),
    list: (namespace) =>
      guard('list records', async () =>
        Object.entries(await redis.hgetall(keys.docs(namespace))).map(([key, json]) => ({ key, value: parseDoc(json) })),
      ),
    commit: (writes) =>
      guard('commit', async () => {
        const scriptKeys = [keys.revision, keys.auditId, keys.audit, ...writes.map((w) => keys.docs(w.namespace))]
        const args = [keys.channel]
        for (const { key, value, audit, namespace, ifMatch } of writes) {
          const item: AppliedWrite = { namespace, key, value }
          const expect = ifMatch === undefined ? '' : ifMatch === null ? '0' : `=${ifMatch}`
          args.push(key, value === null ? '' : JSON.stringify(value), audit.at, JSON.stringify(audit), JSON.stringify(item), expect)
        }
        let result: [number, ...string[]]
        try {
          result = (await runScript(redis, commitScript, scriptKeys, args)) as [number, ...string[]]
        } catch (err) {
          const at = err instanceof Error && err.message.startsWith('CONFLICT ') ? Number(err.message.slice(9)) : NaN
          if (Number.isInteger(at) && writes[at] !== undefined) throw conflictError(writes[at])
          throw err
        }
        const [revision, ...rows] = result
        const applied = writes.filter((_, i) => rows[i] !== '').map(({ namespace, key, value }) => ({ namespace, key, value }))
        if (applied.length > 0) feed.deliver({ revision, applied })
        return { revision, applied, audit: rows.filter((row) => row !== '').map(auditRow) }
      }),
    appendAudit: (entry) =>
      guard('append to the audit log', async () =>
        auditRow((await runScript(redis, appendScript, [keys.auditId, keys.audit], [entry.at, JSON.stringify(entry)])) as string),
      ),
    listAudit: (since, limit) =>
      guard('read the audit log', async () => {
        const members = await redis.zrevrangebylex(keys.audit, '+', since === undefined ? '-' : `[${since}`, 'LIMIT', 0, limit)
        // A member is `<at>\n<id>\n<row JSON>`; JSON text never holds a raw newline.
        return members.map((member) => auditRow(member.slice(member.lastIndexOf('\n') + 1)))
      }),
    revision: () => guard('read the revision', () => readRevision(redis, keys)),
    health: async () => {
      const problem = connection.problem() ?? feed.problem()
      if (problem !== undefined) throw new Error(problem)
      await redis.ping()
    },
    close: async () => {
      await Promise.all([feed.close(), closeRedis(redis)])
    },
  }
}
