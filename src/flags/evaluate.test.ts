import { readFileSync } from 'node:fs'
import { FlagdCore } from '@openfeature/flagd-core'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { parseFlagDocument } from './document.js'
import { compileFlagSet, evaluate, evaluateAll, evaluateAny, type EvaluationContext, type FlagSet, type FlagType } from './index.js'

const silent = { error() {}, warn() {}, info() {}, debug() {} }
const FIXTURE = new URL('../../test/fixtures/flags/targeting.yaml', import.meta.url)
const LAUNCH = 1_700_000_000

function load(): { flags: FlagSet; json: string } {
  const parsed = parseFlagDocument(readFileSync(FIXTURE, 'utf8'), 'targeting.yaml')
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'))
  const compiled = compileFlagSet([{ source: 'targeting.yaml', document: parsed.document }], {}, { builtins: {} })
  if (!compiled.ok) throw new Error(compiled.problems.join('\n'))
  return { flags: compiled.flagSet, json: JSON.stringify(parsed.document) }
}

const { flags, json } = load()
const b = (key: string, context: EvaluationContext = {}, nowSeconds?: number) => evaluate(flags, key, 'boolean', false, context, nowSeconds)
const s = (key: string, context: EvaluationContext = {}) => evaluate(flags, key, 'string', 'code-default', context)

