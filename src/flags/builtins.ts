// Control flags Sluice ships with (docs/flags.md). They ship dark: every default is the safe value, so a
// fresh install forwards no AI traffic until config turns `ai.egress.enabled` on. A file or inline
// flag with the same key replaces a built-in; a runtime override replaces both.
import type { FlagDefinition } from './types.js'

function onOff(defaultOn: boolean, description: string): FlagDefinition {
  return {
    state: 'ENABLED',
    variants: { on: true, off: false },
    defaultVariant: defaultOn ? 'on' : 'off',
    metadata: { description },
  }
}

function modes(values: readonly string[], description: string): FlagDefinition {
  return {
    state: 'ENABLED',
    variants: Object.fromEntries(values.map((mode) => [mode, mode])),
    // The first mode is the safe one.
    defaultVariant: values[0]!,
    metadata: { description },
  }
}

/** The fixed control flags, with their dark defaults. A fresh object each call. */
export function builtinFlags(): Record<string, FlagDefinition> {
  return {
    'ai.egress.enabled': onOff(false, 'Master switch: forward any request to an AI provider.'),
    'ai.streaming.enabled': onOff(false, 'Allow streamed (SSE) responses.'),
    'ai.guardrails.mode': modes(['off', 'log-only', 'block'], 'Guardrails: off, log findings, or block.'),
    'ai.bandit.mode': modes(['off', 'shadow', 'canary', 'active'], 'Bandit routing stage.'),
    'ai.shadow.enabled': onOff(false, 'Mirror sampled requests to the configured shadow targets (docs/shadow.md).'),
    'ai.budget.enforce': onOff(false, 'Deny requests over budget (otherwise only count).'),
    'ai.ratelimit.enforce': onOff(false, 'Deny requests over rate limits (otherwise only count).'),
  }
}

/**
 * `ai.provider.<name>.enabled` for each provider, defaulting to **on**. `ai.egress.enabled` is the
 * switch that ships dark; if each provider also defaulted off, enabling traffic would take one
 * call per provider, and a provider added to config later would stay silently blocked. A provider
 * can still be turned off on its own.
 */
export function providerFlags(providers: readonly string[]): Record<string, FlagDefinition> {
  return Object.fromEntries(
    providers.map((name) => [`ai.provider.${name}.enabled`, onOff(true, `Forward requests to provider ${name}.`)]),
  )
}

export type KillSwitchScope = 'model' | 'provider' | 'route'

/** `ai.killswitch.<scope>.<name>` for each name, defaulting to off (traffic flows). */
export function killSwitchFlags(names: Readonly<Partial<Record<KillSwitchScope, readonly string[]>>>): Record<string, FlagDefinition> {
  const entries = Object.entries(names).flatMap(([scope, list]) =>
    (list ?? []).map((name): [string, FlagDefinition] => [
      `ai.killswitch.${scope}.${name}`,
      onOff(false, `Kill switch: deny every request to ${scope} ${name}.`),
    ]),
  )
  return Object.fromEntries(entries)
}
