// Fleet-wide rate limiter on Redis: one script call per acquire (all matching rules at once) and
// at most one per settle, so a limit of N holds for the whole fleet: replicas sharing one Redis
// admit N in total, not N each.
// Redis errors reject `acquire` (FailoverRateLimiter or the gate's failMode decides); `settle`
// never rejects — a lost settle leaves the reservation charged and the slot lapses after
// `leaseSeconds`.
// Slow is not down: an acquire waits for its answer while the connection is up, up to
// `deadlineMs`; `commandTimeoutMs` only marks it slow. It is never sent twice — on one connection
// a second script would run behind the first anyway, and charge the request twice.
import { createHash, randomBytes } from 'node:crypto'
import type { Redis } from 'ioredis'
import { consider, concurrentState, finishDecision, rateState, type RuleTally } from './decision.js'
import { ACQUIRE, EPOCH_S, SETTLE } from './redis-scripts.js'
import { compileRules, reservedTokens, type CompiledRule } from './rules.js'
import type { RateLimitsConfig } from './schema.js'
import { NO_LEASE, UNLIMITED, type LimitDecision, type LimitKind, type LimitState, type LimitLease, type RateLimitContext, type RateLimiter, type TokenEstimate } from './types.js'

class RedisLease implements LimitLease {
  readonly backend = 'redis'
  settled = false
  constructor(
    readonly rules: CompiledRule[],
    readonly keys: string[],
    readonly id: string,
    readonly inputTokens: number,
    readonly maxOutputTokens: number | undefined,
  ) {}
}

export interface Script {
  readonly source: string
  readonly sha: string
}
export const script = (source: string): Script => ({ source, sha: createHash('sha1').update(source).digest('hex') })

