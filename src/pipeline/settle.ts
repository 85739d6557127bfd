// Settle: the last step of every request, forwarded or refused, streamed or aborted. Feeds metrics
// and writes the decision record.
import { boundedModel, cachedLabels, countedLabels, metrics } from '../core/metrics.js'
import type { GuardrailState, Outcome, RequestFacts } from '../core/facts.js'
import type { Candidate } from '../core/plan.js'
import type { Credit } from '../core/target.js'
import { EXPERIMENT_HEADER, ROLLOUT_ARM_HEADER, ROLLOUT_HEADER, VARIANT_HEADER } from '../steering/plan.js'
import { ARM_HEADER, BANDIT_HEADER, PICK_HEADER } from '../steering/bandit/router.js'
import { recordGenAi } from './gen-ai-metrics.js'

export interface SettleTarget {
  readonly requestId: string
  readonly arrivedAt: number
  readonly provider: string
  readonly model: string
  readonly route: string
  readonly facts: RequestFacts | undefined
  /** The steering decision's response tags (experiment and variant), if it made any. */
  readonly tags: Readonly<Record<string, string>> | undefined
  /** The route plan's arm to credit. */
  readonly credit: Credit | undefined
  /**
   * The plan's first candidate: only its own answer is the arm's success, told apart from a
   * fallback's by target and native model (two models may share a provider-wide target).
   */
  readonly creditHead: Candidate | undefined
}

// Label children looked up once per label values, not per request (core/metrics.ts).
const requests = countedLabels(metrics.requests)
const requestDuration = cachedLabels(metrics.requestDuration)
const overhead = cachedLabels(metrics.overhead)
const upstreamDuration = cachedLabels(metrics.upstreamDuration)
const timeToFirstToken = cachedLabels(metrics.timeToFirstToken)
const upstreamFirstByte = cachedLabels(metrics.upstreamFirstByte)
const tokens = countedLabels(metrics.tokens)
const usageEstimated = countedLabels(metrics.usageEstimated)

/** `decisions` is undefined when `log.decisions` is off. */
export function settle(decisions: DecisionSink | undefined, target: SettleTarget, outcome: Outcome): void {
  const durationMs = performance.now() - target.arrivedAt
  const { provider, route } = target
  const model = boundedModel(provider, target.model)
  // `code` is an upstream answer's status or Sluice's SLUICE_ERR_* code (core/facts.ts): the label
  // pair keeps them apart, `code="none"` for any answer Sluice did not make itself.
  const own = outcome.code.startsWith('SLUICE_ERR_')
  requests(provider, model, route, outcome.decision, own ? String(outcome.status) : outcome.code, own ? outcome.code : 'none').inc()
  requestDuration(provider, outcome.decision).observe(durationMs / 1000)
  if (outcome.overheadMs !== undefined) overhead(provider).observe(outcome.overheadMs / 1000)
  if (outcome.upstreamMs !== undefined) upstreamDuration(provider).observe(outcome.upstreamMs / 1000)
  if (outcome.ttftMs !== undefined) upstreamFirstByte(provider, model).observe(outcome.ttftMs / 1000)
  if (outcome.firstContentMs !== undefined) timeToFirstToken(provider, model).observe(outcome.firstContentMs / 1000)
  recordGenAi(outcome, target.facts?.context.model ?? target.model, durationMs)
  const usage = outcome.usage
  if (usage !== undefined) {
    if (usage.inputTokens > 0) tokens(provider, model, 'input').inc(usage.inputTokens)
    if (usage.outputTokens > 0) tokens(provider, model, 'output').inc(usage.outputTokens)
    if (usage.cachedTokens > 0) tokens(provider, model, 'cached').inc(usage.cachedTokens)
    if (usage.reasoningTokens > 0) tokens(provider, model, 'reasoning').inc(usage.reasoningTokens)
    if (outcome.usageEstimated !== undefined) usageEstimated(provider, model, outcome.usageEstimated).inc()
  }
  if (target.credit !== undefined) creditArm(target, target.credit, outcome, durationMs)
  if (decisions === undefined) return
  decisions(decisionFields(target, outcome, durationMs))
}

function creditArm(target: SettleTarget, credit: Credit, outcome: Outcome, durationMs: number): void {
  const served = outcome.served
  const ok =
    served !== undefined &&
    served.target === target.creditHead?.target &&
    served.operation.model === target.creditHead.model &&
    outcome.status >= 200 &&
    outcome.status < 300 &&
    !outcome.upstreamBroken &&
    !outcome.clientAborted
  credit.settle({
    user: target.facts?.context.targetingKey ?? '',
    ok,
    durationMs,
    ttftMs: outcome.ttftMs,
    usage: outcome.usage,
    served: served?.target,
    model: served?.operation.model,
    clientAborted: outcome.clientAborted,
  })
}

