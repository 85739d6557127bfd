// Guardrails on the admin API (docs/guardrails.md): the detectors this snapshot runs with their
// actions, fail modes and sides, the mode flag's answer without request context, and the counters
// since start: checks by outcome and what log-only mode would have blocked. Read-only (viewer).
import type { FastifyInstance } from 'fastify'
import { metrics } from '../../core/metrics.js'
import { evaluate } from '../../flags/index.js'
import { GUARDRAILS_MODE_FLAG } from '../../gates/guardrails/gate.js'
import { requireRole } from '../auth.js'
import type { AdminContext } from '../context.js'

async function counted(metric: { get(): Promise<{ values: Array<{ labels: Record<string, string | number>; value: number }> }> }): Promise<Array<Record<string, string | number>>> {
  const { values } = await metric.get()
  return values.filter((v) => v.value > 0).map((v) => ({ ...v.labels, count: v.value }))
}

export function guardrailRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const viewer = requireRole(ctx.snapshot, 'viewer')

  app.get('/v1/guardrails', { preHandler: viewer }, async () => {
    const snapshot = ctx.snapshot()
    const mode = evaluate(snapshot.flags, GUARDRAILS_MODE_FLAG, 'string', 'off', {})
    const config = snapshot.config.guardrails
    return {
      // Without request context; targeting may choose another mode per request.
      mode: { value: mode.value, reason: mode.reason },
      detectors: {
        pii: config.pii,
        credentials: config.credentials,
        injection: config.injection,
        denyList: { ...config.denyList, words: config.denyList.words.length, patterns: config.denyList.patterns.length },
      },
      size: config.size,
      counters: {
        checks: await counted(metrics.guardrailChecks),
        wouldBlock: await counted(metrics.guardrailWouldBlock),
      },
    }
  })
}
