// One ioredis connection as the state store needs it: fail fast while Redis is away, never
// replay a command, reconnect in the background (docs/state.md#when-redis-is-unreachable).
import { Redis } from 'ioredis'

/** A command with no reply after this long rejects; a hung Redis must not hang an admin request. */
export const commandTimeoutMs = 2000
/** How long one connection attempt may take, at open and on each reconnect. */
const connectTimeoutMs = 2000
/** Reconnect back-off: 50 ms more per attempt, at most this long between attempts. */
const maxReconnectDelayMs = 1000

export interface RedisConnection {
  readonly redis: Redis
  /** Why the connection is unusable (`redis at host:port is reconnecting (ECONNREFUSED …)`), or undefined when ready. */
  problem(): string | undefined
}

export function connectRedis(url: string): RedisConnection {
  // `host` leaves out any password in the URL, so messages can be logged.
  const where = new URL(url).host
  let lastError: string | undefined
  const redis = new Redis(url, {
    lazyConnect: true,
    // Reject at once instead of queueing while disconnected: the caller gets `unavailable` now.
    enableOfflineQueue: false,
    // Reject commands in flight when the connection drops, and never send them again: a commit
    // whose reply was lost may have been applied, and replaying it would apply it twice.
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    // The change feed resubscribes itself, so it knows when to tell listeners to resync.
    autoResubscribe: false,
    commandTimeout: commandTimeoutMs,
    connectTimeout: connectTimeoutMs,
    retryStrategy: (attempt: number) => Math.min(attempt * 50, maxReconnectDelayMs),
  })
  // Connection errors reach callers as rejected commands and through health(); without a
  // listener ioredis would print each reconnect failure to the console.
  redis.on('error', (err: Error) => {
    lastError = err.message
  })
  redis.on('ready', () => {
    lastError = undefined
  })
  return {
    redis,
    problem: () => {
      if (redis.status === 'ready') return undefined
      return `redis at ${where} is ${redis.status}${lastError === undefined ? '' : ` (${lastError})`}`
    },
  }
}

/** QUIT waits for replies in flight; when Redis is away it cannot be sent, so just drop the socket. */
export async function closeRedis(redis: Redis): Promise<void> {
  try {
    await redis.quit()
  } catch {
    redis.disconnect()
  }
}
