// The pieces of a Sluice config that point at running emulators, shared by `sluice demo` and the
// end-to-end tests: one provider per emulator on its usual mount, and the flags that turn traffic
// on (egress and streaming ship dark).
import { EMULATOR_CREDENTIALS, type Emulators } from './index.js'

export const FLAG_ON = { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'on' } as const

export const TRAFFIC_ON_FLAGS = { 'ai.egress.enabled': FLAG_ON, 'ai.streaming.enabled': FLAG_ON } as const

export function emulatorProviders(emulators: Emulators): Record<string, Record<string, unknown>> {
  const c = EMULATOR_CREDENTIALS
  return {
    bedrock: {
      type: 'bedrock',
      mount: '/bedrock',
      region: c.bedrock.region,
      endpoint: emulators.bedrock.url,
      credentials: { accessKeyId: c.bedrock.accessKeyId, secretAccessKey: c.bedrock.secretAccessKey },
    },
    google: { type: 'gemini', mount: '/google', endpoint: emulators.gemini.url, apiKey: c.gemini.apiKey },
    meta: { type: 'llama', mount: '/meta', endpoint: emulators.llama.url, apiKey: c.llama.apiKey },
    openai: { type: 'openai', mount: '/openai', endpoint: emulators.openai.url, apiKey: c.openai.apiKey },
  }
}
