// GCRA, the Generic Cell Rate Algorithm (ITU-T I.371; as in Brandur's "Rate limiting, Cells and
// GCRA" and redis-cell). A counter is one number, the theoretical arrival time (TAT): the moment
// the counter will be full again. Admitting `cost` units moves TAT by cost × interval; the request
// fits if TAT then lies at most one window ahead of now. One number per limit makes an atomic
// check-and-charge trivial (in-process or in one Lua script); a burst is at most `limit`, after
// which capacity refills evenly (docs/rate-limits.md, Algorithm).
// redis-scripts.ts mirrors these functions in Lua (with TAT split into anchor + offset); keep
// them in step.
import type { Rate } from './rules.js'

/** Slack for float rounding in TAT sums: a request may fit at most 1 µs early. */
export const EPS_MS = 1e-3

/** Milliseconds until `cost` units fit; 0 when they fit now. */
export function gcraWaitMs(tatMs: number, nowMs: number, rate: Rate, cost: number): number {
  const wait = Math.max(tatMs, nowMs) + cost * rate.intervalMs - rate.windowMs - nowMs
  return wait > EPS_MS ? wait : 0
}

/** The TAT after charging `cost` units (negative `cost` refunds; a refund never goes below now). */
export function gcraCharge(tatMs: number, nowMs: number, rate: Rate, cost: number): number {
  return Math.max(Math.max(tatMs, nowMs) + cost * rate.intervalMs, nowMs)
}

/**
 * Units that would be admitted now. With `share` < 1 (the Redis fallback's slice of a fleet-wide
 * limit) each unit costs 1 / share of the limit's units, so the answer is that slice of it.
 */
export function gcraRemaining(tatMs: number, nowMs: number, rate: Rate, share = 1): number {
  const free = ((rate.windowMs - Math.max(0, tatMs - nowMs)) / rate.intervalMs) * share
  return Math.min(sharedLimit(rate.limit, share), Math.max(0, Math.floor(free + 1e-6)))
}

/**
 * The part of `limit` a replica holding `share` of it may use: rounded down, so the parts of a
 * fleet never add up to more than the limit (0 when the limit is smaller than the replica count).
 */
export function sharedLimit(limit: number, share: number): number {
  return share === 1 ? limit : Math.floor(limit * share + 1e-9)
}

/** Whole milliseconds until the counter is full again (rounding noise below 1 ns ignored). */
export function gcraResetMs(tatMs: number, nowMs: number): number {
  return Math.max(0, Math.ceil(tatMs - nowMs - 1e-6))
}
