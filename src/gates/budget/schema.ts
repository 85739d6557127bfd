// Config for cost budgets (docs/budgets.md), mounted by the main schema at `budgets:`. Styled like
// src/config/schema.ts: objects reject unknown keys, defaults and units live here. Checks a JSON
// Schema cannot express (time zones, per-action fields) are in semantic.ts. docs/budgets.md is
// the operator's view.
import { Type, type Static, type TObject, type TProperties } from '@sinclair/typebox'
import { Secret } from '../../core/secret.js'

const strict = <T extends TProperties>(properties: T, options: { description?: string } = {}): TObject<T> =>
  Type.Object(properties, { additionalProperties: false, ...options })

/** An object whose every key is optional gets `{}` as its default so nested defaults apply. */
const section = <T extends TProperties>(properties: T, description: string): TObject<T> =>
  Type.Object(properties, { additionalProperties: false, default: {}, description })

export const budgetScopes = ['global', 'provider', 'model', 'route', 'client', 'tenant', 'user', 'shadow', 'guardrail'] as const
export type BudgetScope = (typeof budgetScopes)[number]

export const budgetActions = ['alert', 'throttle', 'disable', 'downgrade', 'shutdown'] as const
export type BudgetActionName = (typeof budgetActions)[number]

const literals = <T extends string>(values: readonly T[], options: { default?: T; description?: string } = {}) =>
  Type.Union(values.map((v) => Type.Literal(v)), options)

/** USD per million tokens. `cachedInputPerMTok` defaults to `inputPerMTok` when a model has no cache price. */
export const PriceSchema = strict({
  inputPerMTok: Type.Number({ minimum: 0, description: 'USD per million input tokens (cached ones excluded).' }),
  outputPerMTok: Type.Number({ minimum: 0, description: 'USD per million output tokens (reasoning included).' }),
  cachedInputPerMTok: Type.Optional(Type.Number({ minimum: 0, description: 'USD per million cached input tokens read.' })),
})
export type Price = Static<typeof PriceSchema>

const PRICE_KEY = '^(bedrock|gemini|llama|openai)/.+$'

const priceMap = (options: { default?: object; description: string }) =>
  Type.Record(Type.String({ pattern: PRICE_KEY, patternErrorMessage: 'must be <bedrock|gemini|llama|openai>/<model>' }), PriceSchema, {
    additionalProperties: false,
    ...options,
  })

/** The shipped data file config/prices.json. */
export const PriceFileSchema = strict({
  updated: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'Date the prices were last checked.' }),
  note: Type.String(),
  sources: Type.Array(Type.String({ pattern: '^https://' }), { minItems: 1 }),
  models: priceMap({
    description: '`<provider type>/<model id or prefix>` → price; matched case-insensitively, longest prefix first.',
  }),
})
export type PriceFile = Static<typeof PriceFileSchema>

export const ThresholdActionSchema = strict({
  action: literals(budgetActions, {
    description:
      '`alert`: webhooks + metric + audit. `throttle`: scale the scope\'s rate by `factor`. `disable`: refuse the ' +
      'scope for the rest of the window (and its kill switch, if it has one). `downgrade`: route to `toModel`. ' +
      '`shutdown`: emergency shutdown (global kill switch).',
  }),
  factor: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'throttle only: rate multiplier, e.g. 0.5.' })),
  toModel: Type.Optional(Type.String({ minLength: 1, description: 'downgrade only: the cheaper native model id.' })),
})
export type ThresholdAction = Static<typeof ThresholdActionSchema>

export const ThresholdSchema = strict({
  atPercent: Type.Number({ minimum: 1, maximum: 1000, description: 'Fires when settled spend reaches this % of limitUsd.' }),
  actions: Type.Array(ThresholdActionSchema, { minItems: 1 }),
})
export type Threshold = Static<typeof ThresholdSchema>

