import { describe, expect, it } from 'vitest'
import { loadFlagSources } from './document.js'
import {
  builtinFlags,
  changedFlagKeys,
  compileFlagSet,
  evaluate,
  killSwitchFlags,
  providerFlags,
  validateFlagDefinition,
  type CompileResult,
  type FlagSet,
  type FlagSource,
} from './index.js'

const FIXTURES = new URL('../../test/fixtures/flags/', import.meta.url).pathname

function sources(...paths: string[]): FlagSource[] {
  const loaded = loadFlagSources(paths, FIXTURES)
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'))
  return loaded.sources
}

function compiled(result: CompileResult): FlagSet {
  if (!result.ok) throw new Error(result.problems.join('\n'))
  return result.flagSet
}

const toggle = (on: boolean) => ({ state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: on ? 'on' : 'off' })

describe('compileFlagSet problems', () => {
  it('reports every problem of an invalid document, each with its source and path', () => {
    // Not among them: what flagd loads and answers at evaluation time (the `$ref` to missing-rule,
    // the `==` sem_ver operator, the -1 weight), which are warnings (evaluation-time.test.ts).
    const result = compileFlagSet(sources('invalid.yaml'))
    expect(result.ok).toBe(false)
    expect(!result.ok && result.problems).toEqual([
      'invalid.yaml: colour: unknown key (allowed: $schema, flags, $evaluators, metadata)',
      'invalid.yaml: $evaluators.loop-b.$ref: $ref cycle: loop-a → loop-b → loop-a',
      'invalid.yaml: $evaluators.not-a-rule: must be a JsonLogic rule (a mapping) (got [1,2])',
      'invalid.yaml: flags.bad-state.state: must be ENABLED or DISABLED (got "ON")',
      'invalid.yaml: flags.mixed-types.variants.off: is a string, but variant "on" is a boolean; all variants of a flag have one type (got "false")',
      'invalid.yaml: flags.mixed-types.defaultVariant: names no variant (variants: on, off) (got "purple")',
      'invalid.yaml: flags.no-variants.default: unknown key (allowed: state, variants, defaultVariant, targeting, metadata)',
      'invalid.yaml: flags.no-variants.variants: must be a mapping of at least one variant name to its value (got {})',
      "invalid.yaml: flags.bad-targeting.targeting.if[0].regex_match: unknown operator (not in flagd's targeting schema; see docs/flags.md)",
      'invalid.yaml: flags.bad-targeting.targeting.if[2].sem_ver[2]: is not a semantic version (got "1.x")',
      'invalid.yaml: flags.bad-fractional.targeting.fractional[0]: the bucketing value must be a string or an expression (got 7)',
      'invalid.yaml: flags.bad-fractional.targeting.fractional[1][1]: a weight must be an integer from 0 to 2147483647 (got 1.5)',
      'invalid.yaml: flags.bad-fractional.targeting.fractional[3]: a bucket must be ["variant"] or ["variant", weight] (got "b")',
      'invalid.yaml: flags.bad-var.targeting["=="][0].var: $flagd provides only $flagd.flagKey and $flagd.timestamp (got "$flagd.version")',
      'invalid.yaml: flags.two-operators.targeting: a JsonLogic operation has exactly one key (got keys ==, !=)',
      'invalid.yaml: flags.uses-loop.targeting.$ref: names an $evaluators entry that has problems (got "loop-a")',
      'invalid.yaml: flags.bad-metadata.variants.a: must be a boolean, string, finite number or mapping (got [1,2])',
      'invalid.yaml: flags.bad-metadata.metadata.team: must be a string, number or boolean (got {"name":"x"})',
    ])
  })

  it('refuses a key defined in two sources, naming both', () => {
    const result = compileFlagSet(sources('valid.json', 'extra.yaml'))
    expect(!result.ok && result.problems).toEqual([
      'extra.yaml: flags.checkout-theme: is defined in both valid.json and extra.yaml; a flag key belongs to one source',
    ])
  })

  it.each([
    [{ flags: [] }, 'inline: flags: must be a mapping of flag key to definition (got [])'],
    ['flags', 'inline: (root): must be a mapping with a `flags` mapping (got "flags")'],
    [{ flags: { x: null } }, 'inline: flags.x: must be a mapping with state and variants (got null)'],
    [{ flags: { '': toggle(true) } }, 'inline: flags[""]: a flag key must not be empty'],
    [{ flags: { x: { ...toggle(true), targeting: 'on' } } }, 'inline: flags.x.targeting: must be a JsonLogic rule (a mapping) (got "on")'],
    [{ flags: { x: { ...toggle(true), variants: { on: Infinity } } } }, 'inline: flags.x.variants.on: must be a boolean, string, finite number or mapping (got Infinity)'],
    [{ flags: { 'ai.x': { ...toggle(true), state: undefined } } }, 'inline: flags["ai.x"].state: must be ENABLED or DISABLED'],
  ])('reports %j as %j', (document, problem) => {
    const result = compileFlagSet([{ source: 'inline', document }])
    expect(!result.ok && result.problems).toEqual([problem])
  })

  it('warns about a targeting result that names no variant, and still compiles', () => {
    const document = { flags: { x: { ...toggle(false), targeting: { if: [{ var: 'beta' }, 'onn', 'off'] } } } }
    const result = compileFlagSet([{ source: 'inline', document }])
    expect(result.ok && result.warnings).toEqual([
      'inline: flags.x.targeting.if[1]: names no variant of this flag, so evaluating to it is an ERROR (got "onn")',
    ])
  })
})

