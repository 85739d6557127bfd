// Admin API errors: {statusCode, code, error, message} (SPEC §10), plus `problems` where a
// change was refused for several reasons at once.
import { STATUS_CODES } from 'node:http'
import type { FastifyReply } from 'fastify'
import { errors, type ErrorCode } from '../errors.js'
import { StateError } from '../state/index.js'

export function adminError(reply: FastifyReply, code: ErrorCode, detail?: string, problems?: readonly string[]): FastifyReply {
  const { status, message } = errors[code]
  return reply.code(status).send({
    statusCode: status,
    code,
    error: STATUS_CODES[status] ?? 'Error',
    message: detail === undefined ? message : `${message} ${detail}`,
    ...(problems === undefined ? {} : { problems }),
  })
}

/** A failed store call: bad input is the caller's 400; anything else means nothing changed (503). */
export function storeError(reply: FastifyReply, err: unknown): FastifyReply {
  if (err instanceof StateError && err.code === 'invalid_input') return adminError(reply, 'SLUICE_ERR_ADMIN_INVALID', err.message)
  return adminError(reply, 'SLUICE_ERR_STATE_UNAVAILABLE', err instanceof Error ? err.message : undefined)
}

/** The `reason` every mutation must carry, from the JSON body or `?reason=`. */
export function reasonOf(body: unknown, query: unknown): string | undefined {
  const fromBody = body !== null && typeof body === 'object' ? (body as { reason?: unknown }).reason : undefined
  const fromQuery = query !== null && typeof query === 'object' ? (query as { reason?: unknown }).reason : undefined
  const reason = typeof fromBody === 'string' ? fromBody : typeof fromQuery === 'string' ? fromQuery : undefined
  return reason !== undefined && reason.trim() !== '' ? reason.trim() : undefined
}
