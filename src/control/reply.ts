// Admin API errors: {statusCode, code, error, message} (docs/errors.md), plus `problems` where a
// change was refused for several reasons at once.
import { STATUS_CODES } from 'node:http'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { errors, type ErrorCode } from '../core/errors.js'
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

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `needsReason`: why the caller makes this change (for the audit log). */
    reason?: string
  }
}

/**
 * A preHandler for every mutation: the `reason` from the JSON body or `?reason=` must be
 * non-empty; it is recorded on the request for the audit log.
 */
export async function needsReason(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const fromBody = isRecord(request.body) ? request.body.reason : undefined
  const fromQuery = isRecord(request.query) ? request.query.reason : undefined
  const reason = typeof fromBody === 'string' ? fromBody : typeof fromQuery === 'string' ? fromQuery : undefined
  if (reason === undefined || reason.trim() === '') {
    await adminError(reply, 'SLUICE_ERR_ADMIN_INVALID', 'A non-empty reason is required.')
    return
  }
  request.reason = reason.trim()
}

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object'
