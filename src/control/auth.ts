// Admin API authentication (docs/admin-api.md): bearer tokens from `admin.tokens`, each with a role.
// Roles are ordered viewer < operator < admin; a route names the least role it needs.
import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Snapshot } from '../pipeline/snapshot.js'
import { adminError } from './reply.js'

export type Role = 'viewer' | 'operator' | 'admin'
const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 }

export interface Actor {
  readonly name: string
  readonly role: Role
}

declare module 'fastify' {
  interface FastifyRequest {
    actor?: Actor
  }
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest()

/** Compares every configured token in constant time, so timing tells nothing about which matched. */
function findActor(snapshot: Snapshot, presented: string): Actor | undefined {
  const wanted = digest(presented)
  let found: Actor | undefined
  for (const token of snapshot.config.admin.tokens) {
    if (timingSafeEqual(digest(token.token), wanted)) found = { name: token.name, role: token.role }
  }
  return found
}

/** A preHandler that admits tokens of at least `role` and records the actor on the request. */
export function requireRole(snapshot: () => Snapshot, role: Role) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const header = request.headers.authorization
    const token = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : ''
    const actor = token === '' ? undefined : findActor(snapshot(), token)
    if (actor === undefined) {
      return adminError(reply, 'SLUICE_ERR_ADMIN_UNAUTHENTICATED', token === '' ? undefined : 'The token is not in admin.tokens.')
    }
    if (RANK[actor.role] < RANK[role]) {
      return adminError(reply, 'SLUICE_ERR_ADMIN_FORBIDDEN', `This action needs role ${role}; token ${actor.name} has ${actor.role}.`)
    }
    request.actor = actor
  }
}
