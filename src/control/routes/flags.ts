// Flags on the admin API (docs/flags.md, docs/admin-api.md): list and read the effective definitions, override one
// (PUT a whole definition or PATCH some fields), remove an override. An override is validated by
// compiling the whole flag set with it before it is stored, so a stored override always compiles.
import type { FastifyInstance } from 'fastify'
import { evaluate, validateFlagDefinition, type CompiledFlag, type FlagType, type FlagValueByType } from '../../flags/index.js'
import type { FlagOverride, JsonObject } from '../../state/index.js'
import { requireRole } from '../auth.js'
import type { AdminContext } from '../context.js'
import { adminError, needsReason, storeError } from '../reply.js'

const PATCHABLE = ['state', 'variants', 'defaultVariant', 'targeting', 'metadata'] as const

function describe(flag: CompiledFlag, override: FlagOverride | undefined): Record<string, unknown> {
  return {
    key: flag.key,
    type: flag.type,
    state: flag.enabled ? 'ENABLED' : 'DISABLED',
    defaultVariant: flag.definition.defaultVariant ?? null,
    variants: flag.definition.variants,
    origin: flag.origin,
    override: override === undefined ? null : { actor: override.actor, reason: override.reason, setAt: override.setAt },
  }
}

/** What an evaluation answers when the flag gives no value (disabled, an error): the type's zero. */
const ZERO: { [K in FlagType]: FlagValueByType[K] } = { boolean: false, string: '', number: 0, object: {} }

const isObject = (value: unknown): value is JsonObject => value !== null && typeof value === 'object' && !Array.isArray(value)

export function flagRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const viewer = requireRole(ctx.snapshot, 'viewer')
  // Mutations: the role, then a non-empty reason for the audit log.
  const operator = [requireRole(ctx.snapshot, 'operator'), needsReason]
  const overridesByKey = async (): Promise<Map<string, FlagOverride>> => new Map((await ctx.store.listOverrides()).map((o) => [o.key, o]))

  app.get('/v1/flags', { preHandler: viewer }, async () => {
    const flags = ctx.snapshot().flags
    const overrides = await overridesByKey()
    return { revision: flags.revision, flags: flags.keys.map((key) => describe(flags.get(key)!, overrides.get(key))) }
  })

  app.get<{ Params: { key: string } }>('/v1/flags/:key', { preHandler: viewer }, async (request, reply) => {
    const flag = ctx.snapshot().flags.get(request.params.key)
    if (flag === undefined) return adminError(reply, 'SLUICE_ERR_ADMIN_NOT_FOUND', `No flag ${request.params.key}.`)
    return { ...describe(flag, (await overridesByKey()).get(flag.key)), definition: flag.definition }
  })

  // Read-only: what the flag answers for a given evaluation context, as the data plane would.
  app.post<{ Params: { key: string } }>('/v1/flags/:key/evaluate', { preHandler: viewer }, async (request, reply) => {
    const flags = ctx.snapshot().flags
    const flag = flags.get(request.params.key)
    if (flag === undefined) return adminError(reply, 'SLUICE_ERR_ADMIN_NOT_FOUND', `No flag ${request.params.key}.`)
    const context = isObject(request.body) ? (request.body.context ?? {}) : undefined
    if (!isObject(context)) return adminError(reply, 'SLUICE_ERR_ADMIN_INVALID', 'Body must be {context: {...attributes...}}.')
    return evaluate(flags, flag.key, flag.type, ZERO[flag.type], context)
  })

  /** Validates `definition` for `key` against the whole set, then stores it as the override. */
  const store = async (key: string, definition: JsonObject, actor: string, reason: string) => {
    const single = validateFlagDefinition(key, definition)
    if (single.length > 0) return { problems: single }
    const overrides = Object.fromEntries([...(await overridesByKey())].map(([k, o]) => [k, o.definition]))
    const compiled = ctx.tryOverrides({ ...overrides, [key]: definition })
    if (!compiled.ok) return { problems: compiled.problems }
    const override = await ctx.store.putOverride({ key, definition, actor, reason })
    await ctx.refreshFromStore()
    return { override }
  }

  app.put<{ Params: { key: string } }>('/v1/flags/:key', { preHandler: operator }, async (request, reply) => {
    const reason = request.reason!
    const definition = isObject(request.body) ? request.body.definition : undefined
        if (!isObject(definition)) return adminError(reply, 'SLUICE_ERR_ADMIN_INVALID', 'Body must be {definition: {...flagd flag...}, reason}.')
    try {
      const result = await store(request.params.key, definition, request.actor!.name, reason)
      if ('problems' in result) return adminError(reply, 'SLUICE_ERR_ADMIN_INVALID', 'The flag definition does not compile.', result.problems)
      return { key: request.params.key, definition, override: result.override }
    } catch (err) {
      return storeError(reply, err)
    }
  })

  app.patch<{ Params: { key: string } }>('/v1/flags/:key', { preHandler: operator }, async (request, reply) => {
    const reason = request.reason!
    if (!isObject(request.body)) return adminError(reply, 'SLUICE_ERR_ADMIN_INVALID', `Body must be a JSON object with some of ${PATCHABLE.join(', ')}.`)
    const flag = ctx.snapshot().flags.get(request.params.key)
    if (flag === undefined) return adminError(reply, 'SLUICE_ERR_ADMIN_NOT_FOUND', `No flag ${request.params.key}; PUT a whole definition to create one.`)
    const unknown = Object.keys(request.body).filter((k) => k !== 'reason' && !(PATCHABLE as readonly string[]).includes(k))
    if (unknown.length > 0) return adminError(reply, 'SLUICE_ERR_ADMIN_INVALID', `Unknown fields: ${unknown.join(', ')}.`)
    const definition: Record<string, unknown> = { ...flag.definition }
    for (const field of PATCHABLE) if (field in request.body) definition[field] = request.body[field]
    try {
      const result = await store(flag.key, definition as JsonObject, request.actor!.name, reason)
      if ('problems' in result) return adminError(reply, 'SLUICE_ERR_ADMIN_INVALID', 'The patched flag does not compile.', result.problems)
      return { key: flag.key, definition, override: result.override }
    } catch (err) {
      return storeError(reply, err)
    }
  })

  app.delete<{ Params: { key: string } }>('/v1/flags/:key/override', { preHandler: operator }, async (request, reply) => {
    const reason = request.reason!
    try {
      const removed = await ctx.store.deleteOverride(request.params.key, { actor: request.actor!.name, reason })
      if (!removed) return adminError(reply, 'SLUICE_ERR_ADMIN_NOT_FOUND', `Flag ${request.params.key} has no override.`)
      await ctx.refreshFromStore()
      return { key: request.params.key, removed: true }
    } catch (err) {
      return storeError(reply, err)
    }
  })
}
