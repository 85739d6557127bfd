// Circuit breakers on the admin API (docs/resilience.md, docs/admin-api.md): list them, and reset one by hand. A circuit id
// is `<provider>/<model>` (or `<provider>/*`), so clients send it percent-encoded as one path
// segment (`bedrock%2Fanthropic.claude-3-haiku`); the router decodes it. Breakers live in this
// process: a reset acts on this instance only.
import type { FastifyInstance } from 'fastify'
import { requireRole } from '../auth.js'
import type { AdminContext } from '../context.js'
import { adminError, needsReason, storeError } from '../reply.js'

export function circuitRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const viewer = requireRole(ctx.snapshot, 'viewer')
  // Mutations: the role, then a non-empty reason for the audit log.
  const operator = [requireRole(ctx.snapshot, 'operator'), needsReason]

  app.get('/v1/circuits', { preHandler: viewer }, async () => {
    const { circuits } = ctx.snapshot()
    return { enabled: circuits.enabled, circuits: circuits.list() }
  })

  app.post<{ Params: { target: string } }>('/v1/circuits/:target/reset', { preHandler: operator }, async (request, reply) => {
    const reason = request.reason!
    const id = request.params.target
    const { circuits } = ctx.snapshot()
    const circuit = circuits.find(id)
    if (circuit === undefined) {
      const known = circuits.list().map((c) => c.id)
      const detail = !circuits.enabled
        ? 'Circuit breakers are disabled (resilience.circuitBreaker.enabled: false).'
        : `No circuit ${id}; known: ${known.length === 0 ? 'none' : known.join(', ')}.`
      return adminError(reply, 'SLUICE_ERR_ADMIN_NOT_FOUND', detail)
    }
    const before = circuit.report()
    // Audited first: if the store is down nothing changes (503), as with every other mutation.
    try {
      await ctx.store.appendAudit({
        actor: request.actor!.name,
        action: 'circuit.reset',
        target: id,
        before: { state: before.state, ...(before.openedAt === undefined ? {} : { openedAt: before.openedAt }), window: before.window },
        after: { state: 'closed' },
        reason,
      })
    } catch (err) {
      return storeError(reply, err)
    }
    circuit.reset()
    return { before: before.state, circuit: circuit.report() }
  })

  // `/v1/circuits/bedrock/anthropic.claude-3-haiku/reset`: the `/` in the id was not encoded.
  app.post('/v1/circuits/*', async (request, reply) =>
    adminError(reply, 'SLUICE_ERR_ADMIN_NOT_FOUND', `No admin route POST ${request.url}. Percent-encode the circuit id as one segment: /v1/circuits/<provider>%2F<model>/reset.`),
  )
}
