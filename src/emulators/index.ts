// Provider emulators (docs/cli.md): local Bedrock Runtime, Gemini, Llama and OpenAI endpoints that
// the official SDKs accept, scriptable in-process (`emulator.script`) or over HTTP:
//   POST /__emulator/script          a Behaviour or an array of them, queued FIFO, one per request
//   POST /__emulator/defaults        partial EmulatorDefaults, replacing the standing defaults
//   POST /__emulator/reset-script    empty the queue, restore the starting defaults
//   GET  /__emulator/stats           {type, total, byOperation, pending, defaults}
//   GET  /__emulator/requests        the recorded requests, oldest first
//   POST /__emulator/reset-requests  zero the counts and the log
// Control endpoints need no auth and are not recorded. Chat-style operations answer a tool call when
// scripted (`{"toolCall":{"name":...,"arguments":{...}}}`) or when the request forces a tool; see tool-call.ts.
import { createBedrockEmulator, type BedrockAuth } from './bedrock.js'
import { createGeminiEmulator } from './gemini.js'
import { createLlamaEmulator } from './llama.js'
import type { KeyAuth } from './key-auth.js'
import { createOpenAIEmulator } from './openai.js'
import { createVertexEmulator, type VertexAuth } from './vertex.js'
import type { RequestLog } from './request-log.js'
import { Script, type EmulatorDefaults } from './script.js'
import { createEmulatorServer, type EmulatorServer } from './server.js'

export type { BedrockAuth } from './bedrock.js'
export type { KeyAuth } from './key-auth.js'
export type { VertexAuth } from './vertex.js'
export { VertexTokens, type ServiceAccount } from './vertex-token.js'
export type { RecordedRequest, RequestLog, RequestStats } from './request-log.js'
export { DEFAULTS, Script, type Behaviour, type EmulatorDefaults, type ScriptedToolCall } from './script.js'
export { buildReply, countInputTokens } from './content.js'

export type EmulatorType = 'bedrock' | 'gemini' | 'llama' | 'openai'
export const EMULATOR_TYPES: readonly EmulatorType[] = ['bedrock', 'gemini', 'llama', 'openai']
/** Vertex AI is not one of the set startEmulators starts: its auth needs a caller's service-account key (startEmulator('vertex')). */
export type AnyEmulatorType = EmulatorType | 'vertex'

/** What each emulator demands of callers; an absent entry accepts any credential or none. */
export interface EmulatorAuth {
  readonly bedrock: BedrockAuth
  readonly gemini: KeyAuth
  readonly llama: KeyAuth
  readonly openai: KeyAuth
}

type AuthOf<T extends AnyEmulatorType> = T extends EmulatorType ? EmulatorAuth[T] : VertexAuth

/**
 * Fixed, obviously fake credentials for `sluice demo` and tests. Readonly by type only: the AWS SDK
 * writes a `$source` marker onto the credentials object it is given and throws on a frozen one.
 */
export const EMULATOR_CREDENTIALS: EmulatorAuth = {
  bedrock: {
    accessKeyId: 'AKIAEMULATOR0EXAMPLE',
    secretAccessKey: 'emulator/secret/access/key/EXAMPLE0000000',
    region: 'us-east-1',
    apiKey: 'bedrock-emulator-api-key',
  },
  gemini: { apiKey: 'gemini-emulator-key' },
  llama: { apiKey: 'llama-emulator-key' },
  openai: { apiKey: 'sk-openai-emulator-key' },
}

export interface EmulatorOptions<T extends AnyEmulatorType = EmulatorType> {
  /** TCP port; default 0 (ephemeral). */
  readonly port?: number
  /** Listen address; default 127.0.0.1. */
  readonly host?: string
  /** Credentials to require; default none (accept anything). */
  readonly auth?: AuthOf<T>
  /** Starting defaults; see EmulatorDefaults for each default value. */
  readonly defaults?: Partial<EmulatorDefaults>
  /** Newest requests kept in `requests.entries`; default 1000. */
  readonly requestLogLimit?: number
}

export interface Emulator {
  readonly type: AnyEmulatorType
  /** `http://host:port`, no trailing slash (add `/v1` for the OpenAI and Llama SDKs). */
  readonly url: string
  readonly port: number
  readonly script: Script
  readonly requests: RequestLog
  /** Stops listening and drops every connection, in-flight requests included. */
  close(): Promise<void>
}

// `startEmulator`'s type parameter ties `auth` to `type`; the switch cannot see that, hence the casts.
function createServer(type: AnyEmulatorType, auth: AuthOf<AnyEmulatorType> | undefined, script: Script, limit: number | undefined): EmulatorServer {
  switch (type) {
    case 'bedrock':
      return createEmulatorServer(type, createBedrockEmulator(auth as BedrockAuth | undefined), script, limit)
    case 'gemini':
      return createEmulatorServer(type, createGeminiEmulator(auth as KeyAuth | undefined), script, limit)
    case 'llama':
      return createEmulatorServer(type, createLlamaEmulator(auth as KeyAuth | undefined), script, limit)
    case 'openai':
      return createEmulatorServer(type, createOpenAIEmulator(auth as KeyAuth | undefined), script, limit)
    case 'vertex':
      return createEmulatorServer(type, createVertexEmulator(auth as VertexAuth | undefined), script, limit)
  }
}

export async function startEmulator<T extends AnyEmulatorType>(type: T, options: EmulatorOptions<T> = {}): Promise<Emulator> {
  const host = options.host ?? '127.0.0.1'
  const script = new Script(options.defaults)
  const { dual, requests } = createServer(type, options.auth, script, options.requestLogLimit)
  const port = await dual.listen(options.port ?? 0, host)
  return {
    type,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    script,
    requests,
    close() {
      const closed = dual.close()
      dual.destroy()
      return closed
    },
  }
}

export interface EmulatorsOptions {
  /** Port of the Bedrock emulator, the others following in order (gemini +1, llama +2, openai +3); default 0: all ephemeral. */
  readonly port?: number
  readonly host?: string
  /** Per-provider credentials to require, e.g. EMULATOR_CREDENTIALS; absent entries accept anything. */
  readonly auth?: Partial<EmulatorAuth>
  readonly defaults?: Partial<EmulatorDefaults>
  readonly requestLogLimit?: number
}

export type Emulators = { readonly [T in EmulatorType]: Emulator } & { close(): Promise<void> }

export async function startEmulators(options: EmulatorsOptions = {}): Promise<Emulators> {
  const started: Emulator[] = []
  try {
    for (const [i, type] of EMULATOR_TYPES.entries()) {
      const port = options.port === undefined || options.port === 0 ? 0 : options.port + i
      const { auth, ...rest } = options
      started.push(await startEmulator(type, { ...rest, port, ...(auth?.[type] === undefined ? {} : { auth: auth[type] }) }))
    }
  } catch (err) {
    await Promise.all(started.map((e) => e.close()))
    throw err
  }
  const [bedrock, gemini, llama, openai] = started as [Emulator, Emulator, Emulator, Emulator]
  return {
    bedrock,
    gemini,
    llama,
    openai,
    close: async () => {
      await Promise.all(started.map((e) => e.close()))
    },
  }
}
