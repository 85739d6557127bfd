import { describe, expect, it } from 'vitest'
import { snapshotOf } from '../../test/support/snapshot.js'
import { parseConfig } from '../config/load.js'
import { checkCandidate } from './runtime.js'

function config(gates: Record<string, unknown>) {
  const loaded = parseConfig(JSON.stringify({ state: { store: 'memory' }, gates }))
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems))
  return loaded.config
}

describe('gates: in config', () => {
  it('names registered gates only', () => {
    expect(checkCandidate(config({ killSwitches: { failMode: 'open' } }), '.').ok).toBe(true)
    const refused = checkCandidate(config({ killSwitch: { failMode: 'open' } }), '.')
    expect(refused).toEqual({ ok: false, problems: ['gates.killSwitch: no such gate (the gates are killSwitches, controlFlags, guardrails, rateLimits, budgets)'] })
  })

  it('overrides a gate\'s own fail mode; the module\'s default otherwise', () => {
    const modes = (gates: Record<string, unknown>) => Object.fromEntries(snapshotOf({ gates }).gates.map((g) => [g.name, g.failMode]))
    expect(modes({})).toEqual({ killSwitches: 'closed', controlFlags: 'closed', guardrails: 'closed' })
    expect(modes({ controlFlags: { failMode: 'open' } })).toEqual({ killSwitches: 'closed', controlFlags: 'open', guardrails: 'closed' })
  })
})

describe('experiments: targeting', () => {
  const withTargeting = (targeting: unknown) => {
    const loaded = parseConfig(
      JSON.stringify({
        state: { store: 'memory' },
        providers: { openai: { type: 'openai', mount: '/openai', apiKey: 'sk-test' } },
        models: { chat: { targets: [{ provider: 'openai', model: 'a' }, { provider: 'openai', model: 'b' }] } },
        experiments: {
          trial: {
            status: 'running',
            model: 'chat',
            targeting,
            variants: [
              { name: 'control', control: true, target: { provider: 'openai', model: 'a' } },
              { name: 'b', target: { provider: 'openai', model: 'b' } },
            ],
          },
        },
      }),
    )
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems))
    return loaded.config
  }

  it('compiles a flagd rule, and refuses one flagd would not load', () => {
    expect(checkCandidate(withTargeting({ '==': [{ var: 'tenant' }, 'shop'] }), '.').ok).toBe(true)
    const refused = checkCandidate(withTargeting({ no_such_operator: [1, 2] }), '.')
    expect(refused.ok).toBe(false)
    expect(!refused.ok && refused.problems.join('\n')).toMatch(/experiments targeting: .*experiment:trial.*no_such_operator/)
  })
})