describe('compileFlagSet precedence: built-in < file or inline < runtime override', () => {
  it('ships the control flags dark', () => {
    const flags = compiled(compileFlagSet([]))
    expect(flags.keys).toEqual(Object.keys(builtinFlags()).sort())
    for (const key of ['ai.egress.enabled', 'ai.streaming.enabled', 'ai.budget.enforce', 'ai.ratelimit.enforce']) {
      expect(evaluate(flags, key, 'boolean', true).value).toBe(false)
    }
    expect(evaluate(flags, 'ai.guardrails.mode', 'string', 'block').value).toBe('off')
    expect(evaluate(flags, 'ai.bandit.mode', 'string', 'active').value).toBe('off')
  })

  it('lets a file replace a built-in and an override replace the file', () => {
    const files = compiled(compileFlagSet(sources('valid.json')))
    expect(evaluate(files, 'ai.egress.enabled', 'boolean', false)).toMatchObject({ value: true, variant: 'on' })
    expect(files.get('ai.egress.enabled')?.origin).toBe('valid.json')

    const overridden = compiled(compileFlagSet(sources('valid.json'), { 'checkout-theme': { ...toggle(true), state: 'DISABLED' } }))
    expect(evaluate(overridden, 'checkout-theme', 'boolean', false)).toMatchObject({ reason: 'DISABLED' })
    expect(overridden.get('checkout-theme')).toMatchObject({ origin: 'overrides', metadata: { flagSetId: 'valid-json' } })
  })

  it('reports an invalid override under "overrides" and warns about one with no file definition', () => {
    const bad = compileFlagSet([], { 'ai.egress.enabled': { state: 'ENABLED', variants: { on: 'yes', off: false } } })
    expect(!bad.ok && bad.problems).toEqual([
      'overrides: flags["ai.egress.enabled"].variants.off: is a boolean, but variant "on" is a string; all variants of a flag have one type (got false)',
    ])
    const orphan = compileFlagSet([], { 'ghost-flag': toggle(true) })
    expect(orphan.ok && orphan.warnings).toEqual(['overrides: flags.ghost-flag: overrides a flag that no file or built-in defines'])
  })

  it('builds per-provider switches that default on and kill switches that default off', () => {
    const builtins = { ...builtinFlags(), ...providerFlags(['openai', 'bedrock']), ...killSwitchFlags({ model: ['gpt-4o'], route: ['/v1/chat'] }) }
    const flags = compiled(compileFlagSet([], {}, { builtins }))
    expect(evaluate(flags, 'ai.provider.openai.enabled', 'boolean', false).value).toBe(true)
    expect(evaluate(flags, 'ai.provider.bedrock.enabled', 'boolean', false).value).toBe(true)
    expect(evaluate(flags, 'ai.killswitch.model.gpt-4o', 'boolean', true).value).toBe(false)
    expect(evaluate(flags, 'ai.killswitch.route./v1/chat', 'boolean', true).value).toBe(false)
  })
})

describe('a compiled FlagSet', () => {
  it('is immutable and detached from its input', () => {
    const document = { flags: { x: { ...toggle(true), variants: { on: true, off: false } } } }
    const flags = compiled(compileFlagSet([{ source: 'inline', document }]))
    document.flags.x.variants.on = false
    expect(evaluate(flags, 'x', 'boolean', false).value).toBe(true)
    expect(Object.isFrozen(flags)).toBe(true)
    expect(Object.isFrozen(flags.get('x')?.definition.variants)).toBe(true)
    expect(() => (flags.keys as string[]).push('y')).toThrow(TypeError)
  })

  it('exposes definitions with $refs resolved, for read-modify-write overrides', () => {
    const flags = compiled(compileFlagSet(sources('valid.json')))
    expect(flags.get('checkout-theme')?.definition.targeting).toEqual({
      if: [{ in: [{ var: 'email' }, ['beta@example.com']] }, 'dark', null],
    })
  })

  it('has a revision that changes with content only, and reports the keys a change touched', () => {
    const a = compiled(compileFlagSet([{ source: 'one', document: { flags: { x: toggle(true), y: toggle(false) } } }]))
    const reordered = { flags: { y: { defaultVariant: 'off', variants: { off: false, on: true }, state: 'ENABLED' }, x: toggle(true) } }
    const same = compiled(compileFlagSet([{ source: 'two', document: reordered }]))
    expect(same.revision).toBe(a.revision)
    const changed = compiled(compileFlagSet([{ source: 'one', document: { flags: { x: toggle(false), z: toggle(true) } } }]))
    expect(changed.revision).not.toBe(a.revision)
    expect(changedFlagKeys(a, changed)).toEqual(['x', 'y', 'z'])
  })
})

describe('validateFlagDefinition', () => {
  it('accepts a valid definition', () => {
    expect(validateFlagDefinition('ai.egress.enabled', toggle(true))).toEqual([])
  })

  it('lists problems without a source, as the admin API shows them', () => {
    expect(validateFlagDefinition('x', { state: 'ENABLED', variants: { a: 1 }, targeting: { $ref: 'shared' } })).toEqual([
      'flags.x.targeting.$ref: cannot be used in a single flag definition; write the rule out in full (got "shared")',
    ])
  })
})
