// `guardrails:` (docs/guardrails.md): which detectors run, what each does on a match, where it
// looks, and what it does when it cannot look. The mode itself (off, log-only, block) is the flag
// `ai.guardrails.mode`, evaluated per request, so flag targeting sets it per route, model,
// provider or client. Defaults here are what an operator gets by turning the flag on alone.
import { Type, type Static, type TObject, type TProperties } from '@sinclair/typebox'

/** Every key has a default, so each object defaults to `{}` and nested defaults apply. */
const section = <T extends TProperties>(properties: T, description: string): TObject<T> =>
  Type.Object(properties, { additionalProperties: false, default: {}, description })

const literals = <T extends string>(values: readonly T[], options: { default?: T; description: string }) =>
  Type.Union(
    values.map((v) => Type.Literal(v)),
    options,
  )

export const PII_KINDS = ['email', 'phone', 'card', 'ssn', 'iban'] as const
export const CREDENTIAL_KINDS = ['aws_access_key_id', 'aws_secret_key', 'private_key', 'jwt', 'api_key'] as const
const GUARDRAIL_ACTIONS = ['block', 'redact', 'log'] as const
export type GuardrailAction = (typeof GUARDRAIL_ACTIONS)[number]
const GUARDRAIL_SIDES = ['request', 'response'] as const
type GuardrailSide = (typeof GUARDRAIL_SIDES)[number]

const action = (defaultAction: GuardrailAction) =>
  literals(GUARDRAIL_ACTIONS, {
    default: defaultAction,
    description: '`block` refuses the request (or ends the answer), `redact` masks the match in the request before it leaves (block mode; on answers it logs), `log` only records it.',
  })

const failMode = literals(['open', 'closed'] as const, {
  default: 'open',
  description: 'When the detector cannot read the body (an unknown shape): `open` lets it through (counted), `closed` refuses it with SLUICE_ERR_GUARDRAIL_UNAVAILABLE.',
})

const on = (sides: GuardrailSide[]) =>
  Type.Array(literals(GUARDRAIL_SIDES, { description: 'request or response' }), {
    default: sides,
    uniqueItems: true,
    description: 'Where the detector looks: the request\'s text, the answer\'s text (streamed answers included), or both.',
  })

const detector = <T extends TProperties>(defaultAction: GuardrailAction, sides: GuardrailSide[], extra: T, description: string) =>
  section({ enabled: Type.Boolean({ default: true, description: 'Run this detector.' }), action: action(defaultAction), failMode, on: on(sides), ...extra }, description)

const kinds = <T extends string>(values: readonly T[]) =>
  Type.Array(literals(values, { description: values.join(', ') }), { default: [...values], uniqueItems: true, description: 'Which kinds of match to look for.' })

export const GuardrailsSchema = section(
  {
    pii: detector('redact', ['request', 'response'], { kinds: kinds(PII_KINDS) }, 'Personal data: e-mail addresses, phone numbers, payment card numbers (Luhn-checked), US SSNs, IBANs (checksum-checked).'),
    credentials: detector('block', ['request', 'response'], { kinds: kinds(CREDENTIAL_KINDS) }, 'Credentials: AWS access key ids and secret keys, PEM private keys, JWTs, common provider API key shapes.'),
    injection: detector('log', ['request'], {}, 'Prompt-injection heuristics (a documented rule list, docs/guardrail-detectors.md).'),
    denyList: detector(
      'block',
      ['request', 'response'],
      {
        words: Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'Words matched case-insensitively on word boundaries.' }),
        patterns: Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'JavaScript regular expressions (flags giu).' }),
        file: Type.Optional(
          Type.String({ minLength: 1, description: 'A file of more entries, relative to the config file: one per line, `re:` before a pattern, `#` comments; watched and reloaded.' }),
        ),
      },
      'Your own words and patterns. Runs only when it has an entry.',
    ),
    model: section(
      {
        enabled: Type.Boolean({ default: false, description: 'Ask a guard model about each request\'s text.' }),
        target: Type.Optional(
          Type.Object(
            {
              provider: Type.String({ minLength: 1, description: 'A provider under `providers:`.' }),
              model: Type.String({ minLength: 1, description: 'The guard model\'s native id there (e.g. a Llama Guard model).' }),
            },
            { additionalProperties: false, description: 'Where the guard model is; required when enabled. Reached through Sluice\'s own upstream path (unified translation).' },
          ),
        ),
        action: literals(['block', 'log'] as const, { default: 'block', description: '`block` refuses a request the model calls unsafe; `log` records it.' }),
        failMode,
        timeoutMs: Type.Integer({ minimum: 1, default: 2000, description: 'How long the model may take; past it the fail mode decides.' }),
        cacheSize: Type.Integer({ minimum: 0, default: 10_000, description: 'Verdicts remembered, by the text\'s SHA-256; 0 turns the cache off.' }),
        cacheTtlSeconds: Type.Integer({ minimum: 1, default: 300, description: 'How long a verdict is remembered.' }),
      },
      'A model-based detector (requests only): the text goes to a guard model whose answer starts with `safe` or `unsafe` (then category codes, as Llama Guard answers). Its calls are counted in the `guardrail` budget scope.',
    ),
    size: section(
      {
        maxInputTokens: Type.Optional(Type.Integer({ minimum: 1, description: 'Refuse a request whose text is estimated above this many tokens (bytes / 4).' })),
        maxMessages: Type.Optional(Type.Integer({ minimum: 1, description: 'Refuse a request with more messages (turns) than this.' })),
        action: literals(['block', 'log'] as const, { default: 'block', description: '`block` refuses an oversized request; `log` only records it.' }),
      },
      'Size limits on requests.',
    ),
  },
  'Guardrails (gate 4). The mode is flag `ai.guardrails.mode`: off (default), log-only, block.',
)

export type GuardrailsConfig = Static<typeof GuardrailsSchema>
export type DetectorKey = 'pii' | 'credentials' | 'injection' | 'denyList'
export type ModelDetectorConfig = GuardrailsConfig['model']
