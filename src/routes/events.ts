// `POST /v1/events` on the data plane (docs/experiments.md "Application metrics"): applications
// report their own outcomes — a thumbs-up, a conversion, a handling time — for users in an
// experiment, one event or a batch, behind the unified endpoint's client auth. An event is
// credited to the variant its user was first exposed to (on any replica: the outcome store
// remembers), so it is rejected, counted and explained when the experiment or metric is unknown,
// the user was never assigned, or the value does not fit the metric. Not AI traffic: no gates,
// no decision record. Errors are the OpenAI dialect's, like the rest of the unified endpoint.
// A bandit's quality feedback comes the same way: `{feedback: <x-sluice-feedback token>, value}`.
import { randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import { authenticate } from '../auth/client-auth.js'
import type { ClientChannel, DataPlaneRequest } from '../core/channel.js'
import { errors, sluiceError, type ErrorCode } from '../core/errors.js'
import { metrics } from '../core/metrics.js'
import { readBody, TOO_LARGE } from '../pipeline/body.js'
import type { Snapshot } from '../pipeline/snapshot.js'
import { DEFAULT_REGION } from '../providers/bedrock-auth.js'
import { adapters } from '../providers/index.js'
import type { InFlight } from '../server/in-flight.js'
import { sendError } from '../upstream/channel.js'

export const EVENTS_PATH = '/v1/events'
/** Events per request. */
export const MAX_EVENTS = 1000

export interface EventsDeps {
  readonly logger: Logger
  readonly inFlight: InFlight
}

interface Rejection {
  readonly index: number
  readonly code: ErrorCode
  readonly detail: string
}

type Checked = { ok: true; experiment: string; user: string; metric: string; value: number } | { ok: false; code: ErrorCode; detail: string; experiment: string }

export function handleEvents(deps: EventsDeps, snapshot: Snapshot, req: DataPlaneRequest, channel: ClientChannel): void {
  const requestId = randomUUID()
  deps.inFlight.enter()
  channel.onClose(() => deps.inFlight.leave())
  serve(snapshot, req, channel, requestId).catch((err: unknown) => {
    deps.logger.error({ err, requestId }, 'events request failed')
    if (channel.started) channel.fail()
    else sendError(channel, adapters.openai, sluiceError('SLUICE_ERR_INTERNAL', requestId), 'error')
  })
}

async function serve(snapshot: Snapshot, req: DataPlaneRequest, channel: ClientChannel, requestId: string): Promise<void> {
  const fail = (code: ErrorCode, detail?: string): void => sendError(channel, adapters.openai, sluiceError(code, requestId, detail), 'deny')
  if (req.method !== 'POST') return fail('SLUICE_ERR_METHOD_NOT_ALLOWED', `Events take POST (got ${req.method ?? '?'}).`)
  let body: Buffer | typeof TOO_LARGE
  try {
    body = await readBody(req, snapshot.config.server.maxBodyBytes)
  } catch {
    return // the client went away mid-upload
  }
  if (body === TOO_LARGE) return fail('SLUICE_ERR_REQUEST_TOO_LARGE', `Limit: ${snapshot.config.server.maxBodyBytes} bytes.`)
  const request = { method: 'POST', path: EVENTS_PATH, query: '', headers: req.headers, body }
  let auth = authenticate(snapshot, snapshot.config.unified.auth, adapters.openai, request, EVENTS_PATH, DEFAULT_REGION)
  if (auth instanceof Promise) auth = await auth
  if (!auth.ok) return fail(auth.code, auth.detail === '' ? undefined : auth.detail)

  let parsed: unknown
  try {
    parsed = JSON.parse(body.toString('utf8'))
  } catch {
    return fail('SLUICE_ERR_REQUEST_MALFORMED')
  }
  const batch = isRecord(parsed) && Array.isArray(parsed.events)
  const events: unknown[] = batch ? ((parsed as { events: unknown[] }).events) : [parsed]
  if (events.length === 0 || events.length > MAX_EVENTS) return fail('SLUICE_ERR_EVENT_INVALID', `A batch holds 1 to ${MAX_EVENTS} events (got ${events.length}).`)

  // Everything is checked (and exposures looked up) before anything is counted: a store failure
  // half-way fails the request with nothing applied, so a client's retry counts each event once.
  const rejected: Rejection[] = []
  const apply: Array<() => void> = []
  // One lookup per user and experiment in a batch (each may be a store round trip).
  const exposures = new Map<string, Promise<string | undefined>>()
  for (let index = 0; index < events.length; index++) {
    const event = events[index]
    if (isRecord(event) && event.feedback !== undefined) {
      const problem = feedbackProblem(event)
      if (problem !== undefined) {
        rejected.push(rejection(index, 'SLUICE_ERR_EVENT_INVALID', problem))
        metrics.experimentEvents.labels('(bandit feedback)', 'invalid').inc()
      } else apply.push(() => feedback(snapshot, event as { feedback: string; value: number }, index, rejected))
      continue
    }
    const checked = await check(snapshot, event)
    if (!checked.ok) {
      rejected.push(rejection(index, checked.code, checked.detail))
      metrics.experimentEvents.labels(checked.experiment, RESULT[checked.code] ?? 'invalid').inc()
      continue
    }
    const lookup = `${checked.experiment}\u0000${checked.user}`
    let exposure = exposures.get(lookup)
    if (exposure === undefined) exposures.set(lookup, (exposure = snapshot.outcomes.exposure(checked.experiment, checked.user)))
    const variant = await exposure
    if (variant === undefined) {
      rejected.push(rejection(index, 'SLUICE_ERR_EVENT_UNASSIGNED', `User ${JSON.stringify(checked.user)} was never assigned a variant of ${checked.experiment}.`))
      metrics.experimentEvents.labels(checked.experiment, 'unassigned').inc()
      continue
    }
    apply.push(() => {
      snapshot.outcomes.event(checked.experiment, variant, checked.metric, checked.value)
      metrics.experimentEvents.labels(checked.experiment, 'accepted').inc()
    })
  }
  const before = rejected.length
  for (const step of apply) step()
  const accepted = apply.length - (rejected.length - before)
  rejected.sort((a, b) => a.index - b.index)
  if (!batch && rejected.length === 1) return fail(rejected[0]!.code, rejected[0]!.detail)
  const text = JSON.stringify({ accepted, rejected: rejected.map(({ index, code, detail }) => ({ index, code, message: `${errors[code].message} ${detail}` })) })
  channel.replay(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), 'x-sluice-request-id': requestId }, text)
}

