// Change notifications for the redis engine: every replica learns of every commit (docs/admin-api.md:
// "on every replica within one second"). Each commit script PUBLISHes `{revision, applied}`; a
// second connection per process subscribes (a subscribed connection can run no other command).
//
// A process's own commits are delivered as soon as the script replies, so the mutating call
// resolves with local listeners already run, as with sqlite. The same commit also arrives by
// pub/sub, possibly first: delivering only revisions above the last one delivered sends each
// commit once and keeps revisions rising. A message lost while the subscription was down cannot
// be replayed, so after every resubscribe the feed sends a resync: `{revision, applied: []}`
// (a real commit always applies something), telling consumers to reload (docs/state.md).
import type { Redis } from 'ioredis'
import type { Commit, CommitSink } from './engine.js'
import { StateError } from './errors.js'
import { closeRedis, connectRedis } from './redis-connection.js'
import type { RedisKeys } from './redis-scripts.js'

export interface ChangeFeed {
  /** Delivers a commit this process made, unless pub/sub has already delivered it. */
  deliver(commit: Commit): void
  /** Why changes from other replicas are not arriving now, or undefined while subscribed. */
  problem(): string | undefined
  close(): Promise<void>
}

export async function readRevision(redis: Redis, keys: RedisKeys): Promise<number> {
  const stored = await redis.get(keys.revision)
  const revision = Number(stored ?? 0)
  if (!Number.isSafeInteger(revision)) throw new StateError('corrupt', `${keys.revision} is not a counter (got ${stored})`)
  return revision
}

function parseCommit(message: string): Commit | undefined {
  try {
    const commit = JSON.parse(message) as Partial<Commit>
    if (Number.isSafeInteger(commit.revision) && Array.isArray(commit.applied) && commit.applied.length > 0) return commit as Commit
  } catch {
    // Handled below like any other message this version cannot read.
  }
  return undefined
}

/** Subscribes before resolving, so no commit after it is missed. `commands` reads the revision. */
export async function openChangeFeed(url: string, commands: Redis, keys: RedisKeys, sink: CommitSink): Promise<ChangeFeed> {
  const subscriber = connectRedis(url)
  const sub = subscriber.redis
  let delivered = 0
  let resyncPending = false

  const deliver = (commit: Commit): void => {
    if (commit.revision <= delivered) return
    delivered = commit.revision
    sink(commit)
  }
  // Runs once both connections are back (each one's 'ready' tries); a failure leaves it pending
  // for the next 'ready'. The revision read here may be lower than before if Redis lost its
  // data, so it replaces `delivered` rather than being compared with it.
  const resync = async (): Promise<void> => {
    if (!resyncPending || commands.status !== 'ready') return
    resyncPending = false
    try {
      const revision = await readRevision(commands, keys)
      delivered = revision
      sink({ revision, applied: [] })
    } catch {
      resyncPending = true
    }
  }
  const resubscribe = async (): Promise<void> => {
    try {
      await sub.subscribe(keys.channel)
      resyncPending = true
      await resync()
    } catch {
      // The connection dropped again; its next 'ready' runs this again.
    }
  }

  sub.on('message', (_channel: string, message: string) => {
    const commit = parseCommit(message)
    if (commit !== undefined) return deliver(commit)
    // Not a commit this version can read (say, from a newer replica): reloading is always safe.
    resyncPending = true
    void resync()
  })
  try {
    await sub.connect()
    await sub.subscribe(keys.channel)
    delivered = await readRevision(commands, keys)
  } catch (err) {
    sub.disconnect()
    throw err
  }
  // Registered after the first subscribe, so only reconnects resubscribe and resync.
  sub.on('ready', () => void resubscribe())
  commands.on('ready', () => void resync())

  return {
    deliver,
    problem: () => subscriber.problem() ?? (sub.mode === 'subscriber' ? undefined : 'not subscribed to changes yet'),
    close: () => closeRedis(sub),
  }
}
