// Experiments on the admin API (docs/admin-api.md, docs/experiments.md): list and read them, read their
// results, create one, and move it through its lifecycle (draft → running → stopped → concluded).
// A change is checked against the serving config with every other stored change (one running
// experiment per model, variants that exist…) before it is written; the write is an audited
// store record, and every replica applies it from the store's change notification. The bandits'
// report (arms, posteriors, current shares) is here too: it is the same steering step.
import { Value } from '@sinclair/typebox/value'
import type { FastifyInstance, FastifyReply } from 'fastify'
import { formatProblem } from '../../core/problems.js'
import { schemaProblems } from '../../core/schema-problems.js'
import { redactBySchema } from '../../config/secrets.js'
import type { JsonObject } from '../../state/index.js'
import { EXPERIMENTS_NAMESPACE, type StoredExperiment } from '../../steering/experiments/lifecycle.js'
import { reportOf } from '../../steering/experiments/report.js'
import { ExperimentSchema, type ExperimentConfig } from '../../steering/experiments/schema.js'
import { requireRole } from '../auth.js'
import type { AdminContext } from '../context.js'
import { adminError, needsReason, storeError } from '../reply.js'

type Action = 'start' | 'stop' | 'conclude'

/** Which statuses each action moves from, and to. A concluded experiment is final. */
const TRANSITIONS: Record<Action, { from: readonly ExperimentConfig['status'][]; to: ExperimentConfig['status'] }> = {
  start: { from: ['draft', 'stopped'], to: 'running' },
  stop: { from: ['running'], to: 'stopped' },
  conclude: { from: ['running', 'stopped'], to: 'concluded' },
}

const KEY = /^[A-Za-z0-9._-]{1,64}$/

function summary(key: string, experiment: ExperimentConfig, stored: StoredExperiment | undefined): Record<string, unknown> {
  return {
    key,
    status: experiment.status,
    model: experiment.model,
    description: experiment.description ?? null,
    allocationPercent: experiment.allocationPercent,
    variants: experiment.variants.map((v) => ({ name: v.name, weight: v.weight, control: v.control, target: `${v.target.provider}/${v.target.model}` })),
    primaryMetric: experiment.primaryMetric,
    winner: experiment.winner ?? null,
    autoConclude: experiment.autoConclude,
    mount: experiment.mount ?? null,
    source: stored?.definition !== undefined ? 'admin' : 'config',
  }
}

