// The Redis key layout and the Lua scripts that make each commit one atomic step across every
// replica (docs/state.md#redis). Redis runs a script with nothing else interleaved, so reading
// `before`, writing documents and audit rows, bumping the revision and publishing the change
// cannot race another process's commit.
import { createHash } from 'node:crypto'
import type { Redis } from 'ioredis'

export interface RedisKeys {
  /** String: the layout version, so an older Sluice refuses a layout it does not know. */
  readonly schema: string
  /** String counter: `StateStore.revision()`. */
  readonly revision: string
  /** String counter: the last audit id handed out; INCR keeps ids in commit order across replicas. */
  readonly auditId: string
  /** Sorted set: the audit log (see `auditPrelude`). */
  readonly audit: string
  /** Pub/sub channel: one message per commit that changed something. */
  readonly channel: string
  /** Hash per namespace: key → the document as JSON text. */
  docs(namespace: string): string
}

export function redisKeys(prefix: string): RedisKeys {
  return {
    schema: `${prefix}schema`,
    revision: `${prefix}revision`,
    auditId: `${prefix}audit:id`,
    audit: `${prefix}audit`,
    channel: `${prefix}changes`,
    // Namespaces match ^[a-z][a-z0-9-]*$, so they never collide with the fixed keys above.
    docs: (namespace) => `${prefix}docs:${namespace}`,
  }
}

export interface LuaScript {
  readonly lua: string
  readonly sha: string
}

const script = (lua: string): LuaScript => ({ lua, sha: createHash('sha1').update(lua).digest('hex') })

// Redis does not roll a script back when a command fails half way, so every key a script touches
// is checked before its first write; after that no command in it can fail.
//
// Audit rows live in one sorted set, all at score 0, so they order by member bytes:
// `<at>\n<id, 16 digits>\n<row JSON>`. `at` is a normalised ISO time, so ZREVRANGEBYLEX lists
// newest first with ties by id, and `since` is a lex bound. JSON is built by concatenation, not
// cjson, which would round numbers to 14 digits and cannot tell {} from [].
const auditPrelude = `
local function check(key, want)
  local found = redis.call('TYPE', key).ok
  if found ~= 'none' and found ~= want then
    error({err = 'WRONGTYPE ' .. key .. ' holds a ' .. found .. ', not a ' .. want})
  end
  if want == 'string' then
    local value = redis.call('GET', key)
    if value and not string.match(value, '^%d+$') then error({err = 'ERR ' .. key .. ' is not a counter'}) end
  end
end
local function append(idKey, logKey, at, fields)
  local id = redis.call('INCR', idKey)
  local json = string.format('{"id":%d,', id) .. fields
  redis.call('ZADD', logKey, 0, at .. '\\n' .. string.format('%016d', id) .. '\\n' .. json)
  return json
end
`

/**
 * KEYS: auditId, audit. ARGV: at, the entry's JSON without `id`.
 * Returns the stored row's JSON.
 */
export const appendScript = script(`${auditPrelude}
check(KEYS[1], 'string')
check(KEYS[2], 'zset')
return append(KEYS[1], KEYS[2], ARGV[1], string.sub(ARGV[2], 2))
`)

/**
 * KEYS: revision, auditId, audit, then the docs hash of each write.
 * ARGV: channel, then six per write: key, value JSON ('' deletes), audit `at`, the audit fields'
 * JSON (`{at, actor, action, target, reason}`), the change item's JSON, and the compare-and-set
 * precondition ('' none, '0' no record, '=' followed by the expected JSON text).
 * Returns `{revision, row JSON or '' (a delete of nothing) per write}`, or the error
 * `CONFLICT <index of the write, 0-based>` before writing anything when a precondition fails.
 */
export const commitScript = script(`${auditPrelude}
check(KEYS[1], 'string')
check(KEYS[2], 'string')
check(KEYS[3], 'zset')
for i = 4, #KEYS do check(KEYS[i], 'hash') end
for i = 1, #KEYS - 3 do
  local expect = ARGV[6 * i + 1]
  if expect ~= '' then
    local stored = redis.call('HGET', KEYS[3 + i], ARGV[6 * i - 4])
    if (expect == '0' and stored ~= false) or (expect ~= '0' and stored ~= string.sub(expect, 2)) then
      return redis.error_reply('CONFLICT ' .. (i - 1))
    end
  end
end
local results, items = {0}, {}
for i = 1, #KEYS - 3 do
  local docs, a = KEYS[3 + i], 6 * i - 4
  local key, value, at, fields, item = ARGV[a], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4]
  local before = redis.call('HGET', docs, key)
  if before == false and value == '' then
    results[i + 1] = ''
  else
    if value == '' then redis.call('HDEL', docs, key) else redis.call('HSET', docs, key, value) end
    local after = value == '' and 'null' or value
    results[i + 1] = append(KEYS[2], KEYS[3], at,
      '"before":' .. (before or 'null') .. ',"after":' .. after .. ',' .. string.sub(fields, 2))
    items[#items + 1] = item
  end
end
if #items > 0 then
  results[1] = redis.call('INCR', KEYS[1])
  redis.call('PUBLISH', ARGV[1],
    string.format('{"revision":%d,"applied":[', results[1]) .. table.concat(items, ',') .. ']}')
else
  results[1] = tonumber(redis.call('GET', KEYS[1]) or '0')
end
return results
`)

/** EVALSHA, falling back to EVAL when Redis has not cached the script (a fresh or restarted server). */
export async function runScript(redis: Redis, { lua, sha }: LuaScript, keys: readonly string[], args: readonly string[]): Promise<unknown> {
  try {
    return await redis.evalsha(sha, keys.length, ...keys, ...args)
  } catch (err) {
    if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err
    return redis.eval(lua, keys.length, ...keys, ...args)
  }
}