const RESULT: Partial<Record<ErrorCode, string>> = {
  SLUICE_ERR_EVENT_EXPERIMENT_UNKNOWN: 'unknown_experiment',
  SLUICE_ERR_EVENT_METRIC_UNKNOWN: 'unknown_metric',
  SLUICE_ERR_EVENT_INVALID: 'invalid',
}

function rejection(index: number, code: ErrorCode, detail: string): Rejection {
  return { index, code, detail }
}

/** Why `{feedback, value}` is not a feedback event's shape, or undefined. */
function feedbackProblem(event: Record<string, unknown>): string | undefined {
  const { feedback: token, value } = event
  if (typeof token !== 'string' || token.length > 1024) return 'feedback must be the x-sluice-feedback token of a response.'
  if (typeof value !== 'number' || !Number.isFinite(value)) return 'value must be a finite number.'
  return undefined
}

/** Credits a bandit's quality feedback (in memory, nothing to fail half-way); a refusal joins `rejected`. */
function feedback(snapshot: Snapshot, event: { feedback: string; value: number }, index: number, rejected: Rejection[]): void {
  const result = snapshot.bandits.feedback(event.feedback, event.value)
  metrics.experimentEvents.labels('(bandit feedback)', result.ok ? 'accepted' : 'invalid').inc()
  if (!result.ok) rejected.push(rejection(index, 'SLUICE_ERR_EVENT_INVALID', result.detail))
}

/** Checks one event against the serving experiments; `experiment` is the metric label (bounded: `unknown` for names not in config). */
async function check(snapshot: Snapshot, event: unknown): Promise<Checked> {
  const invalid = (detail: string, experiment = 'unknown'): Checked => ({ ok: false, code: 'SLUICE_ERR_EVENT_INVALID', detail, experiment })
  if (!isRecord(event)) return invalid('An event is a JSON object {experiment, targetingKey, metric, value}.')
  const { experiment: key, targetingKey: user, metric, value } = event
  if (typeof key !== 'string' || key === '') return invalid('experiment must be a non-empty string.')
  const experiments = snapshot.config.experiments
  const experiment = Object.hasOwn(experiments, key) ? experiments[key] : undefined
  if (experiment === undefined) return { ok: false, code: 'SLUICE_ERR_EVENT_EXPERIMENT_UNKNOWN', detail: `No experiment ${JSON.stringify(key).slice(0, 80)}.`, experiment: 'unknown' }
  if (experiment.status !== 'running' && experiment.status !== 'stopped') {
    return { ok: false, code: 'SLUICE_ERR_EVENT_EXPERIMENT_UNKNOWN', detail: `Experiment ${key} is ${experiment.status}: it takes events while running or stopped.`, experiment: key }
  }
  if (typeof user !== 'string' || user === '' || user.length > 256) return invalid('targetingKey must be a string of 1 to 256 characters.', key)
  if (typeof metric !== 'string' || !Object.hasOwn(experiment.metrics, metric)) {
    const known = Object.keys(experiment.metrics)
    const detail = `Experiment ${key} has no application metric ${JSON.stringify(metric)?.slice(0, 80)}; it has ${known.length === 0 ? 'none' : known.join(', ')}.`
    return { ok: false, code: 'SLUICE_ERR_EVENT_METRIC_UNKNOWN', detail, experiment: key }
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) return invalid('value must be a finite number.', key)
  if (experiment.metrics[metric]!.kind === 'proportion' && value !== 0 && value !== 1) return invalid(`${metric} is a proportion: value must be 0 or 1 (got ${value}).`, key)
  return { ok: true, experiment: key, user, metric, value }
}

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value)
