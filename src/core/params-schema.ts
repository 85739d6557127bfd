// The schema of the request parameters Sluice can force (`RequestParams` in wire.ts): a target's
// `params` (models/schema.ts) and an experiment variant's (steering/experiments/schema.ts).
// Here, below both, so neither config fragment imports the other's folder.
import { Type } from '@sinclair/typebox'

export const ParamsSchema = Type.Object(
  {
    temperature: Type.Optional(Type.Number({ minimum: 0, maximum: 2 })),
    topP: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    maxTokens: Type.Optional(Type.Integer({ minimum: 1, description: 'Caps the client\'s max_tokens (and is used when it states none).' })),
  },
  { additionalProperties: false, description: 'Request parameters this target forces, whatever the client sent.' },
)
