// How many replicas share the Redis limits, as seen through Redis itself (docs/rate-limits.md,
// Fail mode): each replica's limiter beats a heartbeat into one sorted set every HEARTBEAT_MS,
// scored by when it lapses (REPLICA_TTL_MS later, on the Redis clock), and reads how many have
// not lapsed. The local fallback holds 1 / that count of each limit, so the shares of a fleet
// that loses Redis add up to at most the limit.
// Conservative on purpose: a replica that stops beating still counts until its entry lapses, a
// lower count is believed only once it has held for REPLICA_TTL_MS (a flushed or restarted Redis
// does not shrink the count for a moment), and during an outage the last count holds.
import { randomBytes } from 'node:crypto'
import type { Redis } from 'ioredis'
import { runScript, script } from './redis.js'
import { HEARTBEAT } from './redis-scripts.js'

export const HEARTBEAT_MS = 1000
export const REPLICA_TTL_MS = 10_000

const HEARTBEAT_SCRIPT = script(HEARTBEAT)

/** What the failover limiter reads: undefined until a heartbeat has been answered. */
export interface ReplicaCount {
  readonly count: number | undefined
}

export interface ReplicaRegistryOptions {
  readonly heartbeatMs?: number
  readonly ttlMs?: number
  /** Time for the lower-count rule (tests); the registry itself uses the Redis clock. */
  readonly now?: () => number
}

export class ReplicaRegistry implements ReplicaCount {
  /** Unique per limiter, so two replicas (or two limiters in one process) never share an entry. */
  readonly id = randomBytes(6).toString('base64url')
  private readonly key: string
  private readonly heartbeatMs: number
  private readonly ttlMs: number
  private readonly now: () => number
  private seen: number | undefined
  private seenSinceMs = 0
  private timer: NodeJS.Timeout | undefined
  private beating = false

  constructor(
    private readonly client: Redis,
    keyPrefix: string,
    options: ReplicaRegistryOptions = {},
  ) {
    // '@' cannot start a rule name, so this key never meets a counter's.
    this.key = `${keyPrefix}@replicas`
    this.heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS
    this.ttlMs = options.ttlMs ?? REPLICA_TTL_MS
    this.now = options.now ?? Date.now
  }

  get count(): number | undefined {
    return this.seen
  }

  /** Beats now (if connected), on every reconnect and every heartbeatMs, until stop() or the connection ends. */
  start(): this {
    if (this.timer !== undefined) return this
    this.timer = setInterval(() => void this.beat(), this.heartbeatMs)
    this.timer.unref()
    this.client.on('ready', this.onReady)
    this.client.once('end', this.stop)
    void this.beat()
    return this
  }

  readonly stop = (): void => {
    clearInterval(this.timer)
    this.timer = undefined
    this.client.off('ready', this.onReady)
    this.client.off('end', this.stop)
  }

  /** One heartbeat; resolves to the count now believed. Failures keep the last count. */
  async beat(): Promise<number | undefined> {
    if (this.client.status === 'end') this.stop()
    if (this.beating || this.client.status !== 'ready') return this.seen
    this.beating = true
    try {
      this.observe(Number(await runScript(this.client, HEARTBEAT_SCRIPT, [this.key], [this.id, this.ttlMs])))
    } catch {
      // Redis is slow or gone: the last count stands (the limiter reports Redis failures itself).
    } finally {
      this.beating = false
    }
    return this.seen
  }

  private readonly onReady = (): void => void this.beat()

  private observe(count: number): void {
    if (!Number.isFinite(count)) return
    const now = this.now()
    const n = Math.max(1, Math.floor(count))
    if (this.seen === undefined || n >= this.seen) {
      this.seen = n
      this.seenSinceMs = now
    } else if (now - this.seenSinceMs >= this.ttlMs) {
      // Lower for a whole TTL: the missing replicas are gone, not just late.
      this.seen = n
      this.seenSinceMs = now
    }
  }
}
