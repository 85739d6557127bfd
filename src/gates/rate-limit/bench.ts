// Microbenchmark of the local limiter's hot path, acquire + settle, for bench/ to call
// (target: ≤ 10 µs p50 per gate in-process). Each sample times a batch and divides, since one call
// is near the timer's resolution; p50/p99 are over batches.
import { LocalRateLimiter } from './local.js'
import { rateLimitsConfig } from './schema.js'
import type { RateLimitContext } from './types.js'

export interface LocalBenchResult {
  readonly p50Us: number
  readonly p99Us: number
  /** Share of the measured requests the limits admitted. */
  readonly allowedShare: number
  readonly keys: number
}

/** A typical rule set: per user (requests + tokens), per tenant (concurrency), per model (tokens). */
const RULES = [
  { name: 'per-user', key: ['tenant', 'user'], requests: { limit: 600, windowSeconds: 60 }, tokens: { limit: 200_000, windowSeconds: 60 } },
  { name: 'per-tenant', key: ['tenant'], match: { tenant: '*' }, concurrent: 64 },
  { name: 'per-model', key: ['model'], match: { provider: 'openai' }, tokens: { limit: 50_000_000, windowSeconds: 60 } },
]

export function benchLocal(options: { users?: number; batch?: number; batches?: number } = {}): LocalBenchResult {
  const { users = 10_000, batch = 100, batches = 5_000 } = options
  const limiter = new LocalRateLimiter(rateLimitsConfig({ rules: RULES }))
  // Contexts are built up front: the pipeline hands the limiter the context it already has.
  const contexts: RateLimitContext[] = Array.from({ length: users }, (_, i) => ({
    client: 'app',
    tenant: `tenant-${i % 50}`,
    targetingKey: `user-${i}`,
    route: 'openai',
    provider: 'openai',
    model: i % 2 === 0 ? 'gpt-4o-mini' : 'gpt-4o',
  }))
  const estimate = { inputTokens: 120, maxOutputTokens: 256 }
  let nowMs = Date.now()
  let next = 0
  let allowed = 0
  const one = (): void => {
    const decision = limiter.acquire(contexts[next++ % users]!, estimate, true, nowMs)
    if (decision.allowed) allowed++
    limiter.settle(decision.lease, 180, nowMs)
    nowMs += 0.01
  }
  for (let i = 0; i < 50_000; i++) one()
  allowed = 0
  const perCallUs: number[] = []
  for (let b = 0; b < batches; b++) {
    const start = performance.now()
    for (let i = 0; i < batch; i++) one()
    perCallUs.push(((performance.now() - start) * 1000) / batch)
  }
  perCallUs.sort((x, y) => x - y)
  const at = (q: number): number => perCallUs[Math.floor(q * (perCallUs.length - 1))]!
  return { p50Us: at(0.5), p99Us: at(0.99), allowedShare: allowed / (batch * batches), keys: limiter.stats().keys }
}
