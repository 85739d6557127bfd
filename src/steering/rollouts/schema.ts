// `rollouts:` (docs/rollouts.md): canary rollouts of one target against another on a virtual model
// (both are its targets) or on a native model of a mount (both name models of providers of that
// mount's type). The step machine and health tests are in rollout.ts and health.ts; this is their
// config, with the defaults the simulations were tuned on.
import { Type, type Static } from '@sinclair/typebox'
import { WebhookSchema } from '../../gates/budget/schema.js'

const TargetRef = (what: string) =>
  Type.Object({ provider: Type.String({ minLength: 1 }), model: Type.String({ minLength: 1 }) }, { additionalProperties: false, description: what })

export const RolloutStepSchema = Type.Object(
  {
    percent: Type.Number({ exclusiveMinimum: 0, maximum: 100, description: 'Canary share of the users, in percent (hundredths honoured).' }),
    minDurationSeconds: Type.Number({ minimum: 0, default: 600, description: 'Time the step is held at least.' }),
    minSamplesPerArm: Type.Integer({ minimum: 0, default: 300, description: 'Requests each arm needs in the step before it can pass.' }),
  },
  { additionalProperties: false },
)

export const DEFAULT_STEP_PERCENTS: readonly number[] = [1, 5, 10, 25, 50, 100]

/** The health defaults (docs/rollouts.md "Defaults and why"); health.ts `DEFAULT_HEALTH_SETTINGS`. */
export const HEALTH_DEFAULTS = {
  rollbackConfidence: 0.4,
  promoteConfidence: 0.95,
  tuningSampleSize: 3000,
  minTestSamples: 100,
  errorRateTolerance: 0.01,
  latencyTolerance: 0.2,
  costTolerance: 0.2 as number | null,
  maxErrorRate: null as number | null,
  hardStopMinSamples: 100,
} as const

const h = HEALTH_DEFAULTS
export const RolloutHealthSchema = Type.Object(
  {
    errorRateTolerance: Type.Number({ minimum: 0, maximum: 1, default: h.errorRateTolerance, description: 'Absolute: worse when the canary\'s error rate exceeds stable\'s by more than this.' }),
    latencyTolerance: Type.Number({ minimum: 0, default: h.latencyTolerance, description: 'Relative: worse when the canary\'s latency (median and p95 alike, log scale) exceeds stable\'s × (1 + this).' }),
    costTolerance: Type.Union([Type.Number({ minimum: 0 }), Type.Null()], {
      default: h.costTolerance,
      description: 'Relative: worse when the canary\'s mean cost per request exceeds stable\'s × (1 + this); null: cost is not judged.',
    }),
    maxErrorRate: Type.Union([Type.Number({ exclusiveMinimum: 0, maximum: 1 }), Type.Null()], {
      default: h.maxErrorRate,
      description: 'Hard stop: roll back when the canary\'s own error rate is above this (with hardStopMinSamples canary requests); null: none.',
    }),
    hardStopMinSamples: Type.Integer({ minimum: 1, default: h.hardStopMinSamples }),
    rollbackConfidence: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1, default: h.rollbackConfidence, description: 'Of the sequence that decides a rollback.' }),
    promoteConfidence: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1, default: h.promoteConfidence, description: 'Of the sequence that must rule out a regression before a step passes.' }),
    tuningSampleSize: Type.Integer({ minimum: 2, default: h.tuningSampleSize, description: 'Both arms\' requests at which the sequences are tightest.' }),
    minTestSamples: Type.Integer({ minimum: 2, default: h.minTestSamples, description: 'Requests per arm before any verdict is read.' }),
  },
  { additionalProperties: false, default: {} },
)

export const RolloutActions = ['start', 'complete', 'stop'] as const

export const RolloutSchema = Type.Object(
  {
    description: Type.Optional(Type.String()),
    model: Type.String({ minLength: 1, description: 'The virtual model (a key of `models:`); with `mount`, the native model id whose requests on that mount are split.' }),
    mount: Type.Optional(Type.String({ minLength: 1, description: 'A provider (a key of `providers:`): roll out on its native requests for `model`.' })),
    stable: TargetRef('What serves everyone outside the canary: one of the virtual model\'s targets, or a model of a provider of the mount\'s type.'),
    canary: TargetRef('The new target, given a growing share of the users.'),
    seed: Type.Optional(Type.String({ minLength: 1, description: 'Bucketing seed; default the rollout\'s id. A new seed reshuffles who is in the canary.' })),
    steps: Type.Array(RolloutStepSchema, {
      minItems: 2,
      maxItems: 20,
      default: DEFAULT_STEP_PERCENTS.map((percent) => ({ percent, minDurationSeconds: 600, minSamplesPerArm: 300 })),
      description: 'Strictly increasing percents ending at 100; passing the step before 100 completes the rollout.',
    }),
    health: RolloutHealthSchema,
    activation: Type.Record(Type.String({ pattern: '^[A-Za-z0-9_-]+$' }), Type.Union(RolloutActions.map((a) => Type.Literal(a))), {
      default: { canary: 'start', active: 'complete', dark: 'stop' },
      description: 'What applying an activation sequence does to this rollout: `start` (from step 1), `complete` (canary to 100 %), `stop` (canary to 0 %).',
    }),
    alertWebhooks: Type.Array(WebhookSchema, { default: [], description: 'POSTed on every automatic rollback and completion.' }),
  },
  { additionalProperties: false },
)
export type RolloutConfig = Static<typeof RolloutSchema>

export const RolloutsSchema = Type.Record(Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' }), RolloutSchema, {
  default: {},
  additionalProperties: false,
  description: 'Canary rollouts by id (docs/rollouts.md). A model runs at most one split: an experiment or a rollout.',
})
