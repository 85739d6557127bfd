// Lua for the Redis limiter: one script call checks and charges every matching rule of a request
// atomically (Redis runs a script alone), so N replicas sharing one Redis admit N in total.
// The GCRA here mirrors gcra.ts. A counter stores its TAT as anchor + offset (`ra`+`ro` for
// requests, `ta`+`to` for tokens): the anchor is set when the counter was last full and the
// offset sums the charges since, so a burst's sum is exact to ~1e-12 ms instead of drifting by
// the rounding of epoch-sized floats. Times are ms since EPOCH_S; `lag` = TAT − now (≤ 0: full).
// Concurrency is a sorted set of lease ids scored by expiry, so a dead replica's slots lapse.

/** Seconds since 1970 at which script time starts (keeps the numbers small); callers share it. */
export const EPOCH_S = 1_700_000_000

const PRELUDE = `
local now
if ARGV[1] == '' then
  local t = redis.call('TIME')
  now = (tonumber(t[1]) - ${EPOCH_S}) * 1000 + tonumber(t[2]) / 1000
else
  now = tonumber(ARGV[1])
end
local EPS = 0.001
local function lag(a, o) if a then return o - (now - a) end return 0 end
local function fmt(x) return string.format('%.17g', x) end
local function expire(h, a1, o1, a2, o2)
  local ms = math.max(lag(a1, o1), lag(a2, o2), 0)
  redis.call('PEXPIRE', h, math.ceil(ms) + 1000)
end
`

/**
 * KEYS: per rule, its counter hash then its in-flight set.
 * ARGV: now ('' = Redis TIME), lease id, lease ms, then per rule 7 numbers (0 = no such limit):
 *   request interval ms, request window ms, token interval ms, token window ms, token limit,
 *   tokens reserved (0, a read: the token limit is not checked), concurrency limit.
 * Returns {denied rule (1-based, 0 = none), kind (1 requests, 2 tokens, 3 concurrent, 4 tokens
 * too large), wait ms, then per rule: requests remaining, requests reset ms, tokens remaining,
 * tokens reset ms, in flight}.
 */
export const ACQUIRE = `${PRELUDE}
local leaseId, leaseMs = ARGV[2], tonumber(ARGV[3])
local n = #KEYS / 2
local state = {}
local denied, kind, worst = 0, 0, 0
local function consider(i, k, wait)
  if wait > EPS and (denied == 0 or wait > worst) then denied, kind, worst = i, k, wait end
end
for i = 1, n do
  local b = 3 + (i - 1) * 7
  local s = { rt = tonumber(ARGV[b + 1]), rw = tonumber(ARGV[b + 2]), tt = tonumber(ARGV[b + 3]), tw = tonumber(ARGV[b + 4]),
    tl = tonumber(ARGV[b + 5]), cost = tonumber(ARGV[b + 6]), cl = tonumber(ARGV[b + 7]), inflight = 0 }
  local f = redis.call('HMGET', KEYS[2 * i - 1], 'ra', 'ro', 'ta', 'to')
  s.ra, s.ro, s.ta, s.to = tonumber(f[1]), tonumber(f[2]), tonumber(f[3]), tonumber(f[4])
  if s.rt > 0 then consider(i, 1, math.max(lag(s.ra, s.ro), 0) + s.rt - s.rw) end
  if s.tt > 0 and s.cost > 0 then
    if s.cost > s.tl then consider(i, 4, math.huge)
    else consider(i, 2, math.max(lag(s.ta, s.to), 0) + s.cost * s.tt - s.tw) end
  end
  if s.cl > 0 then
    redis.call('ZREMRANGEBYSCORE', KEYS[2 * i], '-inf', now)
    s.inflight = redis.call('ZCARD', KEYS[2 * i])
    if s.inflight >= s.cl then consider(i, 3, 1000) end
  end
  state[i] = s
end
local out = { denied, kind, kind == 4 and 0 or math.ceil(worst) }
for i = 1, n do
  local s, h = state[i], KEYS[2 * i - 1]
  if denied == 0 then
    if s.rt > 0 then
      if lag(s.ra, s.ro) <= 0 then s.ra, s.ro = now, s.rt else s.ro = s.ro + s.rt end
      redis.call('HSET', h, 'ra', fmt(s.ra), 'ro', fmt(s.ro))
    end
    if s.tt > 0 then
      if lag(s.ta, s.to) <= 0 then s.ta, s.to = now, s.cost * s.tt else s.to = s.to + s.cost * s.tt end
      redis.call('HSET', h, 'ta', fmt(s.ta), 'to', fmt(s.to))
    end
    if s.rt > 0 or s.tt > 0 then expire(h, s.ra, s.ro, s.ta, s.to) end
    if s.cl > 0 then
      redis.call('ZADD', KEYS[2 * i], now + leaseMs, leaseId)
      redis.call('PEXPIRE', KEYS[2 * i], leaseMs + 1000)
      s.inflight = s.inflight + 1
    end
  end
  local rl, tl = math.max(lag(s.ra, s.ro), 0), math.max(lag(s.ta, s.to), 0)
  local rr = s.rt > 0 and math.floor((s.rw - rl) / s.rt + 1e-6) or 0
  local tr = s.tt > 0 and math.floor((s.tw - tl) / s.tt + 1e-6) or 0
  out[#out + 1] = math.max(rr, 0)
  out[#out + 1] = math.max(math.ceil(rl - 1e-6), 0)
  out[#out + 1] = math.min(math.max(tr, 0), s.tl)
  out[#out + 1] = math.max(math.ceil(tl - 1e-6), 0)
  out[#out + 1] = s.inflight
end
return out
`

