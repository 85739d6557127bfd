// `models.<name>.bandit` (docs/bandits.md): a bandit that chooses among a
// virtual model's targets. Every setting is optional; the defaults are the decision core's
// (settings.ts), tuned on the simulations. The flag `ai.bandit.mode` (off | shadow | canary |
// active) decides per request whether it routes, so activation sequences drive it.
import { Type, type Static } from '@sinclair/typebox'
import { Secret } from '../../core/secret.js'

const Positive = (description: string) => Type.Optional(Type.Number({ exclusiveMinimum: 0, description }))
const Unit = (description: string) => Type.Optional(Type.Number({ minimum: 0, maximum: 1, description }))

export const BanditSchema = Type.Object(
  {
    canaryPercent: Type.Number({
      minimum: 0,
      maximum: 100,
      default: 10,
      description: 'In mode `canary`, the share of requests the bandit routes; the rest follow the weights.',
    }),
    feedbackSecret: Type.Optional(
      Secret(
        Type.String({
          minLength: 16,
          description: 'Signs the x-sluice-feedback token; every replica of a fleet needs the same one. Default: random per process (one replica only).',
        }),
      ),
    ),
    feedbackTtlMs: Type.Integer({ minimum: 1000, default: 86_400_000, description: 'How long a feedback token is accepted after its response.' }),
    syncMs: Type.Integer({ minimum: 50, default: 1000, description: 'How often this replica shares its statistics and reads the others\' (the staleness bound).' }),
    priorAlpha: Positive('Beta prior successes of every arm (default 1).'),
    priorBeta: Positive('Beta prior failures of every arm (default 1).'),
    evidenceWeight: Positive('Trials each observation counts as (default 8).'),
    discount: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1, description: 'Multiplies an arm\'s sums on each of its updates (default 0.998).' })),
    halfLifeMs: Positive('Every arm\'s sums halve over this time (default one hour).'),
    floor: Type.Optional(Type.Number({ minimum: 0, description: 'No arm is chosen less often than this (default 0.02); floor × arms ≤ 1.' })),
    reward: Type.Optional(
      Type.Object(
        {
          success: Unit('Weight of answering at all (default 1).'),
          latency: Unit('Weight of speed (default 0).'),
          cost: Unit('Weight of cheapness (default 0).'),
          quality: Unit('Weight of the application\'s feedback (default 0).'),
          latencyCeilingMs: Positive('A success this slow earns nothing for latency.'),
          costCeilingUsd: Positive('A success this expensive earns nothing for cost.'),
        },
        { additionalProperties: false, description: 'The reward: the weights success + latency + cost + quality sum to 1.' },
      ),
    ),
    constraints: Type.Optional(
      Type.Object(
        {
          maxErrorRate: Unit('An arm erring more often than this is not chosen.'),
          maxLatencyMs: Positive('An arm slower than this (at latencyQuantile) is not chosen.'),
          latencyQuantile: Type.Optional(Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1 })),
          halfLifeMs: Positive('Half-life of the constraint counts.'),
          minSamples: Type.Optional(Type.Number({ minimum: 1, description: 'Requests an arm needs before a constraint applies.' })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
)
export type BanditConfig = Static<typeof BanditSchema>
