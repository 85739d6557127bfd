// `experiments:` (SPEC §9): A/B/n experiments over a virtual model's targets. Each variant names
// one of the model's targets; a user is assigned a variant by flagd's `fractional` over
// `seed + targetingKey` (assign.ts), among the users its targeting admits, and is served by that
// target (the model's other targets follow as fallbacks). docs/experiments.md.
import { Type, type Static } from '@sinclair/typebox'

const NAME = { pattern: '^[A-Za-z0-9._-]+$', patternErrorMessage: 'must use only letters, digits and . _ -' }

export const ExperimentVariantSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64, ...NAME }),
    weight: Type.Integer({ minimum: 0, default: 1, description: 'Share of the experiment\'s users: weight / sum of weights.' }),
    control: Type.Boolean({ default: false, description: 'The variant the others are compared with; exactly one.' }),
    target: Type.Object(
      {
        provider: Type.String({ minLength: 1 }),
        model: Type.String({ minLength: 1 }),
      },
      { additionalProperties: false, description: 'One of the virtual model\'s targets, which serves this variant\'s users.' },
    ),
  },
  { additionalProperties: false },
)
export type ExperimentVariantConfig = Static<typeof ExperimentVariantSchema>

export const ExperimentStatuses = ['draft', 'running', 'stopped', 'concluded'] as const

export const ExperimentSchema = Type.Object(
  {
    description: Type.Optional(Type.String()),
    status: Type.Union(
      ExperimentStatuses.map((s) => Type.Literal(s)),
      { default: 'draft', description: 'Only a running experiment assigns users; the others leave traffic to the model\'s weights.' },
    ),
    model: Type.String({ minLength: 1, description: 'The virtual model (a key of `models:`) whose traffic is split.' }),
    seed: Type.Optional(Type.String({ minLength: 1, description: 'Bucketing seed; default the experiment\'s key. A new seed reshuffles users.' })),
    allocationPercent: Type.Number({ minimum: 0, maximum: 100, default: 100, description: 'Share of eligible users in the experiment (hundredths honoured).' }),
    targeting: Type.Optional(
      Type.Unknown({ description: 'A flagd JsonLogic rule over the evaluation context; users for whom it is not true are not in the experiment.' }),
    ),
    variants: Type.Array(ExperimentVariantSchema, { minItems: 2, maxItems: 16 }),
  },
  { additionalProperties: false },
)
export type ExperimentConfig = Static<typeof ExperimentSchema>

export const ExperimentsSchema = Type.Record(Type.String({ minLength: 1, maxLength: 64, ...NAME }), ExperimentSchema, {
  default: {},
  additionalProperties: false,
  description: 'A/B/n experiments over virtual models (docs/experiments.md).',
})
