// In-process rate limiter: synchronous, exact (one thread checks and charges), bounded memory.
// Counters live in an LRU of `maxLocalKeys`; an evicted counter is remembered by EvictedSketch
// (never fresher than it was), and one with requests in flight is pinned until they settle, so
// eviction can make a limit stricter but never looser (docs/rate-limits.md, Memory bound).
// As the Redis fallback it holds a `share` of every limit: each unit it admits costs 1 / share of
// the limit's units, so it admits that slice of the limit and refills at that slice of the rate.
// Counters are times (TATs), so changing the share later keeps the fraction of each limit used.
import { LRUCache } from 'lru-cache'
import { consider, counterStates, finishDecision, type RuleTally } from './decision.js'
import { EvictedSketch, type TatPair } from './evicted-sketch.js'
import { gcraCharge, gcraWaitMs, sharedLimit } from './gcra.js'
import { compileRules, reservedTokens, type CompiledRule, type Rate } from './rules.js'
import type { RateLimitsConfig } from './schema.js'
import { NO_LEASE, UNLIMITED, type LimitDecision, type LimitLease, type RateLimitContext, type RateLimiter, type TokenEstimate } from './types.js'

/** One rule's counters for one key. TATs are ms relative to the limiter's first call (small floats round less). */
export class Bucket implements TatPair {
  requestsTat = -Infinity
  tokensTat = -Infinity
  inflight = 0
  /** Out of the LRU: pinned while requests are in flight, else folded into the sketch. */
  detached = false
  constructor(
    readonly rule: CompiledRule,
    readonly key: string,
  ) {}
}

class LocalLease implements LimitLease {
  readonly backend = 'local'
  settled = false
  constructor(
    readonly buckets: Bucket[],
    readonly inputTokens: number,
    readonly maxOutputTokens: number | undefined,
    /** The cost per unit at acquire (1 / share), so a correction moves the counter as the charge did. */
    readonly weight: number,
  ) {}
}

export interface LocalRateLimiterStats {
  /** Counters in the LRU. */
  readonly keys: number
  /** Evicted counters kept alive by requests in flight. */
  readonly pinned: number
  readonly sketchBytes: number
}

const CONCURRENT_RETRY_MS = 1000

export class LocalRateLimiter implements RateLimiter {
  private readonly rules: readonly CompiledRule[]
  /** Counters of rules keyed by nothing: one each, never evicted. */
  private readonly shared: ReadonlyArray<Bucket | undefined>
  private readonly cache: LRUCache<string, Bucket>
  private readonly pinned = new Map<string, Bucket>()
  private readonly sketch: EvictedSketch
  /** Scratch for the buckets of one acquire; acquire is synchronous, so one array serves all calls. */
  private readonly matched: Bucket[] = []
  private readonly tally: RuleTally = { waitMs: 0, denial: undefined }
  private originMs: number | undefined
  private lastNow = 0
  /** 1 / share: what one admitted unit costs. */
  private weight = 1
  private currentShare = 1

  /** `share` (0 < share ≤ 1): the slice of every limit this limiter allows, e.g. the Redis fallback's. */
  constructor(config: RateLimitsConfig, share = 1) {
    this.setShare(share)
    this.rules = compileRules(config)
    this.shared = this.rules.map((rule) => (rule.keyed ? undefined : new Bucket(rule, rule.name)))
    this.sketch = new EvictedSketch(config.maxLocalKeys / 2)
    this.cache = new LRUCache<string, Bucket>({
      max: config.maxLocalKeys,
      dispose: (bucket, key, reason) => {
        if (reason !== 'evict') return
        bucket.detached = true
        if (bucket.inflight > 0) this.pinned.set(key, bucket)
        else this.sketch.record(key, bucket, this.lastNow)
      },
    })
  }

  get share(): number {
    return this.currentShare
  }

  /**
   * Changes the slice of every limit (rounded down per limit: 10 at share 1/3 is 3, 1 at share 1/2
   * is 0). Counters keep the fraction of each limit already used.
   */
  setShare(share: number): void {
    if (!(share > 0 && share <= 1)) throw new RangeError(`share must be in (0, 1], got ${share}`)
    this.currentShare = share
    this.weight = 1 / share
  }

