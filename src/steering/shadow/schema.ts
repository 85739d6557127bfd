// `shadows.<id>` (docs/shadow.md): mirror a sampled share of one model's requests to a shadow
// target off the response path.
import { Type, type Static } from '@sinclair/typebox'

export const ShadowTargetSchema = Type.Object(
  {
    provider: Type.String({ minLength: 1, description: 'A provider under `providers:`.' }),
    model: Type.String({ minLength: 1, description: 'The native model id the mirrored call uses on it.' }),
  },
  { additionalProperties: false },
)

export const ShadowSchema = Type.Object(
  {
    model: Type.String({ minLength: 1, description: 'A virtual model name; with `mount`, a native model id on that provider.' }),
    mount: Type.Optional(Type.String({ minLength: 1, description: 'Shadow native requests of this provider (same provider type as the target).' })),
    target: ShadowTargetSchema,
    percent: Type.Number({ minimum: 0, maximum: 100, default: 100, description: 'Share of users (by targeting key) whose requests are mirrored.' }),
    seed: Type.Optional(Type.String({ minLength: 1, description: 'Hash seed of the sampling. Default: the shadow id.' })),
    maxConcurrent: Type.Integer({ minimum: 1, default: 8, description: 'Mirrored calls in flight at once; over it a mirror is skipped and counted.' }),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 1, description: 'Deadline of a mirrored call. Default: the retry deadline.' })),
  },
  { additionalProperties: false },
)

export type ShadowConfig = Static<typeof ShadowSchema>
export type ShadowsConfig = Record<string, ShadowConfig>

export const ShadowsSchema = Type.Record(Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' }), ShadowSchema, {
  default: {},
  additionalProperties: false,
  description: 'Shadow traffic by id (docs/shadow.md): mirror a sampled share of a model\'s requests to another target, off the response path.',
})
