// The canary-rollout stack both rollout e2e tests use: the stack's providers plus a second OpenAI
// provider `next` on another emulator set, a virtual model `chat` over `openai/gpt-4o-mini` and
// `next/gpt-4o-mini` (the same model, so nothing but the two upstreams' health differs), no
// retries and no circuit (every failure is the judge's to see), and rollout `next` between them
// with one long step (nothing promotes on its own).
import type { Emulators } from '../../src/emulators/index.js'
import { stackConfig } from './stack.js'

export function canaryStackConfig(stable: Emulators, canary: Emulators, rollout: Record<string, unknown> = {}): Record<string, unknown> {
  const providers = stackConfig(stable).providers
  return {
    providers: { ...providers, next: { ...providers.openai, mount: '/next', endpoint: canary.openai.url } },
    resilience: { retries: { maxRetries: 0 }, circuitBreaker: { enabled: false } },
    models: { chat: { targets: [{ provider: 'openai', model: 'gpt-4o-mini' }, { provider: 'next', model: 'gpt-4o-mini', weight: 0 }] } },
    rollouts: {
      next: {
        model: 'chat',
        stable: { provider: 'openai', model: 'gpt-4o-mini' },
        canary: { provider: 'next', model: 'gpt-4o-mini' },
        steps: [{ percent: 50, minDurationSeconds: 3600, minSamplesPerArm: 1_000_000 }, { percent: 100 }],
        health: { costTolerance: null, minTestSamples: 30 },
        ...rollout,
      },
    },
  }
}