/** EVALSHA, loading the script with EVAL when Redis does not know it (first use, or after a restart). */
export async function runScript(client: Redis, lua: Script, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown> {
  try {
    return await client.evalsha(lua.sha, keys.length, ...keys, ...args)
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error
    return client.eval(lua.source, keys.length, ...keys, ...args)
  }
}

/** Redis did not answer an acquire within `deadlineMs` although the connection stayed up. */
export class RedisDeadlineError extends Error {
  override readonly name = 'RedisDeadlineError'
}

/** The connection went down while an acquire waited for its answer. */
export class RedisConnectionLostError extends Error {
  override readonly name = 'RedisConnectionLostError'
}

const ACQUIRE_SCRIPT = script(ACQUIRE)
const SETTLE_SCRIPT = script(SETTLE)

const KINDS: readonly LimitKind[] = ['requests', 'tokens', 'concurrent', 'tokens']
const PER_RULE = 5

export interface RedisRateLimiterOptions {
  /** Told when a settle fails (the lead logs and counts it); default ignores it. */
  readonly onSettleError?: (error: unknown) => void
}

const ignoreSettleError = (): void => {}

export interface RedisRateLimiterStats {
  /** Acquires still unanswered after commandTimeoutMs (then waited for, up to deadlineMs). */
  readonly slowCalls: number
  /** Acquires that got no answer within deadlineMs. */
  readonly deadlineMisses: number
}

export class RedisRateLimiter implements RateLimiter {
  private readonly rules: readonly CompiledRule[]
  private readonly prefix: string
  private readonly leaseMs: number
  private readonly serverClock: boolean
  private readonly onSettleError: (error: unknown) => void
  private readonly commandTimeoutMs: number
  private readonly deadlineMs: number
  private slowCalls = 0
  private deadlineMisses = 0
  /** Lease ids are unique per process and call, so one replica never removes another's slot. */
  private readonly replica = randomBytes(6).toString('base64url')
  private sequence = 0

  constructor(
    private readonly client: Redis,
    config: RateLimitsConfig,
    options: RedisRateLimiterOptions = {},
  ) {
    this.rules = compileRules(config)
    this.prefix = config.redis.keyPrefix
    this.leaseMs = config.redis.leaseSeconds * 1000
    this.serverClock = config.redis.clock === 'redis'
    this.commandTimeoutMs = config.redis.commandTimeoutMs
    this.deadlineMs = config.redis.deadlineMs
    this.onSettleError = options.onSettleError ?? ignoreSettleError
  }

  /** The connection is up; while it is not, calls would fail at once. */
  get available(): boolean {
    return this.client.status === 'ready'
  }

  acquire(ctx: RateLimitContext, estimate: TokenEstimate, enforce: boolean, nowMs: number): LimitDecision | Promise<LimitDecision> {
    const rules: CompiledRule[] = []
    const keys: string[] = []
    const args: Array<string | number> = [this.clock(nowMs), '', this.leaseMs]
    for (const rule of this.rules) {
      if (!rule.matches(ctx)) continue
      const key = this.prefix + rule.keyOf(ctx)
      rules.push(rule)
      keys.push(key, `${key}:c`)
      const { requests, tokens } = rule
      args.push(requests?.intervalMs ?? 0, requests?.windowMs ?? 0, tokens?.intervalMs ?? 0, tokens?.windowMs ?? 0, tokens?.limit ?? 0)
      args.push(tokens === undefined ? 0 : reservedTokens(rule, estimate.inputTokens, estimate.maxOutputTokens), rule.concurrent)
    }
    if (rules.length === 0) return UNLIMITED
    const id = `${this.replica}:${++this.sequence}`
    args[1] = id
    return this.answerOf(this.run(ACQUIRE_SCRIPT, keys, args)).then((reply) => {
      const numbers = reply as number[]
      const deniedIndex = numbers[0]!
      const tally: RuleTally = { waitMs: 0, denial: undefined }
      const deniedRule = rules[deniedIndex - 1]
      if (deniedRule !== undefined) consider(tally, deniedRule, KINDS[numbers[1]! - 1]!, numbers[1] === 4 ? Infinity : numbers[2]!)
      const limits: LimitState[] = []
      rules.forEach((rule, i) => {
        const at = 3 + i * PER_RULE
        if (rule.requests !== undefined) limits.push(rateState(rule, 'requests', rule.requests, numbers[at]!, numbers[at + 1]!))
        if (rule.tokens !== undefined) limits.push(rateState(rule, 'tokens', rule.tokens, numbers[at + 2]!, numbers[at + 3]!))
        if (rule.concurrent > 0) limits.push(concurrentState(rule, numbers[at + 4]!))
      })
      // Every admitted request settles (a later gate's refusal gives its request charge back); a
      // requests-only settle costs a round trip only then.
      const lease = tally.denial === undefined ? new RedisLease(rules, keys, id, estimate.inputTokens, estimate.maxOutputTokens) : NO_LEASE
      return finishDecision(tally, this.rules, limits, enforce, lease)
    }, (error: unknown) => {
      this.releaseSlots(rules, keys, id, nowMs)
      throw error
    })
  }

  stats(): RedisRateLimiterStats {
    return { slowCalls: this.slowCalls, deadlineMisses: this.deadlineMisses }
  }

  settle(lease: LimitLease, actualTokens: number | undefined, nowMs: number, refund = false): Promise<void> {
    if (!(lease instanceof RedisLease) || lease.settled) return Promise.resolve()
    lease.settled = true
    const args: Array<string | number> = [this.clock(nowMs), lease.id]
    let work = false
    for (const rule of lease.rules) {
      const charge = rule.tokens === undefined || actualTokens === undefined ? 0 : actualTokens - reservedTokens(rule, lease.inputTokens, lease.maxOutputTokens)
      const requestRefund = refund && rule.requests !== undefined ? rule.requests.intervalMs : 0
      args.push(rule.tokens?.intervalMs ?? 0, charge, rule.concurrent > 0 ? 1 : 0, requestRefund)
      work ||= charge !== 0 || rule.concurrent > 0 || requestRefund > 0
    }
    if (!work) return Promise.resolve()
    return this.run(SETTLE_SCRIPT, lease.keys, args).then(() => undefined, this.onSettleError)
  }

  /**
   * A timed-out acquire may still run on Redis later, holding slots nobody settles. Commands on
   * one connection run in order, so removing its lease id right behind it frees them. Only slots:
   * refunding requests or tokens the acquire may never have charged would loosen the limit.
   */
  private releaseSlots(rules: readonly CompiledRule[], keys: string[], id: string, nowMs: number): void {
    if (!rules.some((rule) => rule.concurrent > 0)) return
    const args: Array<string | number> = [this.clock(nowMs), id]
    for (const rule of rules) args.push(0, 0, rule.concurrent > 0 ? 1 : 0, 0)
    this.run(SETTLE_SCRIPT, keys, args).catch(this.onSettleError)
  }

  /** '' lets the script read Redis TIME, so replicas with skewed clocks still share one timeline. */
  private clock(nowMs: number): string | number {
    return this.serverClock ? '' : nowMs - EPOCH_S * 1000
  }

  private run(lua: Script, keys: string[], args: Array<string | number>): Promise<unknown> {
    return runScript(this.client, lua, keys, args)
  }

  /**
   * Waits for `call` in spans of commandTimeoutMs: after each, a call whose connection is still up
   * is only slow (counted once) and is waited for again, until deadlineMs in all. A connection
   * that went down rejects at once (ioredis also fails the calls it had sent).
   */
  private answerOf(call: Promise<unknown>): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const started = performance.now()
      let slow = false
      const check = (): void => {
        const waited = performance.now() - started
        if (this.client.status !== 'ready') return reject(new RedisConnectionLostError(`Redis connection ${this.client.status} after ${Math.round(waited)} ms`))
        // Timers may fire up to a millisecond early.
        if (waited >= this.deadlineMs - 1) {
          this.deadlineMisses++
          return reject(new RedisDeadlineError(`Redis did not answer within deadlineMs (${this.deadlineMs} ms)`))
        }
        if (!slow) {
          slow = true
          this.slowCalls++
        }
        timer = setTimeout(check, Math.min(this.commandTimeoutMs, this.deadlineMs - waited))
      }
      let timer = setTimeout(check, Math.min(this.commandTimeoutMs, this.deadlineMs))
      call.then(
        (reply) => {
          clearTimeout(timer)
          resolve(reply)
        },
        (error: unknown) => {
          clearTimeout(timer)
          reject(error)
        },
      )
    })
  }
}
