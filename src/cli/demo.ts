// `sluice demo`: the four provider emulators plus Sluice on an embedded config, ready to call.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { EMULATOR_CREDENTIALS, startEmulators, type Emulators } from '../emulators/index.js'
import { emulatorProviders, TRAFFIC_ON_FLAGS } from '../emulators/sluice-config.js'
import { startSluice, type Sluice } from '../main.js'
import { portArg } from './args.js'
import { stopSignal } from './signals.js'

export const DEMO_CLIENT = {
  id: 'demo-app',
  tenant: 'demo',
  credentials: {
    accessKeyId: 'AKIDDEMOAPP000000000',
    secretAccessKey: 'demo-app-secret-key-not-for-production',
    apiKey: 'sk-demo-app-key',
  },
} as const

export const DEMO_MODELS = {
  claude: { targets: [{ provider: 'bedrock', model: 'anthropic.claude-3-haiku-20240307-v1:0' }] },
  gemini: { targets: [{ provider: 'google', model: 'gemini-2.5-flash' }] },
  llama: { targets: [{ provider: 'meta', model: 'Llama-4-Maverick-17B-128E-Instruct-FP8' }] },
  'chat-default': {
    description: 'Claude on Bedrock first; Gemini, then Llama, when it fails or is switched off',
    targets: [
      { provider: 'bedrock', model: 'anthropic.claude-3-haiku-20240307-v1:0' },
      { provider: 'google', model: 'gemini-2.5-flash', weight: 0 },
      { provider: 'meta', model: 'Llama-4-Maverick-17B-128E-Instruct-FP8', weight: 0 },
    ],
  },
  embed: { description: 'Embeddings: Titan on Bedrock, then Gemini', targets: [{ provider: 'bedrock', model: 'amazon.titan-embed-text-v2:0' }, { provider: 'google', model: 'gemini-embedding-001', weight: 0 }] },
} as const

export const DEMO_ADMIN_TOKEN = 'demo-admin-token-not-for-production'
/** Where `--keep-state` keeps switches and overrides between runs. */
export const DEMO_STATE_DIR = join(tmpdir(), 'sluice-demo')

export function demoConfig(emulators: Emulators, port: number, adminPort: number, stateDir: string = DEMO_STATE_DIR): string {
  return JSON.stringify({
    server: { host: '127.0.0.1', port },
    admin: { host: '127.0.0.1', port: adminPort, tokens: [{ name: 'demo-operator', token: DEMO_ADMIN_TOKEN, role: 'admin' }] },
    // The embedded store: a fresh directory per run, or the fixed one with --keep-state.
    state: { store: 'sqlite', path: stateDir },
    providers: emulatorProviders(emulators),
    clients: [DEMO_CLIENT],
    // Egress and streaming ship dark; the demo exists to show traffic, so it turns both on.
    flags: TRAFFIC_ON_FLAGS,
    // Virtual models for the unified endpoint: one per provider, and one that falls back.
    models: DEMO_MODELS,
  })
}

interface DemoArgs {
  readonly port: number
  readonly adminPort: number
  readonly keepState: boolean
}

function demoArgs(args: string[]): DemoArgs {
  const { values } = parseArgs({
    args,
    options: { port: { type: 'string', short: 'p' }, 'admin-port': { type: 'string' }, 'keep-state': { type: 'boolean' } },
    allowPositionals: false,
  })
  return {
    port: portArg('--port', values.port) ?? 8080,
    adminPort: portArg('--admin-port', values['admin-port']) ?? 9901,
    keepState: values['keep-state'] === true,
  }
}

export async function demo(args: string[]): Promise<number> {
  const { port, adminPort, keepState } = demoArgs(args)
  const stopped = stopSignal()
  // A run that remembered the last one's kill switches would greet a newcomer with 503s; fresh
  // state unless asked. The fresh directory goes when the demo stops.
  const stateDir = keepState ? DEMO_STATE_DIR : mkdtempSync(join(tmpdir(), 'sluice-demo-'))
  const dropState = (): void => {
    if (!keepState) rmSync(stateDir, { recursive: true, force: true })
  }
  let emulators: Emulators | undefined
  let sluice: Sluice
  try {
    emulators = await startEmulators({ auth: EMULATOR_CREDENTIALS })
    sluice = await startSluice({ configText: demoConfig(emulators, port, adminPort, stateDir) })
  } catch (err) {
    // Whatever started must stop, or its open sockets keep this process running after the error.
    await emulators?.close()
    dropState()
    process.stderr.write(`sluice demo: could not start: ${startProblem(err, port, adminPort)}\n`)
    return 1
  }
  process.stdout.write(snippets(sluice.dataUrl, sluice.adminUrl, keepState ? stateDir : undefined))
  await stopped
  await sluice.close()
  await emulators.close()
  dropState()
  return 0
}

