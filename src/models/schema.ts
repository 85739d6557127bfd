// Virtual models of the unified endpoint (docs/unified.md, issue #5) and same-dialect alternates of native
// mounts. A target is a provider (a key of `providers:`) plus a native model id, with optional
// parameter overrides and timeouts; its id `<provider>/<model>` names its circuit breaker.
import { Type, type Static } from '@sinclair/typebox'
import { ParamsSchema } from '../core/params-schema.js'
import { TimeoutsSchema } from '../resilience/schema.js'
import { BanditSchema } from '../steering/bandit/schema.js'

export const TargetSchema = Type.Object(
  {
    provider: Type.String({ minLength: 1, description: 'A key of `providers:`.' }),
    model: Type.String({ minLength: 1, description: 'The provider\'s native model id.' }),
    weight: Type.Integer({
      minimum: 0,
      default: 1,
      description: 'Share of traffic this target gets first; 0 makes it a fallback only.',
    }),
    params: Type.Optional(ParamsSchema),
    timeouts: Type.Optional(TimeoutsSchema),
  },
  { additionalProperties: false },
)
export type TargetConfig = Static<typeof TargetSchema>

export const VirtualModelSchema = Type.Object(
  {
    description: Type.Optional(Type.String()),
    targets: Type.Array(TargetSchema, {
      minItems: 1,
      description: 'The first target is picked by weight; on failure the others follow in the order listed.',
    }),
    bandit: Type.Optional(BanditSchema),
  },
  { additionalProperties: false },
)
export type VirtualModelConfig = Static<typeof VirtualModelSchema>

export const ModelsSchema = Type.Record(
  Type.String({ pattern: '^[A-Za-z0-9._:/-]+$', patternErrorMessage: 'must use only letters, digits and . _ : / -' }),
  VirtualModelSchema,
  {
    default: {},
    additionalProperties: false,
    description: 'Virtual models of POST /v1/chat/completions: the `model` a client names → targets (docs/unified.md).',
  },
)

export const AlternateSchema = Type.Object(
  {
    provider: Type.Optional(Type.String({ minLength: 1, description: 'Another provider of the same type (e.g. a second region). Default: this one.' })),
    model: Type.String({ minLength: 1 }),
    timeouts: Type.Optional(TimeoutsSchema),
  },
  { additionalProperties: false },
)
export type AlternateConfig = Static<typeof AlternateSchema>

export const AlternatesSchema = Type.Record(Type.String({ minLength: 1 }), Type.Array(AlternateSchema, { minItems: 1 }), {
  description:
    'Native model id → same-dialect fallbacks, tried in order when the model fails before the first byte (docs/resilience.md).',
})
