// The stack the dashboard's browser tests drive: the emulators and a real Sluice with three admin
// tokens (one per role) and something on every page: a canary rollout, an A/B experiment, a bandit,
// a shadow, budgets with a threshold, rate-limit rules and guardrails in log-only mode.
import { FLAG_ON, TRAFFIC_ON_FLAGS } from '../../src/emulators/sluice-config.js'
import { startStack, type Stack } from '../support/stack.js'

export const TOKENS = {
  admin: 'dashboard-admin-token-0123456789',
  operator: 'dashboard-operator-token-012345',
  viewer: 'dashboard-viewer-token-01234567',
} as const

const VARIANTS = [
  { name: 'control', control: true, weight: 1, target: { provider: 'openai', model: 'gpt-4o-mini' } },
  { name: 'gemini', weight: 1, target: { provider: 'google', model: 'gemini-2.5-flash' } },
]

export function startDashboardStack(): Promise<Stack> {
  return startStack({
    configure(config) {
      config.admin = {
        host: '127.0.0.1',
        port: 0,
        tokens: [
          { name: 'root', token: TOKENS.admin, role: 'admin' },
          { name: 'oncall', token: TOKENS.operator, role: 'operator' },
          { name: 'grafana', token: TOKENS.viewer, role: 'viewer' },
        ],
      }
      config.log = { level: 'warn' }
      // The canary is a second mount on the same OpenAI emulator: only the rollout tells them apart.
      config.providers.next = { ...config.providers.openai, mount: '/next' }
      config.resilience = { retries: { maxRetries: 0 } }
      config.models = {
        chat: { targets: [{ provider: 'openai', model: 'gpt-4o-mini' }, { provider: 'next', model: 'gpt-4o-mini', weight: 0 }] },
        'support-chat': { targets: [{ provider: 'openai', model: 'gpt-4o-mini' }, { provider: 'google', model: 'gemini-2.5-flash', weight: 0 }] },
        duo: {
          targets: [{ provider: 'openai', model: 'gpt-4o-mini' }, { provider: 'google', model: 'gemini-2.5-flash' }],
          bandit: { feedbackSecret: 'bandit-feedback-secret-0123456789', reward: { success: 1 }, syncMs: 100 },
        },
      }
      config.rollouts = {
        next: {
          model: 'chat',
          stable: { provider: 'openai', model: 'gpt-4o-mini' },
          canary: { provider: 'next', model: 'gpt-4o-mini' },
          steps: [{ percent: 10, minDurationSeconds: 3600, minSamplesPerArm: 1_000_000 }, { percent: 50, minDurationSeconds: 3600, minSamplesPerArm: 1_000_000 }, { percent: 100 }],
          health: { costTolerance: null, minTestSamples: 30 },
        },
      }
      config.experiments = { 'gemini-trial': { status: 'running', model: 'support-chat', seed: 'trial-2026', variants: VARIANTS } }
      config.shadows = { mirror: { model: 'chat', target: { provider: 'google', model: 'gemini-2.5-flash' } } }
      config.rateLimits = { rules: [{ name: 'per-client', key: ['client'], requests: { limit: 100_000, windowSeconds: 3600 } }] }
      config.budgets = {
        limits: {
          shop: { scope: 'tenant', target: 'shop', limitUsd: 5, window: 'day', thresholds: [{ atPercent: 80, actions: [{ action: 'alert' }] }] },
          // Small enough for the test's traffic to cross its thresholds (enforcement is off: counted, never refused).
          'mini-daily': {
            scope: 'model',
            target: 'gpt-4o-mini',
            limitUsd: 0.0005,
            window: 'day',
            thresholds: [{ atPercent: 50, actions: [{ action: 'alert' }] }, { atPercent: 90, actions: [{ action: 'alert' }] }],
          },
        },
      }
      config.flags = {
        ...TRAFFIC_ON_FLAGS,
        'ai.shadow.enabled': FLAG_ON,
        'ai.bandit.mode': { state: 'ENABLED', variants: { off: 'off', shadow: 'shadow', canary: 'canary', active: 'active' }, defaultVariant: 'active' },
        'ai.guardrails.mode': { state: 'ENABLED', variants: { off: 'off', 'log-only': 'log-only', block: 'block' }, defaultVariant: 'log-only' },
        'ui.new-composer': {
          state: 'ENABLED',
          variants: { on: true, off: false },
          defaultVariant: 'off',
          targeting: { if: [{ '==': [{ var: 'plan' }, 'beta'] }, 'on', 'off'] },
        },
      }
    },
  })
}
