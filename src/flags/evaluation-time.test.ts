// Targeting that flagd loads and only answers at evaluation time (flagd-testbed's `evaluator`
// suite, v3.9.0: @operator-errors and @non-existent-evaluator-ref) loads here too: each case is a
// warning, never a problem, and evaluates as flagd does. The fixture is checked against
// @openfeature/flagd-core on every flag, type and sample context, and case by case below.
import { FlagdCore } from '@openfeature/flagd-core'
import { describe, expect, it } from 'vitest'
import { loadFlagSources } from './document.js'
import {
  compileFlagSet,
  evaluate,
  evaluateAll,
  evaluateAny,
  validateFlagDefinition,
  type EvaluationContext,
  type FlagSet,
  type FlagType,
} from './index.js'

const silent = { error() {}, warn() {}, info() {}, debug() {} }
const FIXTURES = new URL('../../test/fixtures/flags/', import.meta.url).pathname
const FILE = 'evaluation-time.yaml'

function load(): { flags: FlagSet; warnings: string[]; core: FlagdCore } {
  const loaded = loadFlagSources([FILE], FIXTURES)
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'))
  const compiled = compileFlagSet(loaded.sources, {}, { builtins: {} })
  if (!compiled.ok) throw new Error(compiled.problems.join('\n'))
  const core = new FlagdCore(undefined, silent)
  core.setConfigurations(JSON.stringify(loaded.sources[0]!.document))
  return { flags: compiled.flagSet, warnings: compiled.warnings, core }
}

const { flags, warnings, core } = load()
const NULL = 'so it always evaluates to null (the default variant; false in a condition), as in flagd'
const PARSE = 'so every evaluation of the flag is an ERROR (PARSE_ERROR), as in flagd'

