// A real stack for end-to-end tests: the four provider emulators and Sluice, each on an ephemeral
// port on 127.0.0.1, with Sluice's decision log captured so tests can assert what it counted.
import { Writable } from 'node:stream'
import { EMULATOR_CREDENTIALS, startEmulators, type Emulators } from '../../src/emulators/index.js'
import { emulatorProviders, TRAFFIC_ON_FLAGS } from '../../src/emulators/sluice-config.js'
import { createLogger } from '../../src/log.js'
import { startSluice, type Sluice, type StartOptions } from '../../src/main.js'
import type { Usage } from '../../src/core/wire.js'

export const CLIENT = {
  id: 'checkout-app',
  tenant: 'shop',
  credentials: {
    accessKeyId: 'AKIDCHECKOUTAPP00000',
    secretAccessKey: 'checkout-app-secret-key-0123456789',
    apiKey: 'sk-checkout-app-key',
  },
} as const

export interface DecisionRecord {
  requestId: string
  provider: string
  model: string
  operation?: string
  stream?: boolean
  client?: string
  decision: string
  code: string
  status: number
  usage?: Usage
  clientAborted?: boolean
  attempts?: number
  target?: string
  fallback?: boolean
  upstreamBroken?: boolean
}

export interface Stack {
  readonly emulators: Emulators
  readonly sluice: Sluice
  readonly decisions: DecisionRecord[]
  /** Every log line Sluice wrote, raw. */
  readonly logLines: string[]
  /** Resolves with the decision record of `requestId` once it is logged (settle runs after the response ends). */
  decision(requestId: string): Promise<DecisionRecord>
  close(): Promise<void>
}

export function stackConfig(emulators: Emulators, extra: Record<string, unknown> = {}): StackConfig {
  return {
    server: { host: '127.0.0.1', port: 0, maxBodyBytes: 64 * 1024 },
    admin: { host: '127.0.0.1', port: 0 },
    state: { store: 'memory' },
    providers: emulatorProviders(emulators),
    clients: [CLIENT],
    // Egress and streaming ship dark; these tests exercise the traffic path, so turn both on.
    flags: TRAFFIC_ON_FLAGS,
    log: { level: 'info' },
    ...extra,
  } as StackConfig
}

export interface StackOptions {
  /** Adjusts the generated config (see stackConfig) before Sluice starts. */
  configure?: (config: StackConfig) => void
  start?: Partial<StartOptions>
}

export type StackConfig = Record<string, unknown> & { providers: Record<string, Record<string, unknown>> }

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const emulators = await startEmulators({ auth: EMULATOR_CREDENTIALS })
  const decisions: DecisionRecord[] = []
  const logLines: string[] = []
  const waiters = new Map<string, (record: DecisionRecord) => void>()
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line === '') continue
        logLines.push(line)
        const record = JSON.parse(line) as DecisionRecord & { msg: string }
        if (record.msg !== 'decision') continue
        decisions.push(record)
        waiters.get(record.requestId)?.(record)
      }
      done()
    },
  })
  const config = stackConfig(emulators)
  options.configure?.(config)
  // Sluice's own logger factory (with its redaction), writing into the capture.
  const logger = createLogger((config.log as { level?: string } | undefined)?.level ?? 'info', sink)
  const sluice = await startSluice({
    configText: JSON.stringify(config),
    logger,
    ...options.start,
  })
  return {
    emulators,
    sluice,
    decisions,
    logLines,
    decision(requestId) {
      const found = decisions.find((d) => d.requestId === requestId)
      if (found !== undefined) return Promise.resolve(found)
      return new Promise((resolve) => waiters.set(requestId, resolve))
    },
    async close() {
      await sluice.close()
      await emulators.close()
    },
  }
}
