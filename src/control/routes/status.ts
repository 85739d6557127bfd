// Read-mostly admin routes: status, audit log, the running config (secrets redacted), reload.
import type { FastifyInstance } from 'fastify'
import { redactConfig } from '../../config/secrets.js'
import { requireRole } from '../auth.js'
import type { AdminContext } from '../context.js'
import { adminError, needsReason, storeError } from '../reply.js'
import { packageVersion } from '../version.js'

export function statusRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const viewer = requireRole(ctx.snapshot, 'viewer')
  // Mutations: the role, then a non-empty reason for the audit log.
  const admin = [requireRole(ctx.snapshot, 'admin'), needsReason]
  const version = packageVersion()

  app.get('/v1/status', { preHandler: viewer }, async () => {
    const snapshot = ctx.snapshot()
    const [health, killSwitches] = await Promise.all([ctx.store.health(), ctx.store.listKillSwitches()])
    return {
      version,
      environment: snapshot.environment,
      uptimeSeconds: Math.round((Date.now() - ctx.startedAt) / 1000),
      ready: ctx.ready(),
      lastReload: ctx.lastReload() ?? null,
      flags: { revision: snapshot.flags.revision, count: snapshot.flags.keys.length },
      killSwitches,
      store: { kind: ctx.store.kind, ...health },
      providers: snapshot.mounts.map((m) => ({ name: m.name, type: m.config.type, mount: m.prefix })),
    }
  })

  app.get<{ Querystring: { since?: string; limit?: string } }>('/v1/audit', { preHandler: viewer }, async (request, reply) => {
    const { since, limit } = request.query
    const parsedLimit = limit === undefined ? undefined : Number(limit)
    if (parsedLimit !== undefined && !Number.isInteger(parsedLimit)) return adminError(reply, 'SLUICE_ERR_ADMIN_INVALID', 'limit must be an integer.')
    if (since !== undefined && Number.isNaN(Date.parse(since))) return adminError(reply, 'SLUICE_ERR_ADMIN_INVALID', 'since must be an ISO-8601 time.')
    try {
      return { entries: await ctx.store.listAudit({ ...(since === undefined ? {} : { since: new Date(since).toISOString() }), ...(parsedLimit === undefined ? {} : { limit: parsedLimit }) }) }
    } catch (err) {
      return storeError(reply, err)
    }
  })

  // Redacted by the schema's secret marks (config/secrets.ts), never by key names.
  app.get('/v1/config', { preHandler: viewer }, async () => redactConfig(ctx.snapshot().config))

  app.post('/v1/config/reload', { preHandler: admin }, async (request, reply) => {
    const reason = request.reason!
    const result = ctx.reload()
    try {
      await ctx.store.appendAudit({
        actor: request.actor!.name,
        action: 'config.reload',
        target: 'config',
        before: null,
        after: result.ok ? { ok: true } : { ok: false, problems: [...(result.problems ?? [])] },
        reason,
      })
    } catch (err) {
      return storeError(reply, err)
    }
    if (!result.ok) return adminError(reply, 'SLUICE_ERR_ADMIN_INVALID', 'The config file was refused; the last good config keeps serving.', result.problems)
    return { ok: true }
  })
}