describe('a flag file flagd loads', () => {
  it('loads every flag flagd-core loads', () => {
    expect(flags.keys).toEqual([...core.getFlags().keys()].sort())
  })

  it('loads with one warning per case, as sluice validate prints them', () => {
    expect(warnings).toEqual([
      `${FILE}: $evaluators.is-beta-staff.and[1].$ref: names no entry in $evaluators, so every evaluation of every flag using it is an ERROR (PARSE_ERROR), as in flagd (got "is-staff")`,
      `${FILE}: $evaluators.unused["!"].$ref: names no entry in $evaluators, so every evaluation of every flag using it is an ERROR (PARSE_ERROR), as in flagd (got "is-nobody")`,
      `${FILE}: flags.semver-unknown-operator.targeting.sem_ver[1]: is not one of = != < <= > >= ^ ~, ${NULL} (got "===")`,
      `${FILE}: flags.semver-unknown-operator-in-condition.targeting.if[0].sem_ver[1]: is not one of = != < <= > >= ^ ~, ${NULL} (got "=>")`,
      `${FILE}: flags.semver-two-arguments.targeting.sem_ver: takes [version, operator, version], ${NULL} (got [{"var":"version"},">="])`,
      `${FILE}: flags.semver-four-arguments.targeting.sem_ver: takes [version, operator, version], ${NULL} (got [{"var":"version"},">=","1.0.0","2.0.0"])`,
      `${FILE}: flags.starts-with-one-argument.targeting.starts_with: takes exactly 2 arguments, ${NULL} (got [{"var":"email"}])`,
      `${FILE}: flags.ends-with-one-argument.targeting.ends_with: takes exactly 2 arguments, ${NULL} (got ["@example.com"])`,
      `${FILE}: flags.ends-with-three-arguments-in-condition.targeting.if[0].ends_with: takes exactly 2 arguments, ${NULL} (got [{"var":"email"},"@example.com","@example.org"])`,
      `${FILE}: flags.fractional-negative-weight.targeting.fractional[0][1]: a negative weight counts as 0, as in flagd (got -50)`,
      `${FILE}: flags.fractional-negative-weight-by-email.targeting.fractional[1][1]: a negative weight counts as 0, as in flagd (got -1)`,
      `${FILE}: flags.fractional-zero-weights.targeting.fractional: weights sum to 0, so no bucket can match: it always evaluates to null (the default variant), as in flagd`,
      `${FILE}: flags.fractional-zero-and-negative-weights-by-email.targeting.fractional[2][1]: a negative weight counts as 0, as in flagd (got -5)`,
      `${FILE}: flags.fractional-zero-and-negative-weights-by-email.targeting.fractional: weights sum to 0, so no bucket can match: it always evaluates to null (the default variant), as in flagd`,
      `${FILE}: flags.ref-missing.targeting.if[0].$ref: names no entry in $evaluators, ${PARSE} (got "no-such-rule")`,
      `${FILE}: flags.ref-missing-through-evaluator.targeting.if[0].$ref: uses an $evaluators entry that refers to missing "is-staff", ${PARSE} (got "is-beta-staff")`,
      `${FILE}: flags.ref-missing-without-default.targeting.if[0].$ref: names no entry in $evaluators, ${PARSE} (got "no-such-rule")`,
      `${FILE}: flags.ref-missing-disabled.targeting.if[0].$ref: names no entry in $evaluators, ${PARSE} (got "no-such-rule")`,
    ])
  })

  const parseError = (key: string) => ({
    value: 'code-default',
    reason: 'ERROR',
    errorCode: 'PARSE_ERROR',
    errorMessage: `Invalid targeting configuration for flag '${key}': $ref to no $evaluators entry ("${key.includes('through') ? 'is-staff' : 'no-such-rule'}")`,
  })
  const fallback = { value: 'fallback', variant: 'fallback', reason: 'DEFAULT' }

  it.each([
    // sem_ver with an unknown operator or the wrong argument count is null: the default variant.
    ['semver-unknown-operator', { version: '1.0.0' }, fallback],
    ['semver-unknown-operator-in-condition', { version: '2.0.0' }, { value: 'old-ui', variant: 'old', reason: 'TARGETING_MATCH' }],
    ['semver-two-arguments', { version: '1.0.0' }, fallback],
    ['semver-four-arguments', { version: '1.5.0' }, fallback],
    // starts_with / ends_with without exactly two arguments: null, not false.
    ['starts-with-one-argument', { email: 'ada@example.com' }, fallback],
    ['ends-with-one-argument', {}, fallback],
    ['ends-with-three-arguments-in-condition', { email: 'ada@example.com' }, { value: 'guest', variant: 'guest', reason: 'TARGETING_MATCH' }],
    // A negative weight counts as 0: the other bucket takes everyone.
    ['fractional-negative-weight', { targetingKey: 'any-user' }, { value: 'two', variant: 'two', reason: 'TARGETING_MATCH' }],
    ['fractional-negative-weight', { targetingKey: 'another-user' }, { value: 'two', variant: 'two', reason: 'TARGETING_MATCH' }],
    // Weights summing to 0 match no bucket: the default variant.
    ['fractional-zero-weights', { targetingKey: 'any-user' }, fallback],
    ['fractional-zero-and-negative-weights-by-email', { email: 'ada@example.com' }, fallback],
    // A $ref to a missing evaluator is a PARSE_ERROR on every evaluation, whatever the context.
    ['ref-missing', {}, parseError('ref-missing')],
    ['ref-missing', { plan: 'beta' }, parseError('ref-missing')],
    ['ref-missing-through-evaluator', { plan: 'beta' }, parseError('ref-missing-through-evaluator')],
    ['ref-missing-without-default', {}, parseError('ref-missing-without-default')],
    ['ref-missing-disabled', {}, { value: 'code-default', reason: 'DISABLED' }],
    ['ref-found', { plan: 'canary' }, { value: 'hit', variant: 'hit', reason: 'TARGETING_MATCH' }],
  ])('%s with %j evaluates to %j', (key, context, expected) => {
    expect(evaluate(flags, key, 'string', 'code-default', context)).toMatchObject(expected)
    const theirs = core.resolveStringEvaluation(key, 'code-default', context, silent)
    expect({ value: theirs.value, variant: theirs.variant, reason: theirs.reason, errorCode: theirs.errorCode }).toMatchObject({
      value: expected.value,
      variant: 'variant' in expected ? expected.variant : undefined,
      reason: expected.reason,
      errorCode: 'errorCode' in expected ? expected.errorCode : undefined,
    })
  })

  it('answers PARSE_ERROR before looking at the type or the context, as flagd-core does', () => {
    const key = 'ref-missing'
    expect(evaluate(flags, key, 'boolean', true, { plan: 'beta' })).toMatchObject({ value: true, reason: 'ERROR', errorCode: 'PARSE_ERROR' })
    expect(evaluate(flags, key, 'string', 'd', [] as unknown as EvaluationContext)).toMatchObject({ errorCode: 'PARSE_ERROR' })
    expect(evaluateAny(flags, key)).toMatchObject({ value: undefined, reason: 'ERROR', errorCode: 'PARSE_ERROR' })
    expect(evaluateAll(flags).find((r) => r.key === key)).toMatchObject({ errorCode: 'PARSE_ERROR' })
    // Prebuilt like a static result: no rule runs and nothing is allocated.
    expect(evaluateAny(flags, key)).toBe(evaluateAny(flags, key, { plan: 'beta' }))
    expect(flags.get(key)?.rule).toBeUndefined()
  })

  it('keeps the unresolved $ref in the definition, as flagd does', () => {
    expect(flags.get('ref-missing')?.definition.targeting).toEqual({ if: [{ $ref: 'no-such-rule' }, 'hit', 'miss'] })
    expect(flags.get('ref-missing-through-evaluator')?.definition.targeting).toEqual({
      if: [{ and: [{ in: [{ var: 'plan' }, ['beta', 'canary']] }, { $ref: 'is-staff' }] }, 'hit', 'miss'],
    })
  })

  const contexts: EvaluationContext[] = [
    {},
    { targetingKey: 'user-1' },
    { targetingKey: 'user-2', email: 'ada@example.com', version: '1.0.0', plan: 'beta' },
    { email: 'bob@example.org', version: '2.0.0', plan: 'free' },
    { email: 'x', version: 'not-a-version' },
    { email: 42, version: 1 },
  ]
  const defaults: Record<FlagType, boolean | string | number | object> = { boolean: false, string: 'd', number: -1, object: { d: 1 } }

  it('agrees with flagd-core on value, variant, reason and error code for every flag, type and sample context', () => {
    const diffs: string[] = []
    for (const key of flags.keys) {
      for (const context of contexts) {
        for (let i = 0; i < 50; i++) {
          const withKey = i === 0 ? context : { ...context, targetingKey: `user-${i}`, email: `user-${i}@example.com` }
          for (const [type, fallbackValue] of Object.entries(defaults) as Array<[FlagType, never]>) {
            const mine = evaluate(flags, key, type, fallbackValue, withKey)
            const theirs = core.resolve(type, key, fallbackValue, withKey as never, silent)
            const pick = (r: typeof mine | typeof theirs) => JSON.stringify([r.value, r.variant, r.reason, r.errorCode])
            if (pick(mine) !== pick(theirs)) diffs.push(`${key} ${type} ${JSON.stringify(withKey)}: ${pick(mine)} vs ${pick(theirs)}`)
          }
        }
      }
    }
    expect(diffs).toEqual([])
  })
})