function startProblem(err: unknown, port: number, adminPort: number): string {
  const code = (err as { code?: unknown } | null)?.code
  const message = err instanceof Error ? err.message : String(err)
  if (code !== 'EADDRINUSE') return message
  return `${message}\nA port is taken (data plane ${port}, admin ${adminPort}): stop what uses it, or pick others with --port N --admin-port N (0 = any free port).`
}

function snippets(data: string, admin: string, keptState: string | undefined): string {
  const { accessKeyId, secretAccessKey, apiKey } = DEMO_CLIENT.credentials
  const chat = `'{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello"}]}'`
  return `
Sluice demo is running: data plane ${data}, admin ${admin} (emulated providers, nothing leaves this machine).
State: ${keptState === undefined ? 'fresh for this run (--keep-state keeps kill switches and overrides across runs)' : `${keptState} (sqlite, --keep-state: kill switches and overrides persist across demo runs)`}
Client "${DEMO_CLIENT.id}": apiKey ${apiKey}, SigV4 pair ${accessKeyId} / ${secretAccessKey}

# OpenAI (add  "stream":true  for SSE)
curl -s ${data}/openai/v1/chat/completions -H 'authorization: Bearer ${apiKey}' -H 'content-type: application/json' -d ${chat}

# Unified endpoint: one OpenAI-format call, any provider (models: claude, gemini, llama, chat-default; embed for /v1/embeddings)
curl -s ${data}/v1/chat/completions -H 'authorization: Bearer ${apiKey}' -H 'content-type: application/json' \\
  -d '{"model":"chat-default","messages":[{"role":"user","content":"Hello"}]}'
curl -s ${data}/v1/models -H 'authorization: Bearer ${apiKey}'
curl -s ${data}/v1/embeddings -H 'authorization: Bearer ${apiKey}' -H 'content-type: application/json' -d '{"model":"embed","input":"Hello"}'

# Llama native
curl -s ${data}/meta/v1/chat/completions -H 'authorization: Bearer ${apiKey}' -H 'content-type: application/json' \\
  -d '{"model":"Llama-4-Maverick-17B-128E-Instruct-FP8","messages":[{"role":"user","content":"Hello"}]}'

# Gemini
curl -s '${data}/google/v1beta/models/gemini-2.5-flash:generateContent' -H 'x-goog-api-key: ${apiKey}' -H 'content-type: application/json' \\
  -d '{"contents":[{"role":"user","parts":[{"text":"Hello"}]}]}'

# Bedrock Converse, signed with SigV4 by curl itself
curl -s '${data}/bedrock/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse' --aws-sigv4 'aws:amz:us-east-1:bedrock' \\
  --user '${accessKeyId}:${secretAccessKey}' -H 'content-type: application/json' \\
  -d '{"messages":[{"role":"user","content":[{"text":"Hello"}]}]}'

# Node SDKs
new OpenAI({ baseURL: '${data}/openai/v1', apiKey: '${apiKey}' })
new OpenAI({ baseURL: '${data}/v1', apiKey: '${apiKey}' })   // unified: model 'chat-default', 'claude', 'gemini', 'llama'
new GoogleGenAI({ apiKey: '${apiKey}', httpOptions: { baseUrl: '${data}/google' } })
new LlamaAPIClient({ baseURL: '${data}/meta/v1', apiKey: '${apiKey}' })
new BedrockRuntimeClient({ region: 'us-east-1', endpoint: '${data}/bedrock',
  credentials: { accessKeyId: '${accessKeyId}', secretAccessKey: '${secretAccessKey}' } })

# Operate it: kill a model, watch the call above get 503, revive it (admin token: ${DEMO_ADMIN_TOKEN})
export SLUICE_ADMIN_URL=${admin} SLUICE_ADMIN_TOKEN=${DEMO_ADMIN_TOKEN}
npx sluice ctl kill model gpt-4o-mini --reason "demo"
npx sluice ctl revive model gpt-4o-mini --reason "demo over"
npx sluice ctl kill provider bedrock --reason "demo"   # chat-default now answers from Gemini (x-sluice-provider: google)
npx sluice ctl revive provider bedrock --reason "demo over"
npx sluice ctl circuits                                # circuit breaker per target
npx sluice ctl activate dark --reason "ship dark"      # and: activate active
curl -s -H 'authorization: Bearer ${DEMO_ADMIN_TOKEN}' ${admin}/v1/audit
# Or in a browser: the dashboard at ${admin}/ (sign in with the admin token above)

# Metrics and health
curl -s ${admin}/metrics | grep sluice_
curl -s ${admin}/healthz

Ctrl-C stops.
`
}
