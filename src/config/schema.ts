// The one config schema (docs/config.md). TypeScript types are derived from it with `Static`, and
// `config/sluice.schema.json` is written from it for editors (`npm run schema`).
// Every object rejects unknown keys; defaults and units live here and nowhere else.
// `patternErrorMessage` (a VS Code JSON Schema extension) is what editors and `sluice validate`
// say when a pattern does not match.
import { Type, type Static, type TObject, type TProperties } from '@sinclair/typebox'
import { RateLimitsSchema } from '../gates/rate-limit/schema.js'
import { BudgetsSchema } from '../gates/budget/schema.js'
import { AlternatesSchema, ModelsSchema } from '../models/schema.js'
import { ExperimentsSchema } from '../steering/experiments/schema.js'
import { RolloutsSchema } from '../steering/rollouts/schema.js'
import { ShadowsSchema } from '../steering/shadow/schema.js'
import { GuardrailsSchema } from '../gates/guardrails/schema.js'
import { ResilienceSchema } from '../resilience/schema.js'
import { TelemetrySchema } from '../telemetry/schema.js'
import { ProviderTypes } from '../core/wire.js'
import { Secret, SecretUserinfo } from '../core/secret.js'

const strict = <T extends TProperties>(properties: T, options: { description?: string } = {}): TObject<T> =>
  Type.Object(properties, { additionalProperties: false, ...options })

/** An object whose every key is optional gets `{}` as its default so nested defaults apply. */
const section = <T extends TProperties>(properties: T, description: string): TObject<T> =>
  Type.Object(properties, { additionalProperties: false, default: {}, description })


const Credentials = strict(
  {
    // The key id too: it names the AWS account (sts:GetAccessKeyInfo), and no viewer needs it.
    accessKeyId: Secret(Type.String({ minLength: 1 })),
    secretAccessKey: Secret(Type.String({ minLength: 1 })),
    sessionToken: Type.Optional(Secret(Type.String({ minLength: 1 }))),
  },
  { description: 'Static AWS key pair. Omit to use the AWS default credential chain.' },
)

export const ProviderSchema = strict({
  type: Type.Union(ProviderTypes.map((t) => Type.Literal(t)), { description: 'Wire dialect of the provider.' }),
  mount: Type.String({
    pattern: '^/[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*$',
    patternErrorMessage: 'must start with / and not end with /, using only letters, digits and . _ ~ - between slashes',
    description: 'Path prefix on the data plane, e.g. /bedrock. Must not end with a slash.',
  }),
  endpoint: Type.Optional(
    SecretUserinfo(
      Type.String({
        pattern: '^https?://[^/]+(/.*)?$',
        patternErrorMessage: 'must be an http:// or https:// URL',
        description: 'Upstream base URL. Default: the provider\'s public endpoint (Bedrock: from `region`).',
      }),
    ),
  ),
  region: Type.Optional(
    Type.String({
      minLength: 1,
      description: 'AWS region (bedrock only), upstream and the one region client SigV4 signatures may be scoped to. Default us-east-1.',
    }),
  ),
  credentials: Type.Optional(Credentials),
  project: Type.Optional(
    Type.String({
      minLength: 1,
      pattern: '^[a-z][a-z0-9.:-]*$',
      patternErrorMessage: 'must be a Google Cloud project id',
      description: 'Google Cloud project (vertex only) every call is addressed to, whatever project the client\'s path names. Required unless apiKey (express mode) is set.',
    }),
  ),
  location: Type.Optional(
    Type.String({
      minLength: 1,
      pattern: '^[a-z0-9-]+$',
      patternErrorMessage: 'must be a Vertex AI location such as us-central1 or global',
      description: 'Vertex AI location (vertex only) every call is addressed to; also picks the default endpoint. Default global.',
    }),
  ),
  credentialsFile: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        'Google credentials JSON file (vertex only): a service-account key, workload identity federation or authorized_user file. Default: application default credentials (GOOGLE_APPLICATION_CREDENTIALS, gcloud, the metadata server).',
    }),
  ),
  apiKey: Type.Optional(
    Secret(
      Type.String({
        minLength: 1,
        description: 'Upstream key: Gemini x-goog-api-key, Llama/OpenAI Bearer, a Bedrock API key (Bearer), or a Vertex AI express-mode key (x-goog-api-key, instead of Google credentials).',
      }),
    ),
  ),
  auth: Type.Union([Type.Literal('client'), Type.Literal('none')], {
    default: 'client',
    description: '`client`: callers must present a credential from `clients:`. `none`: trusted localhost sidecar.',
  }),
  connections: Type.Integer({ minimum: 1, default: 256, description: 'Max upstream sockets in the keep-alive pool.' }),
  connectTimeoutMs: Type.Integer({ minimum: 1, default: 10_000, description: 'Upstream TCP/TLS connect timeout.' }),
  headersTimeoutMs: Type.Integer({
    minimum: 1,
    default: 300_000,
    description: 'Max wait for upstream response headers (time to first byte).',
  }),
  bodyTimeoutMs: Type.Integer({ minimum: 1, default: 300_000, description: 'Max idle gap between upstream body chunks.' }),
  alternates: Type.Optional(AlternatesSchema),
})
export type ProviderConfig = Static<typeof ProviderSchema>