/**
 * The decision record's members as JSON text, without braces (the sink adds level, time, the
 * logger's bindings and the message). Built field by field in a fixed order, absent fields left
 * out, as pino would serialise the same object: a generic serialiser walking a 20-key object per
 * request cost more than the rest of settle.
 */
export function decisionFields(target: SettleTarget, outcome: Outcome, durationMs: number): string {
  const facts = target.facts
  const context = facts?.context
  let out = `"requestId":${str(target.requestId)},"provider":${str(target.provider)},"model":${str(target.model)},"route":${str(target.route)}`
  const operation = outcome.served?.operation ?? facts?.operation
  if (operation !== undefined) out += `,"operation":${str(operation.name)}`
  if (facts !== undefined) out += `,"stream":${facts.operation.stream ? 'true' : 'false'}`
  if (context !== undefined) {
    if (context.client !== undefined) out += `,"client":${str(context.client)}`
    if (context.tenant !== undefined) out += `,"tenant":${str(context.tenant)}`
    if (context.targetingKey !== undefined) out += `,"user":${str(context.targetingKey)}`
  }
  if (outcome.gate !== undefined) out += `,"deniedBy":${str(outcome.gate)}`
  const tags = target.tags
  if (tags !== undefined) {
    const experiment = tags[EXPERIMENT_HEADER]
    if (experiment !== undefined) out += `,"experiment":${str(experiment)},"variant":${str(tags[VARIANT_HEADER] ?? '')}`
    const rollout = tags[ROLLOUT_HEADER]
    if (rollout !== undefined) out += `,"rollout":${str(rollout)},"rolloutArm":${str(tags[ROLLOUT_ARM_HEADER] ?? '')}`
    const arm = tags[ARM_HEADER]
    if (arm !== undefined) {
      out += `,"bandit":${str(tags[BANDIT_HEADER] ?? '')},"arm":${str(arm)}`
      const pick = tags[PICK_HEADER]
      if (pick !== undefined) out += `,"banditPick":${str(pick)}`
    }
  }
  out += `,"decision":${str(outcome.decision)},"code":${str(outcome.code)},"status":${num(outcome.status)},"durationMs":${num(round(durationMs))}`
  if (outcome.overheadMs !== undefined) out += `,"overheadMs":${num(round(outcome.overheadMs))}`
  if (outcome.ttftMs !== undefined) out += `,"ttftMs":${num(round(outcome.ttftMs))}`
  const usage = outcome.usage
  if (usage !== undefined) {
    out += `,"usage":{"inputTokens":${num(usage.inputTokens)},"outputTokens":${num(usage.outputTokens)},"cachedTokens":${num(usage.cachedTokens)},"reasoningTokens":${num(usage.reasoningTokens)}}`
    // Sluice's estimate, not the provider's count (docs/usage.md), and why.
    if (outcome.usageEstimated !== undefined) out += `,"usageEstimated":${str(outcome.usageEstimated)}`
  }
  if (outcome.attempts !== undefined && outcome.attempts > 1) out += `,"attempts":${num(outcome.attempts)}`
  if (outcome.served !== undefined) out += `,"target":${str(outcome.served.target.id)}`
  if (outcome.fallback === true) out += ',"fallback":true'
  // Detectors, categories and offsets only: the matched text is never recorded.
  const guardrails = facts?.guardrails
  if (guardrails !== undefined) out += guardrails.events.length === 0 ? NOTHING_FOUND[guardrails.mode] : `,"guardrails":${JSON.stringify(guardrails)}`
  if (outcome.clientAborted) out += ',"clientAborted":true'
  if (outcome.upstreamBroken) out += ',"upstreamBroken":true'
  return out
}

/** The guardrails field of most records (JSON.stringify's text for them), made once rather than per request. */
const NOTHING_FOUND: Readonly<Record<GuardrailState['mode'], string>> = {
  'log-only': `,"guardrails":${JSON.stringify({ mode: 'log-only', events: [] })}`,
  block: `,"guardrails":${JSON.stringify({ mode: 'block', events: [] })}`,
}

/** A decision record sink: receives `decisionFields`' text (log.ts `decisionSink` writes it as a log line). */
export type DecisionSink = (fields: string) => void

const str = (value: string): string => JSON.stringify(value)
/** JSON has no NaN or Infinity; JSON.stringify (and pino) write null for them. */
const num = (value: number): string => (Number.isFinite(value) ? String(value) : 'null')

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000
}
