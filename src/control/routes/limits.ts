// Rate-limit and budget state on the admin API (docs/admin-api.md).
import type { FastifyInstance } from 'fastify'
import { evaluate } from '../../flags/index.js'
import { BUDGET_ENFORCE_FLAG } from '../../gates/budget/gate.js'
import { RATELIMIT_ENFORCE_FLAG } from '../../gates/rate-limit/gate.js'
import { requireRole } from '../auth.js'
import type { AdminContext } from '../context.js'

export function limitRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const viewer = requireRole(ctx.snapshot, 'viewer')

  app.get('/v1/rate-limits', { preHandler: viewer }, async () => {
    const snapshot = ctx.snapshot()
    const limiter = snapshot.rateLimiter
    const enforce = evaluate(snapshot.flags, RATELIMIT_ENFORCE_FLAG, 'boolean', false, {})
    return {
      // The flag's answer without request context; targeting may still differ per request.
      enforce: { value: enforce.value, reason: enforce.reason },
      shared: snapshot.config.state.store === 'redis',
      rules: snapshot.config.rateLimits.rules,
      limiter: limiter !== undefined && 'stats' in limiter && typeof limiter.stats === 'function' ? (limiter.stats() as unknown) : null,
    }
  })

  app.get('/v1/budgets', { preHandler: viewer }, async () => {
    const snapshot = ctx.snapshot()
    const enforce = evaluate(snapshot.flags, BUDGET_ENFORCE_FLAG, 'boolean', false, {})
    const budgets = snapshot.budgets
    return {
      enforce: { value: enforce.value, reason: enforce.reason },
      // Spend, reservations, limit, window and crossed thresholds per budget and scope value.
      budgets: budgets === undefined ? [] : budgets.ledger.report(Date.now()),
      sync: budgets === undefined ? null : budgets.ledger.health(),
    }
  })
}
