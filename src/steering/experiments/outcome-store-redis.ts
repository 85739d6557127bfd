// Experiment outcomes in Redis, shared by a fleet (outcome-store.ts). Keys, under the prefix:
//   {<experiment>}:v:<variant>      hash field → total (a decimal string)
//   {<experiment>}:variants         set of the variants written, for `read`
//   {<experiment>}:exposed          hash user → the variant it was first recorded in
//   {<experiment>}:batch:<id>       an applied call id, for a day (under the first batch's experiment)
//   shared:<key>                    hash replica → JSON {value, writtenAtMs, expiresAtMs}
// Each `add` is one Lua script, so it is atomic and a repeated id is applied once. The batches go
// to the script as one JSON argument and the script builds the key names itself: any number of
// batches fits one call, but the script is cluster-safe only while every key it touches hashes to
// one slot, i.e. for calls whose batches all name one experiment (the `{experiment}` hash tag). A
// call spanning several experiments needs a single Redis (or one cluster slot); we accept that.
//
// Totals are summed in Lua's doubles and stored in the shortest decimal that reads back as the same
// double, not with HINCRBYFLOAT: that adds in long double and rounds through a 17-digit decimal, so
// its totals would differ from the other engines' (0.1 + 0.2). Integers up to 2^53 stay exact.
import type { Redis } from 'ioredis'
import { checkOutcomeBatches, checkTtl } from './outcome-store-memory.js'
import type { OutcomeStore } from './outcome-store.js'

// KEYS[1] the call id marker; ARGV[1] the key prefix; ARGV[2] [[experiment, variant, [field,
// amount, …], [user, …]], …] with amounts as JS number strings.
const ADD = `
local batches = cjson.decode(ARGV[2]) -- before the marker: a bad argument must leave the id unused
if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', 86400000) then return 0 end
local function format(x)
  for digits = 15, 17 do
    local text = string.format('%.' .. digits .. 'g', x)
    if tonumber(text) == x then return text end
  end
  return string.format('%.17g', x)
end
local function bump(hash, field, amount)
  local total = (tonumber(redis.call('HGET', hash, field)) or 0) + amount
  redis.call('HSET', hash, field, format(total))
end
for _, batch in ipairs(batches) do
  local variant, amounts, users = batch[2], batch[3], batch[4]
  local tag = ARGV[1] .. '{' .. batch[1] .. '}:'
  local hash = tag .. 'v:' .. variant
  local fresh = 0
  for _, user in ipairs(users) do fresh = fresh + redis.call('HSETNX', tag .. 'exposed', user, variant) end
  if fresh > 0 then bump(hash, 'users', fresh) end
  for i = 1, #amounts, 2 do bump(hash, amounts[i], tonumber(amounts[i + 1])) end
  if fresh > 0 or #amounts > 0 then redis.call('SADD', tag .. 'variants', variant) end
end
return 1`

// KEYS[1] the variants set, KEYS[2] the exposures; ARGV[1] the variant hashes' name before the variant.
const CLEAR = `
for _, variant in ipairs(redis.call('SMEMBERS', KEYS[1])) do redis.call('DEL', ARGV[1] .. variant) end
redis.call('DEL', KEYS[1], KEYS[2])
return 1`

// KEYS[1] the shared hash; ARGV replica, entry JSON, ttl ms. The hash lives as long as its longest entry.
const PUT_SHARED = `
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
local ttl = tonumber(ARGV[3])
if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
return 1`

// KEYS[1] the shared hash; ARGV[1] the reader's clock (ms). Deletes the expired entries, returns the
// live ones as [replica, entry JSON, …]; in a script so it never deletes an entry just rewritten.
const LIST_SHARED = `
local now = tonumber(ARGV[1])
local all = redis.call('HGETALL', KEYS[1])
local live = {}
for i = 1, #all, 2 do
  local ok, entry = pcall(cjson.decode, all[i + 1])
  if ok and type(entry) == 'table' and type(entry.expiresAtMs) == 'number' and entry.expiresAtMs > now then
    live[#live + 1] = all[i]
    live[#live + 1] = all[i + 1]
  else
    redis.call('HDEL', KEYS[1], all[i])
  end
end
return live`

