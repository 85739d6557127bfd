// Canary rollouts on the admin API (docs/rollouts.md): list and read them with their current step,
// health against the stable arm and what the judge would decide now; start one, and pause,
// resume, promote, roll back, stop or complete it with a reason. Each action is a compare-and-set
// of the rollout's store record, audited; every replica applies it from the store's notification.
import type { FastifyInstance, FastifyReply } from 'fastify'
import { redactBySchema } from '../../config/secrets.js'
import { StateError } from '../../state/index.js'
import { RolloutActionError, RolloutNotFound, type RolloutAction, type RolloutView } from '../../steering/rollouts/record.js'
import { RolloutSchema } from '../../steering/rollouts/schema.js'
import { requireRole } from '../auth.js'
import type { AdminContext } from '../context.js'
import { adminError, needsReason, storeError } from '../reply.js'

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString())

function summary(view: RolloutView): Record<string, unknown> {
  const { config, record, stats, judgement } = view
  const step = record === undefined ? undefined : config.steps[Math.min(record.stepIndex, config.steps.length - 1)]
  const arm = (s: RolloutView['stats']['stable']) => ({
    requests: s.requests,
    errors: s.errors,
    errorRate: s.requests === 0 ? null : s.errors / s.requests,
    // The geometric mean: what the latency test compares (log scale).
    latencyMsGeometricMean: s.requests === 0 ? null : Math.exp(s.logLatencySum / s.requests),
    costUsdMean: s.requests === 0 ? null : s.costSum / s.requests,
  })
  return {
    id: view.id,
    model: config.model,
    mount: config.mount ?? null,
    stable: `${config.stable.provider}/${config.stable.model}`,
    canary: `${config.canary.provider}/${config.canary.model}`,
    status: record?.status ?? 'pending',
    reason: record?.reason ?? null,
    run: record?.run ?? 0,
    step: record === undefined || step === undefined ? null : { number: record.stepIndex + 1, of: config.steps.length, ...step, startedAt: iso(record.stepStartedAtMs) },
    canaryPercent: view.canaryPercent,
    updatedAt: iso(record?.updatedAtMs),
    arms: { stable: arm(stats.stable), canary: arm(stats.canary) },
    judgement:
      judgement === undefined
        ? null
        : {
            decision: judgement.decision,
            reasons: judgement.reasons,
            metrics: judgement.health?.metrics ?? [],
            hardStop: judgement.health?.hardStop ?? null,
          },
  }
}

const ACTIONS: readonly RolloutAction[] = ['pause', 'resume', 'promote', 'rollback', 'stop', 'complete', 'start']

export function rolloutRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const viewer = requireRole(ctx.snapshot, 'viewer')
  const operator = [requireRole(ctx.snapshot, 'operator'), needsReason]

  const act = async (reply: FastifyReply, id: string, action: RolloutAction, actor: string, reason: string): Promise<unknown> => {
    try {
      await ctx.rollouts.act(id, action, actor, reason)
      const view = await ctx.rollouts.view(id)
      return { rollout: view === undefined ? null : summary(view) }
    } catch (err) {
      if (err instanceof RolloutNotFound) return adminError(reply, 'SLUICE_ERR_ADMIN_NOT_FOUND', err.message)
      if (err instanceof RolloutActionError) return adminError(reply, 'SLUICE_ERR_ADMIN_CONFLICT', `Rollout ${id}: ${err.message}.`)
      if (err instanceof StateError && err.code === 'conflict') return adminError(reply, 'SLUICE_ERR_ADMIN_CONFLICT', `Rollout ${id} changed meanwhile; read it again and retry.`)
      return storeError(reply, err)
    }
  }

  app.get('/v1/rollouts', { preHandler: viewer }, async (_request, reply) => {
    try {
      const views = await Promise.all(ctx.rollouts.ids().map((id) => ctx.rollouts.view(id)))
      return { rollouts: views.filter((v) => v !== undefined).map(summary) }
    } catch (err) {
      return storeError(reply, err)
    }
  })

  app.get<{ Params: { id: string } }>('/v1/rollouts/:id', { preHandler: viewer }, async (request, reply) => {
    try {
      const view = await ctx.rollouts.view(request.params.id)
      if (view === undefined) return adminError(reply, 'SLUICE_ERR_ADMIN_NOT_FOUND', `No rollout ${request.params.id}; configured: ${ctx.rollouts.ids().join(', ') || 'none'}.`)
      // Webhook URLs and headers are secrets (marked in the schema): redacted, as in /v1/config.
      return { rollout: { ...summary(view), definition: redactBySchema(RolloutSchema, view.config) } }
    } catch (err) {
      return storeError(reply, err)
    }
  })

  // Rollouts are defined in the config file (their webhooks hold secrets); POST starts one.
  app.post<{ Body: { id?: unknown } }>('/v1/rollouts', { preHandler: operator }, async (request, reply) => {
    const id = request.body?.id
    if (typeof id !== 'string') return adminError(reply, 'SLUICE_ERR_ADMIN_INVALID', 'id names a rollout of the config to start.')
    const started = await act(reply, id, 'start', request.actor!.name, request.reason!)
    return started === reply ? reply : reply.code(201).send(started)
  })

  for (const action of ACTIONS) {
    app.post<{ Params: { id: string } }>(`/v1/rollouts/:id/${action}`, { preHandler: operator }, async (request, reply) =>
      act(reply, request.params.id, action, request.actor!.name, request.reason!),
    )
  }
}
