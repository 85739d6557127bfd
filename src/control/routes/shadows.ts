// Shadow traffic on the admin API (docs/shadow.md): each configured shadow with its target, the
// mirrored calls in flight on this replica, and its paired summary — shadow minus primary for
// latency, time to first token, tokens and cost, errors on both sides, and the skipped mirrors —
// read from the experiments' outcome store, so it covers the whole fleet. Read-only (viewer).
import type { FastifyInstance } from 'fastify'
import type { ShadowView } from '../../steering/shadow/pairing.js'
import { requireRole } from '../auth.js'
import type { AdminContext } from '../context.js'
import { adminError, storeError } from '../reply.js'

function summary(view: ShadowView): Record<string, unknown> {
  const { config } = view
  return {
    id: view.id,
    model: config.model,
    mount: config.mount ?? null,
    target: view.target,
    percent: config.percent,
    maxConcurrent: config.maxConcurrent,
    inFlight: view.inFlight,
    ...view.summary,
  }
}

export function shadowRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const viewer = requireRole(ctx.snapshot, 'viewer')

  app.get('/v1/shadows', { preHandler: viewer }, async (_request, reply) => {
    try {
      return { shadows: (await ctx.shadows.list()).map(summary) }
    } catch (err) {
      return storeError(reply, err)
    }
  })

  app.get<{ Params: { id: string } }>('/v1/shadows/:id', { preHandler: viewer }, async (request, reply) => {
    try {
      const view = await ctx.shadows.view(request.params.id)
      if (view === undefined)
        return adminError(reply, 'SLUICE_ERR_ADMIN_NOT_FOUND', `No shadow ${request.params.id}; configured: ${ctx.shadows.ids().join(', ') || 'none'}.`)
      return { shadow: summary(view) }
    } catch (err) {
      return storeError(reply, err)
    }
  })
}
