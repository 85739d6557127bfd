// Settle: the last step of every request, forwarded or refused, streamed or aborted. Feeds metrics
// and writes the decision record.
import type { Logger } from 'pino'
import { boundedModel, cachedLabels, metrics } from '../core/metrics.js'
import type { Outcome, RequestFacts } from '../core/facts.js'

export interface SettleTarget {
  readonly requestId: string
  readonly arrivedAt: number
  readonly provider: string
  readonly model: string
  readonly route: string
  readonly facts: RequestFacts | undefined
}

// Label children looked up once per label values, not per request (core/metrics.ts).
const requests = cachedLabels(metrics.requests)
const requestDuration = cachedLabels(metrics.requestDuration)
const overhead = cachedLabels(metrics.overhead)
const upstreamDuration = cachedLabels(metrics.upstreamDuration)
const timeToFirstToken = cachedLabels(metrics.timeToFirstToken)
const tokens = cachedLabels(metrics.tokens)

/** `decisions` is undefined when `log.decisions` is off. */
export function settle(decisions: Logger | undefined, target: SettleTarget, outcome: Outcome): void {
  const durationMs = performance.now() - target.arrivedAt
  const { provider, route } = target
  const model = boundedModel(provider, target.model)
  requests(provider, model, route, outcome.decision, outcome.code).inc()
  requestDuration(provider, outcome.decision).observe(durationMs / 1000)
  if (outcome.overheadMs !== undefined) overhead(provider).observe(outcome.overheadMs / 1000)
  if (outcome.upstreamMs !== undefined) upstreamDuration(provider).observe(outcome.upstreamMs / 1000)
  if (outcome.ttftMs !== undefined) timeToFirstToken(provider, model).observe(outcome.ttftMs / 1000)
  const usage = outcome.usage
  if (usage !== undefined) {
    if (usage.inputTokens > 0) tokens(provider, model, 'input').inc(usage.inputTokens)
    if (usage.outputTokens > 0) tokens(provider, model, 'output').inc(usage.outputTokens)
    if (usage.cachedTokens > 0) tokens(provider, model, 'cached').inc(usage.cachedTokens)
    if (usage.reasoningTokens > 0) tokens(provider, model, 'reasoning').inc(usage.reasoningTokens)
  }
  if (decisions === undefined) return
  const context = target.facts?.context
  decisions.info(
    {
      requestId: target.requestId,
      provider,
      model: target.model,
      route,
      operation: (outcome.served?.operation ?? target.facts?.operation)?.name,
      stream: target.facts?.operation.stream,
      client: context?.client,
      tenant: context?.tenant,
      user: context?.targetingKey,
      deniedBy: outcome.gate,
      decision: outcome.decision,
      code: outcome.code,
      status: outcome.status,
      durationMs: round(durationMs),
      overheadMs: outcome.overheadMs === undefined ? undefined : round(outcome.overheadMs),
      ttftMs: outcome.ttftMs === undefined ? undefined : round(outcome.ttftMs),
      usage,
      attempts: outcome.attempts !== undefined && outcome.attempts > 1 ? outcome.attempts : undefined,
      target: outcome.served?.target.id,
      fallback: outcome.fallback || undefined,
      clientAborted: outcome.clientAborted || undefined,
      upstreamBroken: outcome.upstreamBroken || undefined,
    },
    'decision',
  )
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000
}