export const ClientSchema = strict({
  id: Type.String({
    minLength: 1,
    pattern: '^[A-Za-z0-9._:-]+$',
    patternErrorMessage: 'must use only letters, digits and . _ : -',
  }),
  tenant: Type.Optional(Type.String({ minLength: 1 })),
  attributes: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()]), { default: {} }),
  credentials: strict({
    // Not a secret: the client's name in SigV4, shown in /v1/config like `id`.
    accessKeyId: Type.Optional(Type.String({ minLength: 1, description: 'SigV4 access key id the Bedrock SDK signs with.' })),
    secretAccessKey: Type.Optional(Secret(Type.String({ minLength: 1, description: 'Secret Sluice verifies the SigV4 signature with.' }))),
    apiKey: Type.Optional(Secret(Type.String({ minLength: 1, description: 'Gemini key / Bearer token for the other mounts.' }))),
    allowUnsignedPayload: Type.Optional(
      Type.Boolean({
        description:
          'Accept SigV4 requests signed with x-amz-content-sha256: UNSIGNED-PAYLOAD, whose signature does not cover the body (a captured request could be replayed with another body). Default false (absent).',
      }),
    ),
  }),
})
export type ClientConfig = Static<typeof ClientSchema>

export const AdminTokenSchema = strict({
  name: Type.String({ minLength: 1 }),
  token: Secret(Type.String({ minLength: 16, description: 'Bearer token; at least 16 characters.' })),
  role: Type.Union([Type.Literal('viewer'), Type.Literal('operator'), Type.Literal('admin')]),
})