export const BudgetSchema = strict({
  scope: literals(budgetScopes, {
    description: 'What the spend is counted by. `shadow` counts mirrored traffic only and `guardrail` the model-based guardrail\'s calls only, which no other scope but `global` counts.',
  }),
  target: Type.Optional(
    Type.String({
      minLength: 1,
      description: 'Count only this provider/model/route/client/tenant/user. Omit: a separate budget for each value.',
    }),
  ),
  limitUsd: Type.Number({ minimum: 0, description: 'Spend allowed per window, in USD.' }),
  window: literals(['day', 'month', 'rolling'] as const, {
    description: '`day`/`month`: calendar windows in `timeZone`. `rolling`: the last `windowSeconds`.',
  }),
  timeZone: Type.String({ minLength: 1, default: 'UTC', description: 'IANA time zone of calendar windows.' }),
  windowSeconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 90 * 86_400, description: 'rolling only.' })),
  thresholds: Type.Array(ThresholdSchema, {
    default: [
      { atPercent: 80, actions: [{ action: 'alert' }] },
      { atPercent: 100, actions: [{ action: 'alert' }] },
    ],
    description: 'Actions fired once per window when spend crosses each threshold.',
  }),
})
export type BudgetConfig = Static<typeof BudgetSchema>

// Both secret: header values carry tokens, and a Slack- or Teams-style webhook URL is
// itself the credential (its path is the token).
export const WebhookSchema = strict({
  url: Secret(Type.String({ pattern: '^https?://', patternErrorMessage: 'must be an http:// or https:// URL' })),
  headers: Type.Record(Type.String(), Secret(Type.String()), { default: {}, description: 'e.g. authorization: Bearer ${TOKEN}.' }),
})

export const BudgetsSchema = section(
  {
    limits: Type.Record(Type.String({ pattern: '^[A-Za-z0-9_-]+$' }), BudgetSchema, {
      default: {},
      additionalProperties: false,
      description: 'Budgets by name. The name is part of the spend key: renaming one starts it from zero.',
    }),
    prices: priceMap({ default: {}, description: 'Overrides and additions to the shipped config/prices.json, same keys and shape.' }),
    unknownModel: section(
      {
        policy: literals(['price', 'deny'] as const, {
          default: 'price',
          description: '`price`: charge the prices below. `deny`: refuse models without a price (SLUICE_ERR_BUDGET_PRICE_UNKNOWN).',
        }),
        inputPerMTok: Type.Number({ minimum: 0, default: 15 }),
        outputPerMTok: Type.Number({ minimum: 0, default: 75 }),
      },
      'Models no price key matches. The default price is deliberately high, so a new model spends budget fast rather than free.',
    ),
    estimate: section(
      {
        bytesPerToken: Type.Number({ minimum: 1, default: 4, description: 'Input tokens estimated as body bytes / this.' }),
        defaultOutputTokens: Type.Integer({ minimum: 0, default: 1024, description: 'Output estimate when the request sets no max_tokens.' }),
      },
      'How a call is priced before it is made (the reservation).',
    ),
    sync: section(
      {
        intervalMs: Type.Integer({ minimum: 10, default: 250, description: 'How often local spend is pushed to and read from the store.' }),
        onSettle: Type.Boolean({ default: true, description: 'Also sync right after each call settles (coalesced).' }),
        localShareWhenStoreDown: Type.Number({
          minimum: 0,
          maximum: 1,
          default: 1,
          description: 'While the store is unreachable, the share of the remaining budget this replica may spend. 1/N for N replicas keeps the fleet inside the limit; 0 fails closed.',
        }),
      },
      'Sharing spend through the state store (Redis across a fleet).',
    ),
    alerts: section(
      {
        webhooks: Type.Array(WebhookSchema, { default: [], description: 'Every `alert` action POSTs to each of these.' }),
        maxAttempts: Type.Integer({ minimum: 1, maximum: 20, default: 5 }),
        baseDelayMs: Type.Integer({ minimum: 0, default: 1000, description: 'Backoff before retry n is baseDelayMs × 2^(n-1).' }),
        maxDelayMs: Type.Integer({ minimum: 0, default: 30_000 }),
        timeoutMs: Type.Integer({ minimum: 1, default: 5000, description: 'Per attempt.' }),
      },
      'Delivery of `alert` actions.',
    ),
  },
  'Cost budgets (docs/budgets.md). Enforced when flag ai.budget.enforce is on; otherwise spend is only counted.',
)
export type BudgetsConfig = Static<typeof BudgetsSchema>
