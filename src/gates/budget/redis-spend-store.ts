// Spend in Redis, shared by every replica. Each add is one Lua script (INCRBY, floor, PEXPIREAT), so
// concurrent adds from any number of replicas sum exactly: amounts are integer nano-USD, not
// floats (INCRBYFLOAT rounds through a decimal string and drifts).
import type { Redis } from 'ioredis'
import { fromNanos, toNanos, type SpendStore } from './spend-store.js'

// The expiry comes from the replica's clock; one behind Redis's must not delete a live counter
// (which the ledger would then re-send as lost spend), so it is never less than a minute away.
const ADD = `
local total = redis.call('INCRBY', KEYS[1], ARGV[1])
local floor = tonumber(ARGV[3]) + tonumber(ARGV[1])
if total < floor then
  redis.call('SET', KEYS[1], floor)
  total = floor
end
local time = redis.call('TIME')
local soonest = tonumber(time[1]) * 1000 + 60000
redis.call('PEXPIREAT', KEYS[1], math.max(tonumber(ARGV[2]), soonest))
return total`

const CLAIM = `
if redis.call('SET', KEYS[1], '1', 'NX', 'PXAT', ARGV[1]) then return 1 end
return 0`

/** ioredis adds these methods at runtime through defineCommand (EVALSHA, falling back to EVAL). */
interface BudgetCommands {
  sluiceBudgetAdd(key: string, nanos: number, expiresAtMs: number, seenNanos: number): Promise<number>
  sluiceBudgetClaim(key: string, expiresAtMs: number): Promise<number>
}

export interface RedisSpendStoreOptions {
  /** Default `sluice:budget:`. */
  readonly keyPrefix?: string
}

/**
 * `redis` is the caller's client. Create it with `enableOfflineQueue: false` (or a low
 * `maxRetriesPerRequest`) so that adds fail fast while Redis is down: the ledger then keeps the
 * spend locally and resends it once Redis is back, instead of waiting on a queued command.
 */
export function createRedisSpendStore(redis: Redis, options: RedisSpendStoreOptions = {}): SpendStore {
  const prefix = options.keyPrefix ?? 'sluice:budget:'
  redis.defineCommand('sluiceBudgetAdd', { numberOfKeys: 1, lua: ADD })
  redis.defineCommand('sluiceBudgetClaim', { numberOfKeys: 1, lua: CLAIM })
  const commands = redis as Redis & BudgetCommands
  const spendKey = (scopeKey: string, windowKey: string): string => `${prefix}spend:${scopeKey}|${windowKey}`
  return {
    async add(scopeKey, windowKey, usd, expiresAtMs, seenUsd) {
      const key = spendKey(scopeKey, windowKey)
      const total = await commands.sluiceBudgetAdd(key, toNanos(usd), Math.ceil(expiresAtMs), toNanos(seenUsd))
      return fromNanos(Number(total))
    },
    async get(scopeKey, windowKey) {
      const value = await redis.get(spendKey(scopeKey, windowKey))
      return value === null ? 0 : fromNanos(Number(value))
    },
    async claim(marker, expiresAtMs) {
      return (await commands.sluiceBudgetClaim(`${prefix}mark:${marker}`, Math.ceil(expiresAtMs))) === 1
    },
  }
}