export const ConfigSchema = strict({
  server: section(
    {
      host: Type.String({ default: '0.0.0.0' }),
      port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
      maxBodyBytes: Type.Integer({
        minimum: 1,
        default: 10 * 1024 * 1024,
        description: 'Largest request body accepted, in bytes; beyond it the client gets 413 in its dialect.',
      }),
      shutdownGraceMs: Type.Integer({
        minimum: 0,
        default: 30_000,
        description: 'On SIGTERM, how long in-flight requests (streams included) may take to finish.',
      }),
      idleTimeoutMs: Type.Integer({
        minimum: 1,
        default: 65_000,
        description:
          'A connection with no request in flight is closed after this long: an HTTP/1.1 keep-alive connection, or an HTTP/2 session with no open stream (GOAWAY). Read at startup.',
      }),
      headersTimeoutMs: Type.Integer({
        minimum: 1,
        default: 10_000,
        description:
          'Longest wait for a request head: the first bytes of a new connection, and (HTTP/1.1) the complete headers of each request; past it HTTP/1.1 gets 408 and the connection closes. Capped at requestBodyTimeoutMs. Read at startup.',
      }),
      requestBodyTimeoutMs: Type.Integer({
        minimum: 1,
        default: 60_000,
        description:
          'Longest time from a request\'s arrival until its body has been received in full. HTTP/1.1: 408 and the connection closes; HTTP/2: the stream is reset (CANCEL). The request is settled as aborted by the client. Read at startup.',
      }),
      http2: section(
        {
          maxConcurrentStreams: Type.Integer({
            minimum: 1,
            maximum: 4_294_967_295,
            default: 128,
            description: 'SETTINGS_MAX_CONCURRENT_STREAMS: open streams per session; clients queue beyond it.',
          }),
          maxResetsPerWindow: Type.Integer({
            minimum: 1,
            maximum: 100_000,
            default: 500,
            description:
              'Streams a client may reset (RST_STREAM before the response finished) per session within resetWindowMs; one more and the session gets GOAWAY ENHANCE_YOUR_CALM and is closed (rapid reset, CVE-2023-44487).',
          }),
          resetWindowMs: Type.Integer({
            minimum: 1,
            default: 10_000,
            description: 'The sliding window maxResetsPerWindow counts over, in milliseconds.',
          }),
          maxSessionMemoryMb: Type.Integer({
            minimum: 1,
            default: 10,
            description: 'Memory one session may hold in nghttp2 (node maxSessionMemory), in MiB; past it new streams are refused (ENHANCE_YOUR_CALM).',
          }),
          maxHeaderListPairs: Type.Integer({
            minimum: 4,
            default: 128,
            description: 'Most header fields in one request, pseudo-headers included (node maxHeaderListPairs).',
          }),
          maxHeaderListBytes: Type.Integer({
            minimum: 1,
            default: 32_768,
            description: 'SETTINGS_MAX_HEADER_LIST_SIZE: largest uncompressed header list of one request, in bytes (each field counts name + value + 32).',
          }),
        },
        'HTTP/2 (h2c) limits, per session. Read at startup.',
      ),
    },
    'Data plane listener (HTTP/1.1 and h2c prior knowledge on one port).',
  ),
  admin: section(
    {
      host: Type.String({ default: '127.0.0.1' }),
      port: Type.Integer({ minimum: 0, maximum: 65535, default: 9901 }),
      tokens: Type.Array(AdminTokenSchema, { default: [] }),
    },
    'Admin plane: health, metrics, admin API.',
  ),
  state: section(
    {
      store: Type.Union([Type.Literal('sqlite'), Type.Literal('memory'), Type.Literal('redis')], { default: 'sqlite' }),
      path: Type.String({ default: './data', description: 'Directory for the sqlite store.' }),
      redis: Type.Optional(
        strict({
          url: SecretUserinfo(Type.String({ pattern: '^rediss?://', patternErrorMessage: 'must start with redis:// or rediss://' })),
        }),
      ),
    },
    'Where overrides, switches, counters and the audit log live.',
  ),
  // additionalProperties: false, or a provider whose name misses the pattern is silently unchecked.
  providers: Type.Record(Type.String({ pattern: '^[A-Za-z0-9_-]+$' }), ProviderSchema, {
    default: {},
    additionalProperties: false,
  }),
  clients: Type.Array(ClientSchema, { default: [] }),
  models: ModelsSchema,
  experiments: ExperimentsSchema,
  rollouts: RolloutsSchema,
  shadows: ShadowsSchema,
  guardrails: GuardrailsSchema,
  unified: section(
    {
      auth: Type.Union([Type.Literal('client'), Type.Literal('none')], {
        default: 'client',
        description: '`client`: callers present a client apiKey as Bearer (the OpenAI SDK\'s apiKey). `none`: trusted localhost sidecar.',
      }),
    },
    'The OpenAI-compatible unified endpoint: POST /v1/chat/completions and GET /v1/models over `models:`.',
  ),
  resilience: ResilienceSchema,
  telemetry: TelemetrySchema,
  log: section(
    {
      level: Type.Union(
        ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
        { default: 'info' },
      ),
      decisions: Type.Boolean({ default: true, description: 'Write one decision record per request (at info).' }),
    },
    'Structured JSON logs on stdout (pino). Credentials are always redacted.',
  ),
  flagSources: Type.Array(Type.String({ minLength: 1 }), {
    default: [],
    description: 'flagd flag-definition files (YAML or JSON), relative to the config file; watched and reloaded.',
  }),
  flags: Type.Record(Type.String(), Type.Unknown(), {
    default: {},
    description: 'Inline flagd flag definitions (key → {state, variants, defaultVariant, targeting, metadata}).',
  }),
  activation: section(
    {
      sequences: Type.Record(Type.String({ pattern: '^[A-Za-z0-9_-]+$' }), Type.Record(Type.String(), Type.String()), {
        default: {
          dark: { 'ai.egress.enabled': 'off', 'ai.shadow.enabled': 'off' },
          shadow: { 'ai.egress.enabled': 'on', 'ai.bandit.mode': 'shadow', 'ai.shadow.enabled': 'on' },
          canary: { 'ai.egress.enabled': 'on', 'ai.bandit.mode': 'canary', 'ai.shadow.enabled': 'on' },
          active: { 'ai.egress.enabled': 'on', 'ai.bandit.mode': 'active', 'ai.shadow.enabled': 'off' },
        },
        description: 'Named bundles of flag → variant, applied atomically by POST /v1/activation/{sequence}.',
      }),
    },
    'Activation sequences (dark → shadow → canary → active by default).',
  ),
  gates: Type.Record(
    Type.String({ pattern: '^[A-Za-z][A-Za-z0-9]*$' }),
    strict({
      failMode: Type.Optional(
        Type.Union([Type.Literal('open'), Type.Literal('closed')], {
          description: '`closed` denies (SLUICE_ERR_GATE_FAILED), `open` lets the request through. Default: the gate\'s own (docs/lifecycle.md).',
        }),
      ),
    }),
    {
      default: {},
      description:
        'Per gate, keyed by its name (killSwitches, controlFlags, rateLimits, budgets): what it does if it fails internally. Unknown gate names are refused.',
    },
  ),
  rateLimits: RateLimitsSchema,
  budgets: BudgetsSchema,
  ofrep: section(
    {
      auth: Type.Union([Type.Literal('client'), Type.Literal('none')], {
        default: 'client',
        description: '`client`: OFREP callers present a client apiKey as Bearer (or X-API-Key). `none`: open.',
      }),
    },
    'OpenFeature Remote Evaluation Protocol on the data plane under /ofrep/v1/.',
  ),
  environments: Type.Optional(
    Type.Record(Type.String(), Type.Record(Type.String(), Type.Unknown()), {
      description: 'Overlays deep-merged over the file when `--env NAME` / SLUICE_ENV=NAME selects one.',
    }),
  ),
})

export type Config = Static<typeof ConfigSchema>