describe('evaluate', () => {
  it.each([
    ['static-on', {}, { value: true, variant: 'on', reason: 'STATIC' }],
    ['disabled', {}, { value: false, reason: 'DISABLED' }],
    ['allowlist', { email: 'bob@sluice.dev' }, { value: true, variant: 'on', reason: 'TARGETING_MATCH' }],
    ['allowlist', { email: 'eve@evil.test' }, { value: false, variant: 'off', reason: 'TARGETING_MATCH' }],
    ['by-flag-key', {}, { value: true, variant: 'match', reason: 'TARGETING_MATCH' }],
    ['shared-rule', { email: 'ann@sluice.dev', appVersion: '2.3.0' }, { value: true, variant: 'on', reason: 'TARGETING_MATCH' }],
    ['shared-rule', { email: 'ann@sluice.dev', appVersion: '1.9.0' }, { value: false, variant: 'off', reason: 'TARGETING_MATCH' }],
    ['shared-rule', { email: 'ann@example.com', appVersion: '2.3.0' }, { value: false, variant: 'off', reason: 'TARGETING_MATCH' }],
    ['rollout', {}, { value: false, variant: 'off', reason: 'DEFAULT' }],
    ['throws', { n: 'not a number' }, { value: false, reason: 'ERROR', errorCode: 'GENERAL' }],
    ['names-missing-variant', { tier: 'gold' }, { value: false, reason: 'ERROR', errorCode: 'GENERAL' }],
    ['app-version', {}, { value: false, reason: 'ERROR', errorCode: 'TYPE_MISMATCH' }],
    ['missing', {}, { value: false, reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND' }],
  ])('%s with %j as boolean', (key, context, expected) => {
    expect(b(key, context)).toMatchObject(expected)
  })

  it.each([
    ['app-version', { appVersion: 'v2.0.0' }, 'new-ui', 'new'],
    ['app-version', { appVersion: '1.99.0' }, 'old-ui', 'old'],
    ['city-contains', { city: 'Springfield' }, 'yes', 'true'],
    ['city-contains', { city: 'Shelbyville' }, 'no', 'false'],
    ['no-default-targeted', { tier: 'gold' }, 'beta', 'b'],
  ])('%s with %j is %j (variant %s)', (key, context, value, variant) => {
    expect(s(key, context)).toMatchObject({ value, variant, reason: 'TARGETING_MATCH' })
  })

  it('walks an if/else-if chain to the first true branch', () => {
    const tier = (context: EvaluationContext) => evaluate(flags, 'tier', 'object', {}, context)
    expect(tier({ tier: 'gold' })).toMatchObject({ value: { seats: 50 }, variant: 'gold' })
    expect(tier({ tier: 'silver' })).toMatchObject({ value: { seats: 10 }, variant: 'silver' })
    expect(tier({})).toMatchObject({ value: { seats: 1 }, variant: 'bronze' })
  })

  it('serves the default variant with reason DEFAULT when targeting returns null', () => {
    expect(evaluate(flags, 'email-domain', 'number', 0, { email: 'x@other.org' })).toMatchObject({ value: 3, variant: 'external', reason: 'DEFAULT' })
    expect(evaluate(flags, 'email-domain', 'number', 0, { email: 'admin@other.org' })).toMatchObject({ value: 2, variant: 'admin' })
  })

  it('serves the code default, reason DEFAULT, when there is no default variant', () => {
    expect(s('no-default')).toEqual({ key: 'no-default', value: 'code-default', reason: 'DEFAULT', flagMetadata: expect.any(Object) })
    expect(s('no-default-targeted', { tier: 'silver' })).toMatchObject({ value: 'code-default', reason: 'DEFAULT' })
  })

  it('reads $flagd.timestamp as whole unix seconds, pinned by nowSeconds or else the clock', () => {
    expect(b('after-launch', {}, LAUNCH - 0.5).variant).toBe('before')
    expect(b('after-launch', {}, LAUNCH).variant).toBe('after')
    vi.useFakeTimers({ now: (LAUNCH - 1) * 1000 })
    try {
      expect(b('after-launch').variant).toBe('before')
      vi.setSystemTime(LAUNCH * 1000)
      expect(b('after-launch').variant).toBe('after')
    } finally {
      vi.useRealTimers()
    }
  })

  it('ignores a $flagd attribute in the caller context', () => {
    expect(b('by-flag-key', { $flagd: { flagKey: 'other' } }).variant).toBe('match')
  })

  it('merges document metadata under the flag metadata', () => {
    expect(b('static-on').flagMetadata).toEqual({ flagSetId: 'targeting-fixture', version: '4', owner: 'platform' })
    expect(b('missing').flagMetadata).toEqual({ flagSetId: 'targeting-fixture', version: '3' })
  })

  it.each([
    ['a non-object context', 'nope' as unknown as EvaluationContext, 'the evaluation context must be an object'],
    ['an array context', [] as unknown as EvaluationContext, 'the evaluation context must be an object'],
    ['a numeric targetingKey', { targetingKey: 42 }, 'targetingKey must be a string'],
  ])('answers INVALID_CONTEXT for %s on a targeted flag', (_, context, errorMessage) => {
    expect(b('rollout', context)).toMatchObject({ value: false, reason: 'ERROR', errorCode: 'INVALID_CONTEXT', errorMessage })
  })

  it('returns the same prebuilt result object for static and matched flags', () => {
    expect(b('static-on')).toBe(b('static-on'))
    expect(b('allowlist', { email: 'alice@sluice.dev' })).toBe(b('allowlist', { email: 'carol@sluice.dev' }))
    expect(Object.isFrozen(b('static-on'))).toBe(true)
  })
})

describe('evaluateAny and evaluateAll', () => {
  it('evaluates whatever the type, with no value where the caller must choose', () => {
    expect(evaluateAny(flags, 'tier', { tier: 'gold' })).toMatchObject({ value: { seats: 50 }, variant: 'gold' })
    expect(evaluateAny(flags, 'no-default')).toMatchObject({ value: undefined, reason: 'DEFAULT' })
    expect(evaluateAny(flags, 'disabled')).toMatchObject({ value: undefined, reason: 'DISABLED' })
    expect(evaluateAny(flags, 'missing')).toMatchObject({ value: undefined, errorCode: 'FLAG_NOT_FOUND' })
  })

  it('evaluates every enabled flag in key order, keeping errors and leaving out disabled flags', () => {
    const all = evaluateAll(flags, { tier: 'gold', n: 'x' }, LAUNCH)
    expect(all.map((r) => r.key)).toEqual(flags.keys.filter((k) => k !== 'disabled'))
    expect(all.find((r) => r.key === 'throws')).toMatchObject({ reason: 'ERROR', errorCode: 'GENERAL' })
  })
})

describe('evaluate agrees with flagd-core', () => {
  beforeEach(() => vi.useFakeTimers({ now: LAUNCH * 1000 }))
  afterEach(() => vi.useRealTimers())

  const contexts: EvaluationContext[] = [
    {},
    { targetingKey: 'user-1' },
    { targetingKey: 'user-2', org: 'acme' },
    { email: 'alice@sluice.dev', appVersion: '2.0.1', targetingKey: 'alice' },
    { email: 'admin@example.com', appVersion: '1.2' },
    { email: 'admin@corp.test', tier: 'silver' },
    { tier: 'gold', city: 'Springfield', n: 1 },
    { n: 'x' },
    { org: 'globex' },
  ]
  const defaults: Record<FlagType, boolean | string | number | object> = { boolean: false, string: 'd', number: -1, object: { d: 1 } }

  it('on value, variant, reason and error code for every flag, type and sample context', () => {
    const core = new FlagdCore(undefined, silent)
    core.setConfigurations(json)
    const diffs: string[] = []
    for (const key of [...flags.keys, 'missing']) {
      for (const context of contexts) {
        for (const [type, fallback] of Object.entries(defaults) as Array<[FlagType, never]>) {
          const mine = evaluate(flags, key, type, fallback, context)
          const theirs = core.resolve(type, key, fallback, context as never, silent)
          const pick = (r: typeof mine | typeof theirs) => JSON.stringify([r.value, r.variant, r.reason, r.errorCode])
          if (pick(mine) !== pick(theirs)) diffs.push(`${key} ${type} ${JSON.stringify(context)}: ${pick(mine)} vs ${pick(theirs)}`)
        }
      }
    }
    expect(diffs).toEqual([])
  })
})
