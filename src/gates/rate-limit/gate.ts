// Gate 5 (docs/lifecycle.md, docs/rate-limits.md): rate limits. Enforced when flag `ai.ratelimit.enforce` is on; otherwise
// monitored (counted, `x-sluice-would-block`, never blocking). Tokens are reserved from the body
// size and `max_tokens` and corrected when the request ends, however it ends.
// Fail mode: closed by default; an unreachable Redis is handled first by `rateLimits.redis.fallback`.
import { PASS, type Verdict } from '../../core/decision.js'
import type { Outcome, RequestFacts } from '../../core/facts.js'
import type { GateCheck, GateModule } from '../../core/gate.js'
import { countedLabels, metrics } from '../../core/metrics.js'
import { writeRateLimitHeaders } from './headers.js'
import type { LimitDecision, LimitLease, RateLimiter } from './types.js'

export const RATELIMIT_ENFORCE_FLAG = 'ai.ratelimit.enforce'

const decisions = countedLabels(metrics.rateLimitDecisions)
const READ_ESTIMATE = { inputTokens: 0, maxOutputTokens: 0 }

export interface RateLimitInputs {
  /** Undefined when no rule is configured. */
  readonly rateLimiter: RateLimiter | undefined
}

/** Tokens the request actually used: its usage, nothing if it never reached a model, else unknown (keep the reservation). */
function tokensOf(outcome: Outcome): number | undefined {
  if (outcome.usage !== undefined) return outcome.usage.inputTokens + outcome.usage.outputTokens
  if (outcome.served?.operation.read === true) return 0
  return outcome.decision !== 'allow' || outcome.status >= 400 ? 0 : undefined
}

function verdict(facts: RequestFacts, decision: LimitDecision): Verdict<LimitLease> {
  const hold = decision.lease.backend === 'none' ? undefined : decision.lease
  if (decision.limits.length > 0 || decision.deniedBy !== undefined) writeRateLimitHeaders(decision, (facts.responseHeaders ??= {}))
  const denied = decision.deniedBy
  if (denied === undefined || decision.allowed) {
    decisions(denied === undefined ? 'allowed' : 'would_block').inc()
    return hold === undefined ? PASS : { kind: 'pass', hold }
  }
  decisions('denied').inc()
  const detail = `Rule ${denied.rule} (${denied.kind}).`
  if (denied.tooLarge) return { kind: 'deny', code: 'SLUICE_ERR_RATE_LIMIT_TOO_LARGE', detail, hold }
  return { kind: 'deny', code: 'SLUICE_ERR_RATE_LIMITED', detail, retryAfterSeconds: decision.retryAfterSeconds, hold }
}

export const rateLimitGate: GateModule<RateLimitInputs> = {
  name: 'rateLimits',
  failMode: 'closed',
  build({ rateLimiter: limiter }): GateCheck<LimitLease> | undefined {
    if (limiter === undefined) return undefined
    return {
      check(facts, view) {
        const enforce = view.flag(RATELIMIT_ENFORCE_FLAG, false, facts.context)
        // ~4 bytes per token is the usual rule of thumb for the prompt; max_tokens bounds the answer.
        // A read (a model list or lookup) uses no tokens: it counts as a request and a concurrency
        // slot, and a token limit neither charges nor refuses it (docs/rate-limits.md).
        const estimate = facts.operation.read === true ? READ_ESTIMATE : { inputTokens: Math.ceil(facts.request.body.length / 4), maxOutputTokens: facts.operation.maxTokens }
        const decision = limiter.acquire(facts.context, estimate, enforce, Date.now())
        return decision instanceof Promise ? decision.then((d) => verdict(facts, d)) : verdict(facts, decision)
      },
      settle(lease, outcome) {
        // Refused by a later gate (this one admitted it): nothing reached a model, so no quota is used.
        const refund = outcome.gate !== undefined && outcome.gate !== rateLimitGate.name
        const settled = limiter.settle(lease, tokensOf(outcome), Date.now(), refund)
        // The Redis limiter reports its own settle failures (onSettleError); never leave a rejection unhandled.
        if (settled instanceof Promise) settled.catch(() => undefined)
      },
    }
  },
}