  acquire(ctx: RateLimitContext, estimate: TokenEstimate, enforce: boolean, nowMs: number): LimitDecision {
    const now = this.relative(nowMs)
    const { matched, rules, tally, weight, currentShare: share } = this
    let n = 0
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i]!
      if (rule.matches(ctx)) matched[n++] = this.shared[i] ?? this.bucketFor(rule, rule.keyOf(ctx))
    }
    if (n === 0) return UNLIMITED
    tally.waitMs = 0
    tally.denial = undefined
    for (let i = 0; i < n; i++) {
      const { rule, requestsTat, tokensTat, inflight } = matched[i]!
      if (rule.requests !== undefined) consider(tally, rule, 'requests', gcraWaitMs(requestsTat, now, rule.requests, weight))
      if (rule.tokens !== undefined) {
        // Too large only for the whole limit: one that fits the limit but not this share waits (retryable).
        // Nothing to reserve (a read) always fits, even while the counter is overdrawn.
        const cost = reservedTokens(rule, estimate.inputTokens, estimate.maxOutputTokens)
        if (cost > 0) consider(tally, rule, 'tokens', cost > rule.tokens.limit ? Infinity : gcraWaitMs(tokensTat, now, rule.tokens, cost * weight))
      }
      if (rule.concurrent > 0 && inflight >= sharedLimit(rule.concurrent, share)) consider(tally, rule, 'concurrent', CONCURRENT_RETRY_MS)
    }
    let lease: LimitLease = NO_LEASE
    if (tally.denial === undefined) {
      for (let i = 0; i < n; i++) {
        const bucket = matched[i]!
        const rule = bucket.rule
        if (rule.requests !== undefined) bucket.requestsTat = gcraCharge(bucket.requestsTat, now, rule.requests, weight)
        if (rule.tokens !== undefined) {
          const cost = reservedTokens(rule, estimate.inputTokens, estimate.maxOutputTokens)
          bucket.tokensTat = gcraCharge(bucket.tokensTat, now, rule.tokens, cost * weight)
        }
        if (rule.concurrent > 0) bucket.inflight++
      }
      // Every admitted request settles: a later gate's refusal gives its request charge back.
      lease = new LocalLease(matched.slice(0, n), estimate.inputTokens, estimate.maxOutputTokens, weight)
    }
    return finishDecision(tally, rules, counterStates(matched, n, now, share), enforce, lease)
  }

  settle(lease: LimitLease, actualTokens: number | undefined, nowMs: number, refund = false): void {
    if (!(lease instanceof LocalLease) || lease.settled) return
    lease.settled = true
    const now = this.relative(nowMs)
    for (const bucket of lease.buckets) {
      const rule = bucket.rule
      if (refund && rule.requests !== undefined) {
        const live = bucket.detached ? (this.cache.peek(bucket.key) ?? this.pinned.get(bucket.key)) : bucket
        if (live !== undefined) live.requestsTat = gcraCharge(live.requestsTat, now, rule.requests, -lease.weight)
      }
      if (rule.tokens !== undefined && actualTokens !== undefined) {
        const diff = actualTokens - reservedTokens(rule, lease.inputTokens, lease.maxOutputTokens)
        if (diff !== 0) this.correctTokens(bucket, rule.tokens, diff * lease.weight, now)
      }
      if (rule.concurrent > 0 && --bucket.inflight === 0 && this.pinned.get(bucket.key) === bucket) {
        this.pinned.delete(bucket.key)
        this.sketch.record(bucket.key, bucket, now)
      }
    }
  }

  stats(): LocalRateLimiterStats {
    return { keys: this.cache.size, pinned: this.pinned.size, sketchBytes: this.sketch.bytes }
  }

  private relative(nowMs: number): number {
    this.originMs ??= nowMs
    return (this.lastNow = nowMs - this.originMs)
  }

  private bucketFor(rule: CompiledRule, key: string): Bucket {
    let bucket = this.cache.get(key)
    if (bucket !== undefined) return bucket
    bucket = this.pinned.size === 0 ? undefined : this.pinned.get(key)
    if (bucket !== undefined) {
      this.pinned.delete(key)
      bucket.detached = false
    } else {
      bucket = new Bucket(rule, key)
      this.sketch.restore(key, bucket)
    }
    this.cache.set(key, bucket)
    return bucket
  }

  /** A correction for a counter evicted since acquire goes to its successor, or (if a charge) to the sketch. */
  private correctTokens(bucket: Bucket, rate: Rate, diff: number, now: number): void {
    const live = bucket.detached ? (this.cache.peek(bucket.key) ?? this.pinned.get(bucket.key)) : bucket
    if (live !== undefined) live.tokensTat = gcraCharge(live.tokensTat, now, rate, diff)
    else if (diff > 0) this.sketch.record(bucket.key, { requestsTat: -Infinity, tokensTat: gcraCharge(bucket.tokensTat, now, rate, diff) }, now)
  }
}
