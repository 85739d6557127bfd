import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { builtinFlags, killSwitchFlags, providerFlags } from './builtins.js'

describe('built-in control flags', () => {
  it('are listed in docs/flags.md with their defaults', () => {
    const doc = readFileSync(new URL('../../docs/flags.md', import.meta.url), 'utf8')
    const rows = [...doc.matchAll(/^\| `(ai\.[a-z.]+)` \|[^|]*\| `([^`]+)`/gm)].map((m) => [m[1], m[2]])
    const defaults = Object.entries(builtinFlags()).map(([key, def]) => [key, def.defaultVariant])
    expect(Object.fromEntries(rows)).toEqual(Object.fromEntries(defaults))
  })

  it('name per-provider switches and kill switches by scope', () => {
    expect(Object.keys(providerFlags(['openai']))).toEqual(['ai.provider.openai.enabled'])
    expect(Object.keys(killSwitchFlags({ model: ['m1'], provider: ['p1'], route: ['r1'] }))).toEqual([
      'ai.killswitch.model.m1',
      'ai.killswitch.provider.p1',
      'ai.killswitch.route.r1',
    ])
  })
})