/** ioredis adds these methods at runtime through defineCommand (EVALSHA, falling back to EVAL). */
interface OutcomeCommands {
  sluiceOutcomeAdd(marker: string, prefix: string, batches: string): Promise<number>
  sluiceOutcomeClear(variants: string, exposed: string, hashPrefix: string): Promise<number>
  sluiceOutcomePutShared(key: string, replica: string, entry: string, ttlMs: number): Promise<number>
  sluiceOutcomeListShared(key: string, nowMs: number): Promise<string[]>
}

export interface RedisOutcomeStoreOptions {
  /** Default `sluice:exp:`. */
  readonly keyPrefix?: string
}

/**
 * `redis` is the caller's client and stays the caller's: `close()` leaves it connected. Create it
 * with `enableOfflineQueue: false` and `maxRetriesPerRequest: 0` so that an add fails at once while
 * Redis is down (the replica keeps its sums and resends them with the same id) instead of waiting
 * on a queued command.
 */
export function createRedisOutcomeStore(redis: Redis, options: RedisOutcomeStoreOptions = {}): OutcomeStore {
  const prefix = options.keyPrefix ?? 'sluice:exp:'
  redis.defineCommand('sluiceOutcomeAdd', { numberOfKeys: 1, lua: ADD })
  redis.defineCommand('sluiceOutcomeClear', { numberOfKeys: 2, lua: CLEAR })
  redis.defineCommand('sluiceOutcomePutShared', { numberOfKeys: 1, lua: PUT_SHARED })
  redis.defineCommand('sluiceOutcomeListShared', { numberOfKeys: 1, lua: LIST_SHARED })
  const commands = redis as Redis & OutcomeCommands
  const tag = (experiment: string): string => `${prefix}{${experiment}}:`
  const sharedKey = (key: string): string => `${prefix}shared:${key}`

  return {
    kind: 'redis',
    async add(id, batches) {
      checkOutcomeBatches(id, batches)
      const first = batches[0]
      if (first === undefined) return
      const payload = batches.map(({ experiment, variant, add, users }) => [
        experiment,
        variant,
        Object.entries(add).flatMap(([field, amount]) => (amount === 0 ? [] : [field, String(amount)])),
        users,
      ])
      await commands.sluiceOutcomeAdd(`${tag(first.experiment)}batch:${id}`, prefix, JSON.stringify(payload))
    },
    async read(experiment) {
      const variants = await redis.smembers(`${tag(experiment)}variants`)
      const result = new Map<string, Record<string, number>>()
      if (variants.length === 0) return result
      const pipeline = redis.pipeline()
      for (const variant of variants) pipeline.hgetall(`${tag(experiment)}v:${variant}`)
      const replies = (await pipeline.exec()) ?? []
      variants.forEach((variant, i) => {
        const [err, hash] = replies[i] ?? [new Error('outcome store: missing pipeline reply'), null]
        if (err) throw err
        const fields: Record<string, number> = {}
        for (const [field, value] of Object.entries(hash as Record<string, string>)) fields[field] = Number(value)
        if (Object.keys(fields).length > 0) result.set(variant, fields)
      })
      return result
    },
    async exposure(experiment, user) {
      return (await redis.hget(`${tag(experiment)}exposed`, user)) ?? undefined
    },
    async clear(experiment) {
      await commands.sluiceOutcomeClear(`${tag(experiment)}variants`, `${tag(experiment)}exposed`, `${tag(experiment)}v:`)
    },
    async putShared(key, replica, value, ttlMs) {
      checkTtl(ttlMs)
      const writtenAtMs = Date.now()
      const entry = JSON.stringify({ value, writtenAtMs, expiresAtMs: writtenAtMs + ttlMs })
      await commands.sluiceOutcomePutShared(sharedKey(key), replica, entry, Math.ceil(ttlMs))
    },
    async listShared(key) {
      const live = await commands.sluiceOutcomeListShared(sharedKey(key), Date.now())
      const entries = []
      for (let i = 0; i + 1 < live.length; i += 2) {
        const entry = JSON.parse(live[i + 1]!) as { value: unknown; writtenAtMs: unknown }
        entries.push({ replica: live[i]!, value: String(entry.value), writtenAtMs: Number(entry.writtenAtMs) })
      }
      return entries
    },
    /** Leaves the caller's client connected. */
    async close() {},
  }
}
