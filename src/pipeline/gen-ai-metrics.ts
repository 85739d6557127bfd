// The OpenTelemetry GenAI semantic conventions' client metrics (gen_ai.client.token.usage,
// gen_ai.client.operation.duration) in Prometheus form, beside the sluice_* series, so GenAI
// dashboards built on the conventions read Sluice as they read an instrumented SDK. Recorded for
// calls an upstream answered; Sluice's own refusals are no GenAI operation (sluice_requests_total
// counts them). Every label is bounded: the provider and operation come from two fixed tables
// (telemetry/gen-ai.ts), the
// model is the canonical id decisions use (or the virtual model's name from config), capped per
// provider like sluice_tokens_total.
import { boundedModel, cachedLabels, metrics } from '../core/metrics.js'
import type { Outcome } from '../core/facts.js'
import { GEN_AI_PROVIDER, genAiOperation } from '../telemetry/gen-ai.js'

const tokenUsage = cachedLabels(metrics.genAiTokenUsage)
const operationDuration = cachedLabels(metrics.genAiOperationDuration)

/** `requestModel`: facts.context.model (canonical id, or the virtual model's name). */
export function recordGenAi(outcome: Outcome, requestModel: string, durationMs: number): void {
  const served = outcome.served
  if (served === undefined) return
  const provider = GEN_AI_PROVIDER[served.target.mount.config.type]
  const operation = genAiOperation(served.operation.name)
  const model = boundedModel(provider, requestModel)
  const ok = outcome.status >= 200 && outcome.status < 300 && !outcome.upstreamBroken
  operationDuration(operation, provider, model, ok ? '' : outcome.upstreamBroken ? 'upstream_broken' : outcome.code).observe(durationMs / 1000)
  const usage = outcome.usage
  if (usage === undefined) return
  tokenUsage(operation, provider, model, 'input').observe(usage.inputTokens)
  tokenUsage(operation, provider, model, 'output').observe(usage.outputTokens)
}