describe('warnings, not problems', () => {
  const toggle = { state: 'ENABLED' as const, variants: { on: true, off: false }, defaultVariant: 'off' }
  const inline = (targeting: unknown, evaluators?: unknown) => {
    const document = { flags: { x: { ...toggle, targeting } }, ...(evaluators === undefined ? {} : { $evaluators: evaluators }) }
    return compileFlagSet([{ source: 'inline', document }], {}, { builtins: {} })
  }

  it.each([
    [{ sem_ver: [{ var: 'v' }, '==', '1.0.0'] }, [`inline: flags.x.targeting.sem_ver[1]: is not one of = != < <= > >= ^ ~, ${NULL} (got "==")`]],
    [{ sem_ver: [{ var: 'v' }, 5, '1.0.0'] }, [`inline: flags.x.targeting.sem_ver[1]: is not one of = != < <= > >= ^ ~, ${NULL} (got 5)`]],
    [{ sem_ver: [{ var: 'v' }, { var: 'op' }, '1.0.0'] }, []],
    [{ sem_ver: '1.0.0' }, [`inline: flags.x.targeting.sem_ver: takes [version, operator, version], ${NULL} (got "1.0.0")`]],
    [{ sem_ver: [] }, [`inline: flags.x.targeting.sem_ver: takes [version, operator, version], ${NULL} (got [])`]],
    [{ starts_with: 'abc' }, [`inline: flags.x.targeting.starts_with: takes exactly 2 arguments, ${NULL} (got "abc")`]],
    // An operation as the whole argument list may evaluate to the right arguments.
    [{ sem_ver: { var: 'args' } }, []],
    [{ starts_with: { var: 'args' } }, []],
    [{ ends_with: [] }, [`inline: flags.x.targeting.ends_with: takes exactly 2 arguments, ${NULL} (got [])`]],
    [{ fractional: [['on', -1], ['off', 1]] }, ['inline: flags.x.targeting.fractional[0][1]: a negative weight counts as 0, as in flagd (got -1)']],
    [{ fractional: [['on', 0], ['off']] }, []],
    [{ fractional: [['on', 0], ['off', 0]] }, ['inline: flags.x.targeting.fractional: weights sum to 0, so no bucket can match: it always evaluates to null (the default variant), as in flagd']],
    // A computed weight may be positive at evaluation time: nothing to say at load.
    [{ fractional: [['on', 0], ['off', { var: 'w' }]] }, []],
    [{ $ref: 'gone' }, [`inline: flags.x.targeting.$ref: names no entry in $evaluators, ${PARSE} (got "gone")`]],
  ])('compiles %j with warnings %j', (targeting, expected) => {
    const result = inline(targeting)
    expect(result.ok && result.warnings).toEqual(expected)
  })

  it.each([
    [{ sem_ver: [{ var: 'v' }, '~>', '1.0.0'] }, { v: '1.0.0' }],
    [{ sem_ver: [{ var: 'v' }, '>='] }, { v: '1.0.0' }],
    [{ sem_ver: '1.0.0' }, {}],
    [{ sem_ver: { var: 'v' } }, { v: ['1.0.0', '=', '1.0.0'] }],
    [{ sem_ver: { var: 'v' } }, { v: ['1.0.0', '=='] }],
    [{ starts_with: ['abc'] }, {}],
    [{ starts_with: 'abc' }, {}],
    [{ ends_with: { var: 'pair' } }, { pair: ['abc', 'c'] }],
    [{ ends_with: [{ var: 's' }, 'c', 'd'] }, { s: 'abc' }],
    [{ if: [{ starts_with: [{ var: 's' }] }, 'on', 'off'] }, { s: 'abc' }],
    [{ fractional: [['on', -1], ['off', 1]] }, { targetingKey: 'k' }],
    [{ fractional: [['on', 0], ['off', 0]] }, { targetingKey: 'k' }],
    [{ fractional: ['fixed', ['on', 0], ['off', -3]] }, {}],
    [{ $ref: 'gone' }, {}],
    [{ if: [{ $ref: 'gone' }, 'on', 'off'] }, { targetingKey: 'k' }],
  ])('evaluates %j with %j as flagd-core does', (targeting, context) => {
    const result = inline(targeting)
    if (!result.ok) throw new Error(result.problems.join('\n'))
    const theirs = new FlagdCore(undefined, silent)
    theirs.setConfigurations(JSON.stringify({ flags: { x: { ...toggle, targeting } } }))
    const mine = evaluate(result.flagSet, 'x', 'boolean', true, context)
    const answer = theirs.resolveBooleanEvaluation('x', true, context as never, silent)
    expect([mine.value, mine.variant, mine.reason, mine.errorCode]).toEqual([answer.value, answer.variant, answer.reason, answer.errorCode])
  })

  it('warns once at an evaluator with a missing $ref, and at each flag that uses it', () => {
    const evaluators = { a: { and: [{ $ref: 'b' }, true] }, b: { '!': { $ref: 'gone' } } }
    const result = inline({ if: [{ $ref: 'a' }, 'on', 'off'] }, evaluators)
    expect(result.ok && result.warnings).toEqual([
      'inline: $evaluators.b["!"].$ref: names no entry in $evaluators, so every evaluation of every flag using it is an ERROR (PARSE_ERROR), as in flagd (got "gone")',
      `inline: flags.x.targeting.if[0].$ref: uses an $evaluators entry that refers to missing "gone", ${PARSE} (got "a")`,
    ])
    expect(result.ok && evaluate(result.flagSet, 'x', 'boolean', true)).toMatchObject({ value: true, reason: 'ERROR', errorCode: 'PARSE_ERROR' })
  })

  it('still refuses a $ref cycle, which is no missing name', () => {
    const result = inline({ $ref: 'a' }, { a: { $ref: 'b' }, b: { $ref: 'a' } })
    expect(!result.ok && result.problems).toEqual([
      'inline: $evaluators.b.$ref: $ref cycle: a → b → a',
      'inline: flags.x.targeting.$ref: names an $evaluators entry that has problems (got "a")',
    ])
  })

  it('applies to runtime overrides too, reported under "overrides"', () => {
    const override = { ...toggle, targeting: { if: [{ sem_ver: [{ var: 'v' }, '==', '1.0.0'] }, 'on', 'off'] } }
    expect(validateFlagDefinition('x', override)).toEqual([])
    const result = compileFlagSet([], { x: override }, { builtins: { x: toggle } })
    expect(result.ok && result.warnings).toEqual([`overrides: flags.x.targeting.if[0].sem_ver[1]: is not one of = != < <= > >= ^ ~, ${NULL} (got "==")`])
    expect(result.ok && evaluate(result.flagSet, 'x', 'boolean', true, { v: '1.0.0' })).toMatchObject({ value: false, variant: 'off' })
  })
})
