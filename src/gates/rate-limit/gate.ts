// Gate 5 (SPEC §5, §8): rate limits. Enforced when flag `ai.ratelimit.enforce` is on; otherwise
// monitored (counted, `x-sluice-would-block`, never blocking). Tokens are reserved from the body
// size and `max_tokens` and corrected when the request ends, however it ends.
import { booleanFlag } from '../flag-eval.js'
import type { Denial, Gate } from '../gate.js'
import { metrics } from '../../metrics.js'
import { addLease, type Outcome, type RequestFacts } from '../../pipeline/facts.js'
import { writeRateLimitHeaders } from './headers.js'
import type { Decision, RateLimiter } from './types.js'

export const RATELIMIT_ENFORCE_FLAG = 'ai.ratelimit.enforce'

/** Tokens the request actually used: its usage, nothing if it never reached a model, else unknown (keep the reservation). */
function tokensOf(outcome: Outcome): number | undefined {
  if (outcome.usage !== undefined) return outcome.usage.inputTokens + outcome.usage.outputTokens
  return outcome.decision !== 'allow' || outcome.status >= 400 ? 0 : undefined
}

function apply(facts: RequestFacts, limiter: RateLimiter, decision: Decision): Denial | undefined {
  if (decision.lease.backend !== 'none') {
    const { lease } = decision
    addLease(facts, {
      settle(outcome) {
        const settled = limiter.settle(lease, tokensOf(outcome), Date.now())
        // The Redis limiter reports its own settle failures (onSettleError); never leave a rejection unhandled.
        if (settled instanceof Promise) settled.catch(() => undefined)
      },
    })
  }
  if (decision.limits.length > 0 || decision.deniedBy !== undefined) writeRateLimitHeaders(decision, (facts.responseHeaders ??= {}))
  const denied = decision.deniedBy
  if (denied === undefined) {
    metrics.rateLimitDecisions.labels('allowed').inc()
    return undefined
  }
  if (decision.allowed) {
    metrics.rateLimitDecisions.labels('would_block').inc()
    return undefined
  }
  metrics.rateLimitDecisions.labels('denied').inc()
  const detail = `Rule ${denied.rule} (${denied.kind}).`
  if (denied.tooLarge) return { code: 'SLUICE_ERR_RATE_LIMIT_TOO_LARGE', detail }
  return { code: 'SLUICE_ERR_RATE_LIMITED', detail, retryAfterSeconds: decision.retryAfterSeconds }
}

export const rateLimitGate: Gate = {
  name: 'rateLimits',
  check(facts, snapshot) {
    const limiter = snapshot.rateLimiter
    if (limiter === undefined) return undefined
    const enforce = booleanFlag(snapshot.flags, RATELIMIT_ENFORCE_FLAG, false, facts.context)
    // ~4 bytes per token is the usual rule of thumb for the prompt; max_tokens bounds the answer.
    const estimate = { inputTokens: Math.ceil(facts.request.body.length / 4), maxOutputTokens: facts.operation.maxTokens }
    const decision = limiter.acquire(facts.context, estimate, enforce, Date.now())
    return decision instanceof Promise ? decision.then((d) => apply(facts, limiter, d)) : apply(facts, limiter, decision)
  },
}
