// The admin plane (SPEC §1, §11) on its own port, bound to 127.0.0.1 by default: health,
// readiness and Prometheus metrics. Errors answer {statusCode, code, error, message}.
import Fastify, { type FastifyInstance } from 'fastify'
import { registry } from '../metrics.js'

export interface AdminDeps {
  /** Ready once listening with a valid config and not draining. */
  ready(): boolean
}

export function buildAdmin(deps: AdminDeps): FastifyInstance {
  const app = Fastify({ logger: false })

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

  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send({
      statusCode: 404,
      code: 'SLUICE_ERR_ROUTE_NOT_FOUND',
      error: 'Not Found',
      message: `No admin route ${req.method} ${req.url}.`,
    })
  })

  return app
}
