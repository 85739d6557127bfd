// `experiments:` (docs/experiments.md): A/B/n experiments over a virtual model's targets. Each variant names
// one of the model's targets; a user is assigned a variant by flagd's `fractional` over
// `seed + targetingKey` (assign.ts), among the users its targeting admits, and is served by that
// target (the model's other targets follow as fallbacks). docs/experiments.md.
import { Type, type Static } from '@sinclair/typebox'
import { WebhookSchema } from '../../gates/budget/schema.js'
import { ParamsSchema } from '../../core/params-schema.js'

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
    // On top of the target's own params (unified requests), so two variants may share a target.
    params: Type.Optional(ParamsSchema),
  },
  { additionalProperties: false },
)
export type ExperimentVariantConfig = Static<typeof ExperimentVariantSchema>

/** The metrics every experiment records per request; application metrics must not reuse these names. */
export const BUILTIN_METRIC_NAMES = ['success', 'latency_ms', 'ttft_ms', 'cost_usd', 'input_tokens', 'output_tokens'] as const

export const ApplicationMetricSchema = Type.Object(
  {
    kind: Type.Union([Type.Literal('mean'), Type.Literal('proportion')], {
      default: 'mean',
      description: '`proportion`: every event\'s value is 0 or 1 (a conversion); `mean`: any number.',
    }),
    lowerIsBetter: Type.Boolean({ default: false, description: 'Turns verdicts around (a complaint rate, a handling time).' }),
  },
  { additionalProperties: false },
)

export const ExperimentStatuses = ['draft', 'running', 'stopped', 'concluded'] as const

export const ExperimentSchema = Type.Object(
  {
    description: Type.Optional(Type.String()),
    status: Type.Union(
      ExperimentStatuses.map((s) => Type.Literal(s)),
      { default: 'draft', description: 'Only a running experiment assigns users; the others leave traffic to the model\'s weights.' },
    ),
    model: Type.String({
      minLength: 1,
      description: 'The virtual model (a key of `models:`) whose traffic is split; with `mount`, the native model id whose requests on that mount are.',
    }),
    mount: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'A provider (a key of `providers:`): split the native requests for `model` on its mount. Variants then name models of providers of the same type (same dialect), as a budget downgrade does.',
      }),
    ),
    seed: Type.Optional(Type.String({ minLength: 1, description: 'Bucketing seed; default the experiment\'s key. A new seed reshuffles users.' })),
    allocationPercent: Type.Number({ minimum: 0, maximum: 100, default: 100, description: 'Share of eligible users in the experiment (hundredths honoured).' }),
    targeting: Type.Optional(
      Type.Unknown({ description: 'A flagd JsonLogic rule over the evaluation context; users for whom it is not true are not in the experiment.' }),
    ),
    variants: Type.Array(ExperimentVariantSchema, { minItems: 2, maxItems: 16 }),
    metrics: Type.Record(Type.String({ minLength: 1, maxLength: 64, ...NAME }), ApplicationMetricSchema, {
      default: {},
      description: 'Application metrics reported through POST /v1/events, by name.',
    }),
    primaryMetric: Type.String({ default: 'success', description: 'The metric that decides the winner: a built-in one or a key of `metrics`.' }),
    guardrailMetrics: Type.Array(Type.String(), {
      default: ['success', 'latency_ms'],
      description: 'Metrics no winner may be significantly worse on (the primary metric is skipped here).',
    }),
    confidence: Type.Number({ exclusiveMinimum: 0.5, exclusiveMaximum: 1, default: 0.95, description: 'Of every interval and test.' }),
    tuningSampleSize: Type.Integer({
      minimum: 2,
      default: 5000,
      description: 'Where the always-valid confidence sequence is tightest: the total requests you expect to look at.',
    }),
    minimumDetectableEffect: Type.Number({
      exclusiveMinimum: 0,
      default: 0.05,
      description: 'Relative change of the primary metric the sample-size estimate is for (0.05: 5 %).',
    }),
    autoConclude: Type.Boolean({
      default: false,
      description: 'Conclude by itself once the primary metric\'s sequential test is decisive and no guardrail metric is worse, promoting the winner.',
    }),
    winner: Type.Optional(
      Type.String({ minLength: 1, description: 'The variant a concluded experiment promoted: every request of the model is sent to its target first.' }),
    ),
    forceVariantClients: Type.Array(Type.String({ minLength: 1 }), {
      default: [],
      description: 'Client ids whose x-sluice-force-variant header is honoured (audit-logged, kept out of the statistics).',
    }),
    alertWebhooks: Type.Array(WebhookSchema, {
      default: [],
      description: 'POSTed a `sluice.experiment.concluded` event when the experiment concludes by itself (up to 5 attempts with backoff). Config only: the admin API refuses them in a definition (they are secrets).',
    }),
    tagUpstream: Type.Boolean({ default: false, description: 'Also send x-sluice-experiment and x-sluice-variant on the upstream request.' }),
  },
  { additionalProperties: false },
)
export type ExperimentConfig = Static<typeof ExperimentSchema>

export const ExperimentsSchema = Type.Record(Type.String({ minLength: 1, maxLength: 64, ...NAME }), ExperimentSchema, {
  default: {},
  additionalProperties: false,
  description: 'A/B/n experiments over virtual models (docs/experiments.md).',
})
