// Turning counter state into a Decision, shared by the local and Redis limiters.
import { gcraRemaining, gcraResetMs, sharedLimit } from './gcra.js'
import type { CompiledRule, Rate } from './rules.js'
import type { LimitDecision, LimitDenial, LimitKind, LimitState, LimitLease } from './types.js'

/** The worst denial seen so far while checking the matching rules of one request. */
export interface RuleTally {
  /** Longest wait in ms; Infinity when a reservation is too large ever to fit. */
  waitMs: number
  denial: LimitDenial | undefined
}

/** Keeps the denial with the longest wait. A wait of 0 means the limit admits the request. */
export function consider(tally: RuleTally, rule: CompiledRule, kind: LimitKind, waitMs: number): void {
  if (waitMs <= 0 || (tally.denial !== undefined && waitMs <= tally.waitMs)) return
  tally.waitMs = waitMs
  tally.denial = { rule: rule.name, kind, tooLarge: waitMs === Infinity }
}

/** `share` < 1: the state of the local fallback's slice of the limit (LocalRateLimiter.setShare). */
export function rateState(rule: CompiledRule, kind: 'requests' | 'tokens', rate: Rate, remaining: number, resetMs: number, share = 1): LimitState {
  return { rule: rule.name, kind, limit: sharedLimit(rate.limit, share), remaining, resetMs, windowSeconds: rate.windowSeconds }
}

export function concurrentState(rule: CompiledRule, inflight: number, share = 1): LimitState {
  const limit = sharedLimit(rule.concurrent, share)
  return { rule: rule.name, kind: 'concurrent', limit, remaining: Math.max(0, limit - inflight), resetMs: 0, windowSeconds: 0 }
}

/** A counter as the local limiter holds it (TATs in its relative ms). */
export interface CounterView {
  readonly rule: CompiledRule
  readonly requestsTat: number
  readonly tokensTat: number
  readonly inflight: number
}

export function counterStates(counters: readonly CounterView[], n: number, now: number, share = 1): LimitState[] {
  const limits: LimitState[] = []
  for (let i = 0; i < n; i++) {
    const { rule, requestsTat, tokensTat, inflight } = counters[i]!
    if (rule.requests !== undefined) {
      limits.push(rateState(rule, 'requests', rule.requests, gcraRemaining(requestsTat, now, rule.requests, share), gcraResetMs(requestsTat, now), share))
    }
    if (rule.tokens !== undefined) {
      limits.push(rateState(rule, 'tokens', rule.tokens, gcraRemaining(tokensTat, now, rule.tokens, share), gcraResetMs(tokensTat, now), share))
    }
    if (rule.concurrent > 0) limits.push(concurrentState(rule, inflight, share))
  }
  return limits
}

/**
 * Assembles the Decision. A reservation too large ever to fit is told to wait one token window:
 * the pipeline should answer it as non-retryable (deniedBy.tooLarge), so the hint is rarely seen.
 */
export function finishDecision(tally: RuleTally, rules: readonly CompiledRule[], limits: readonly LimitState[], enforce: boolean, lease: LimitLease): LimitDecision {
  const { denial, waitMs } = tally
  let retryAfterSeconds = 0
  if (denial !== undefined) {
    const ms = denial.tooLarge ? (rules.find((r) => r.name === denial.rule)?.tokens?.windowMs ?? 1000) : waitMs
    retryAfterSeconds = Math.max(1, Math.ceil(ms / 1000))
  }
  return { allowed: denial === undefined || !enforce, wouldBlock: denial !== undefined, retryAfterSeconds, deniedBy: denial, limits, lease }
}
