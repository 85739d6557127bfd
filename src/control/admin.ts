// The admin plane (docs/lifecycle.md, docs/admin-api.md) on its own port, bound to 127.0.0.1 by default: health,
// readiness and Prometheus metrics (open), and the /v1 admin API (bearer tokens with roles;
// every mutation audit-logged with actor and reason). Errors answer {statusCode, code, error, message}.
import Fastify, { type FastifyInstance } from 'fastify'
import { registry } from '../core/metrics.js'
import type { AdminContext } from './context.js'
import { adminError } from './reply.js'
import { activationRoutes } from './routes/activation.js'
import { circuitRoutes } from './routes/circuits.js'
import { dashboardRoutes } from './routes/dashboard.js'
import { experimentRoutes } from './routes/experiments.js'
import { flagRoutes } from './routes/flags.js'
import { killSwitchRoutes } from './routes/kill-switches.js'
import { limitRoutes } from './routes/limits.js'
import { rolloutRoutes } from './routes/rollouts.js'
import { shadowRoutes } from './routes/shadows.js'
import { guardrailRoutes } from './routes/guardrails.js'
import { statusRoutes } from './routes/status.js'

export function buildAdmin(deps: AdminContext): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 })
  statusRoutes(app, deps)
  flagRoutes(app, deps)
  killSwitchRoutes(app, deps)
  activationRoutes(app, deps)
  limitRoutes(app, deps)
  circuitRoutes(app, deps)
  experimentRoutes(app, deps)
  rolloutRoutes(app, deps)
  shadowRoutes(app, deps)
  guardrailRoutes(app, deps)
  dashboardRoutes(app, deps)

  app.get('/healthz', async () => ({ status: 'ok' }))

  app.get('/readyz', async (_req, reply) => {
    if (deps.ready()) return { status: 'ready' }
    return reply.code(503).send({
      statusCode: 503,
      code: 'SLUICE_ERR_SHUTTING_DOWN',
      error: 'Service Unavailable',
      message: 'Sluice is not ready: starting up or draining.',
    })
  })

  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', registry.contentType)
    return registry.metrics()
  })

  app.setNotFoundHandler((req, reply) => adminError(reply, 'SLUICE_ERR_ADMIN_NOT_FOUND', `No admin route ${req.method} ${req.url}.`))
  // Fastify's own failures (malformed JSON, body too large) in the admin shape.
  app.setErrorHandler((err: { statusCode?: number; message: string }, _req, reply) => {
    if (err.statusCode !== undefined && err.statusCode < 500) return adminError(reply, 'SLUICE_ERR_ADMIN_INVALID', err.message)
    return adminError(reply, 'SLUICE_ERR_INTERNAL', err.message)
  })

  return app
}
