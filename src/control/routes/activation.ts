// Activation sequences (docs/flags.md): a named bundle of flag → variant from `activation.sequences`,
// applied in one store transaction so every flag moves together or none does. Each flag is
// overridden to serve that variant to everyone (targeting cleared, state ENABLED). Rollouts whose
// `activation:` names the sequence start, complete or stop in the same transaction.
import type { FastifyInstance } from 'fastify'
import { StateError, type JsonObject, type StateOp } from '../../state/index.js'
import { requireRole } from '../auth.js'
import type { AdminContext } from '../context.js'
import { adminError, needsReason, storeError } from '../reply.js'

export function activationRoutes(app: FastifyInstance, ctx: AdminContext): void {
  // Mutations: the role, then a non-empty reason for the audit log.
  const operator = [requireRole(ctx.snapshot, 'operator'), needsReason]

  app.post<{ Params: { sequence: string } }>('/v1/activation/:sequence', { preHandler: operator }, async (request, reply) => {
    const reason = request.reason!
    const { snapshot } = ctx
    const name = request.params.sequence
    const sequence = snapshot().config.activation.sequences[name]
    if (sequence === undefined) {
      const known = Object.keys(snapshot().config.activation.sequences).join(', ')
      return adminError(reply, 'SLUICE_ERR_ADMIN_NOT_FOUND', `No activation sequence ${name}; configured: ${known}.`)
    }
    const problems: string[] = []
    const definitions: Record<string, JsonObject> = {}
    for (const [key, variant] of Object.entries(sequence)) {
      const flag = snapshot().flags.get(key)
      if (flag === undefined) problems.push(`${key}: no such flag`)
      else if (!(variant in flag.definition.variants)) problems.push(`${key}: no variant ${variant} (has ${Object.keys(flag.definition.variants).join(', ')})`)
      else definitions[key] = { ...flag.definition, state: 'ENABLED', defaultVariant: variant, targeting: {} } as JsonObject
    }
    if (problems.length > 0) return adminError(reply, 'SLUICE_ERR_ADMIN_INVALID', `Sequence ${name} cannot be applied.`, problems)
    try {
      const current = Object.fromEntries((await ctx.store.listOverrides()).map((o) => [o.key, o.definition]))
      const compiled = ctx.tryOverrides({ ...current, ...definitions })
      if (!compiled.ok) return adminError(reply, 'SLUICE_ERR_ADMIN_INVALID', `Sequence ${name} does not compile.`, compiled.problems)
      const actor = request.actor!.name
      const ops: StateOp[] = Object.entries(definitions).map(([key, definition]) => ({
        op: 'put-override',
        override: { key, definition, actor, reason },
        action: `activation.${name}`,
      }))
      // Rollouts configured to react to this sequence move in the same transaction as the flags.
      const rollouts = await ctx.rollouts.activationOps(name, actor, reason)
      try {
        await ctx.store.transaction([...ops, ...rollouts.ops])
      } catch (err) {
        if (err instanceof StateError && err.code === 'conflict') return adminError(reply, 'SLUICE_ERR_ADMIN_CONFLICT', 'A rollout changed meanwhile; apply the sequence again.')
        throw err
      }
      ctx.rollouts.activated(rollouts.actions)
      await ctx.refreshFromStore()
      await ctx.rollouts.reload()
      return { sequence: name, applied: sequence, rollouts: rollouts.actions }
    } catch (err) {
      return storeError(reply, err)
    }
  })
}
