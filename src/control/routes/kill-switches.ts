// Kill switches and emergency shutdown (docs/admin-api.md). A switch is stored (surviving restarts,
// audited) and the snapshot is rebuilt before the response, so it bites from the next request.
// Emergency shutdown is the `global` scope and needs the admin role.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { killScopes, type KillScope } from '../../state/index.js'
import { requireRole } from '../auth.js'
import type { AdminContext } from '../context.js'
import { adminError, needsReason, storeError } from '../reply.js'

type Params = { scope: string; target: string }
const TARGET_SCOPES = killScopes.filter((s) => s !== 'global')

export function killSwitchRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const viewer = requireRole(ctx.snapshot, 'viewer')
  // Mutations: the role, then a non-empty reason for the audit log.
  const operator = [requireRole(ctx.snapshot, 'operator'), needsReason]
  const admin = [requireRole(ctx.snapshot, 'admin'), needsReason]

  app.get('/v1/kill-switches', { preHandler: viewer }, async () => ({ killSwitches: await ctx.store.listKillSwitches() }))

  const set = async (request: FastifyRequest, reply: FastifyReply, scope: KillScope, target: string) => {
    const reason = request.reason!
    try {
      const killSwitch = await ctx.store.putKillSwitch({ scope, target, reason, actor: request.actor!.name })
      await ctx.refreshFromStore()
      return { killSwitch }
    } catch (err) {
      return storeError(reply, err)
    }
  }
  const clear = async (request: FastifyRequest, reply: FastifyReply, scope: KillScope, target: string) => {
    const reason = request.reason!
    try {
      const removed = await ctx.store.deleteKillSwitch(scope, target, { actor: request.actor!.name, reason })
      if (!removed) return adminError(reply, 'SLUICE_ERR_ADMIN_NOT_FOUND', `No ${scope} kill switch on ${target}.`)
      await ctx.refreshFromStore()
      return { scope, target, removed: true }
    } catch (err) {
      return storeError(reply, err)
    }
  }
  const scopeOf = (request: FastifyRequest<{ Params: Params }>, reply: FastifyReply): KillScope | undefined => {
    const scope = request.params.scope as KillScope
    if ((TARGET_SCOPES as readonly string[]).includes(scope)) return scope
    const hint = scope === 'global' ? ' Use /v1/emergency-shutdown for the global switch.' : ''
    void adminError(reply, 'SLUICE_ERR_ADMIN_INVALID', `Scope must be one of ${TARGET_SCOPES.join(', ')}.${hint}`)
    return undefined
  }

  app.put<{ Params: Params }>('/v1/kill-switches/:scope/:target', { preHandler: operator }, async (request, reply) => {
    const scope = scopeOf(request, reply)
    return scope === undefined ? reply : set(request, reply, scope, request.params.target)
  })
  app.delete<{ Params: Params }>('/v1/kill-switches/:scope/:target', { preHandler: operator }, async (request, reply) => {
    const scope = scopeOf(request, reply)
    return scope === undefined ? reply : clear(request, reply, scope, request.params.target)
  })

  app.post('/v1/emergency-shutdown', { preHandler: admin }, (request, reply) => set(request, reply, 'global', '*'))
  app.delete('/v1/emergency-shutdown', { preHandler: admin }, (request, reply) => clear(request, reply, 'global', '*'))
}
