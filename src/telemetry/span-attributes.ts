// What a request's trace spans say (docs/observability.md): the OpenTelemetry GenAI and HTTP
// semantic-convention attributes, plus Sluice's own under `sluice.*`. Plain data, no SDK, so the
// mapping is read and tested apart from the exporter. Values are ids from config or fixed tables,
// model ids the pipeline already checked, counts and codes: never a prompt, an answer or a secret.
import type { AttemptRecord, Outcome } from '../core/facts.js'
import type { TracedRequest } from '../core/tracing.js'
import { GEN_AI_PROVIDER, genAiOperation } from './gen-ai.js'

export type Attributes = Record<string, string | number | boolean>

export interface SpanPlan {
  readonly name: string
  readonly attributes: Attributes
  /** error.type when the request or attempt failed; the span's status is then ERROR. */
  readonly error: string | undefined
}

/** The request span: the client's call as Sluice handled it, named `{operation} {model}` as the GenAI conventions name client spans. */
export function requestSpan(request: TracedRequest, outcome: Outcome): SpanPlan {
  const facts = request.facts
  const attributes: Attributes = {
    'sluice.request_id': request.requestId,
    'sluice.route': request.route,
    'sluice.provider': request.provider,
    'sluice.decision': outcome.decision,
    'http.response.status_code': outcome.status,
  }
  let name = 'sluice request'
  if (facts !== undefined) {
    const operation = genAiOperation(facts.operation.name)
    const model = facts.context.model
    name = `${operation} ${model}`
    attributes['gen_ai.operation.name'] = operation
    // The first candidate's provider; the one that answered, below, when one did.
    attributes['gen_ai.provider.name'] = GEN_AI_PROVIDER[facts.mount.config.type]
    attributes['gen_ai.request.model'] = model
    attributes['http.request.method'] = facts.request.method
    attributes['sluice.operation'] = facts.operation.name
    attributes['sluice.stream'] = facts.operation.stream
    if (facts.client !== undefined) attributes['sluice.client'] = facts.client.id
  }
  const served = outcome.served
  if (served !== undefined) {
    attributes['gen_ai.provider.name'] = GEN_AI_PROVIDER[served.target.mount.config.type]
    attributes['sluice.served.target'] = served.target.id
    attributes['sluice.served.model'] = served.operation.model
    if (outcome.fallback === true) attributes['sluice.fallback'] = true
  }
  if (outcome.gate !== undefined) attributes['sluice.gate'] = outcome.gate
  if (outcome.attempts !== undefined) attributes['sluice.attempts'] = outcome.attempts
  const usage = outcome.usage
  if (usage !== undefined) {
    attributes['gen_ai.usage.input_tokens'] = usage.inputTokens
    attributes['gen_ai.usage.output_tokens'] = usage.outputTokens
    if (outcome.usageEstimated !== undefined) attributes['sluice.usage_estimated'] = outcome.usageEstimated
  }
  if (outcome.firstContentMs !== undefined) attributes['sluice.time_to_first_token_ms'] = round(outcome.firstContentMs)
  if (outcome.overheadMs !== undefined) attributes['sluice.overhead_ms'] = round(outcome.overheadMs)
  if (outcome.clientAborted) attributes['sluice.client_aborted'] = true
  const error = requestError(outcome)
  if (error !== undefined) attributes['error.type'] = error
  return { name, attributes, error }
}

/** error.type: Sluice's SLUICE_ERR_* code, the upstream's HTTP status for an error answer, or a stream cut midway. */
function requestError(outcome: Outcome): string | undefined {
  if (outcome.decision !== 'allow') return outcome.code
  if (outcome.upstreamBroken) return 'upstream_broken'
  if (outcome.status >= 400) return String(outcome.status)
  return undefined
}

/** One upstream attempt: a client span to the provider, with its own model and status. */
export function attemptSpan(record: AttemptRecord, index: number): SpanPlan {
  const { target, operation } = record.leg
  const gen = genAiOperation(operation.name)
  const attributes: Attributes = {
    'gen_ai.operation.name': gen,
    'gen_ai.provider.name': GEN_AI_PROVIDER[target.mount.config.type],
    'gen_ai.request.model': operation.model,
    'server.address': target.mount.origin.hostname,
    'sluice.target': target.id,
    'sluice.attempt': index + 1,
  }
  const port = target.mount.origin.port
  if (port !== '') attributes['server.port'] = Number(port)
  if (record.status !== 0) attributes['http.response.status_code'] = record.status
  const error = record.failure ?? (record.status >= 400 ? String(record.status) : undefined)
  if (error !== undefined) attributes['error.type'] = error
  return { name: `${gen} ${operation.model}`, attributes, error }
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000