export function experimentRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const viewer = requireRole(ctx.snapshot, 'viewer')
  const operator = [requireRole(ctx.snapshot, 'operator'), needsReason]
  const serving = (): Readonly<Record<string, ExperimentConfig>> => ctx.snapshot().config.experiments
  const find = (key: string, reply: FastifyReply): ExperimentConfig | undefined => {
    const experiment = Object.hasOwn(serving(), key) ? serving()[key] : undefined
    if (experiment === undefined) void adminError(reply, 'SLUICE_ERR_ADMIN_NOT_FOUND', `No experiment ${key}; known: ${Object.keys(serving()).join(', ') || 'none'}.`)
    return experiment
  }

  /** Checks `record` with every other stored change, then writes it audited and applies it here. */
  const write = async (reply: FastifyReply, key: string, record: StoredExperiment, action: string, actor: string, reason: string): Promise<FastifyReply | object> => {
    const stored = new Map(ctx.experiments.stored())
    stored.set(key, record)
    const applied = ctx.experiments.tryStored(stored)
    if (!applied.ok) return adminError(reply, 'SLUICE_ERR_ADMIN_INVALID', `The change to experiment ${key} does not fit the config.`, applied.problems)
    try {
      const value = JSON.parse(JSON.stringify(record)) as JsonObject
      await ctx.store.transaction([{ op: 'put-record', namespace: EXPERIMENTS_NAMESPACE, key, value, actor, reason, action }])
    } catch (err) {
      return storeError(reply, err)
    }
    await ctx.refreshFromStore()
    const now = serving()[key]
    return { experiment: now === undefined ? null : summary(key, now, ctx.experiments.stored().get(key)) }
  }

  app.get('/v1/experiments', { preHandler: viewer }, async () => {
    const stored = ctx.experiments.stored()
    return { experiments: Object.entries(serving()).map(([key, e]) => summary(key, e, stored.get(key))) }
  })

  app.get<{ Params: { key: string } }>('/v1/experiments/:key', { preHandler: viewer }, async (request, reply) => {
    const { key } = request.params
    const experiment = find(key, reply)
    if (experiment === undefined) return reply
    // Webhook URLs and headers are secrets (marked in the schema): viewers see them redacted, as in /v1/config.
    return { experiment: { ...summary(key, experiment, ctx.experiments.stored().get(key)), definition: redactBySchema(ExperimentSchema, experiment) } }
  })

  app.get<{ Params: { key: string } }>('/v1/experiments/:key/results', { preHandler: viewer }, async (request, reply) => {
    const { key } = request.params
    const experiment = find(key, reply)
    if (experiment === undefined) return reply
    try {
      return reportOf(key, experiment, await ctx.snapshot().outcomes.read(key))
    } catch (err) {
      return storeError(reply, err)
    }
  })

  app.get('/v1/bandits', { preHandler: viewer }, async () => ({ bandits: ctx.snapshot().bandits.report() }))

  app.post<{ Body: { key?: unknown; definition?: unknown } }>('/v1/experiments', { preHandler: operator }, async (request, reply) => {
    const { key, definition } = request.body ?? {}
    if (typeof key !== 'string' || !KEY.test(key)) return adminError(reply, 'SLUICE_ERR_ADMIN_INVALID', 'key must be 1–64 letters, digits or . _ -.')
    if (Object.hasOwn(serving(), key)) return adminError(reply, 'SLUICE_ERR_ADMIN_INVALID', `Experiment ${key} exists; choose another key.`)
    const candidate = Value.Default(ExperimentSchema, structuredClone(definition ?? {}))
    const problems = schemaProblems(ExperimentSchema, candidate, ['definition']).map(formatProblem)
    if (problems.length > 0) return adminError(reply, 'SLUICE_ERR_ADMIN_INVALID', `The definition of ${key} is not valid.`, problems)
    const experiment = candidate as ExperimentConfig
    // A stored definition is readable by viewers and in the audit log; secrets belong in the config file.
    if (experiment.alertWebhooks.length > 0) return adminError(reply, 'SLUICE_ERR_ADMIN_INVALID', 'alertWebhooks hold secrets: set them in the config file, not through the API.')
    const written = await write(reply, key, { status: experiment.status, definition: experiment }, 'experiment.create', request.actor!.name, request.reason!)
    return written === reply ? reply : reply.code(201).send(written)
  })

  for (const action of ['start', 'stop', 'conclude'] as const) {
    app.post<{ Params: { key: string }; Body: { winner?: unknown } }>(`/v1/experiments/:key/${action}`, { preHandler: operator }, async (request, reply) => {
      const { key } = request.params
      const experiment = find(key, reply)
      if (experiment === undefined) return reply
      const { from, to } = TRANSITIONS[action]
      if (!from.includes(experiment.status)) {
        return adminError(reply, 'SLUICE_ERR_ADMIN_INVALID', `Experiment ${key} is ${experiment.status}; ${action} needs ${from.join(' or ')}.`)
      }
      const winner = request.body?.winner
      if (winner !== undefined && (action !== 'conclude' || typeof winner !== 'string')) {
        return adminError(reply, 'SLUICE_ERR_ADMIN_INVALID', 'winner is a variant name, and only conclude takes one.')
      }
      const previous = ctx.experiments.stored().get(key)
      const record: StoredExperiment = { ...previous, status: to, ...(typeof winner === 'string' ? { winner } : {}) }
      return write(reply, key, record, `experiment.${action}`, request.actor!.name, request.reason!)
    })
  }
}