/**
 * KEYS: as for ACQUIRE. ARGV: now, lease id, then per rule 4 numbers: token interval ms (0 = no
 * token limit), tokens to charge (negative refunds), 1 if it holds a concurrency slot, and the
 * request interval ms to give back (0 = none; a refused request's charge).
 */
export const SETTLE = `${PRELUDE}
local leaseId = ARGV[2]
for i = 1, #KEYS / 2 do
  local b = 2 + (i - 1) * 4
  local tt, diff, conc, rr = tonumber(ARGV[b + 1]), tonumber(ARGV[b + 2]), ARGV[b + 3], tonumber(ARGV[b + 4])
  local h = KEYS[2 * i - 1]
  if rr > 0 then
    local f = redis.call('HMGET', h, 'ra', 'ro')
    local ra, ro = tonumber(f[1]), tonumber(f[2])
    if lag(ra, ro) > 0 then redis.call('HSET', h, 'ro', fmt(math.max(ro - rr, now - ra))) end
  end
  if tt > 0 and diff ~= 0 then
    local f = redis.call('HMGET', h, 'ra', 'ro', 'ta', 'to')
    local ra, ro, ta, to = tonumber(f[1]), tonumber(f[2]), tonumber(f[3]), tonumber(f[4])
    local l = lag(ta, to)
    if diff > 0 then
      if l <= 0 then ta, to = now, diff * tt else to = to + diff * tt end
      redis.call('HSET', h, 'ta', fmt(ta), 'to', fmt(to))
      expire(h, ra, ro, ta, to)
    elseif l > 0 then
      to = math.max(to + diff * tt, now - ta)
      redis.call('HSET', h, 'to', fmt(to))
    end
  end
  if conc == '1' then redis.call('ZREM', KEYS[2 * i], leaseId) end
end
return 0
`

/**
 * The replica registry (replicas.ts): a sorted set of replica ids scored by when their heartbeat
 * lapses, on the Redis clock. KEYS: the set. ARGV: replica id, time to live in ms.
 * Returns the replicas whose heartbeat has not lapsed, this one included.
 */
export const HEARTBEAT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
redis.call('PEXPIRE', KEYS[1], ttl)
return redis.call('ZCARD', KEYS[1])
`
