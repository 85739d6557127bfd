// Contract: CRUD, overwrite, ordering and input validation for each concern.
import { describe, expect, it } from 'vitest'
import { StateError, type FlagOverrideInput, type KillSwitchInput } from '../../src/state/index.js'
import { rejectionOf } from '../support/rejection.js'
import type { StoreContext } from './contract.js'

export const by = { actor: 'ops@example.com', reason: 'incident 42' }
export const override = (key: string, defaultVariant = 'off'): FlagOverrideInput => ({
  key,
  definition: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant },
  ...by,
})
export const killSwitch = (scope: KillSwitchInput['scope'], target: string): KillSwitchInput => ({ scope, target, ...by })

async function invalidInput(promise: Promise<unknown>): Promise<string> {
  const err = await rejectionOf<StateError>(promise)
  expect(err).toBeInstanceOf(StateError)
  expect(err.code).toBe('invalid_input')
  return err.message
}

export function describeConcerns(ctx: StoreContext): void {
  describe('flag overrides', () => {
    it('starts empty, puts with the store clock, lists sorted by key and overwrites', async () => {
      expect(await ctx.store.listOverrides()).toEqual([])
      const put = await ctx.store.putOverride(override('b'))
      expect(put).toEqual({ ...override('b'), setAt: ctx.nowIso })
      await ctx.store.putOverride(override('a'))
      await ctx.store.putOverride(override('c'))
      ctx.advance(1000)
      await ctx.store.putOverride({ ...override('b', 'on'), actor: 'someone-else', reason: 'retry' })
      const listed = await ctx.store.listOverrides()
      expect(listed.map((o) => o.key)).toEqual(['a', 'b', 'c'])
      expect(listed[1]).toEqual({ ...override('b', 'on'), actor: 'someone-else', reason: 'retry', setAt: ctx.nowIso })
    })

    it('deletes, resolving whether there was something to delete', async () => {
      await ctx.store.putOverride(override('a'))
      expect(await ctx.store.deleteOverride('a', by)).toBe(true)
      expect(await ctx.store.deleteOverride('a', by)).toBe(false)
      expect(await ctx.store.listOverrides()).toEqual([])
    })

    it('keeps its own copy: mutating inputs or results changes nothing stored', async () => {
      const input = override('a')
      const put = await ctx.store.putOverride(input)
      ;(input.definition as { defaultVariant: string }).defaultVariant = 'mutated'
      ;(put.definition as { defaultVariant: string }).defaultVariant = 'mutated'
      const [listed] = await ctx.store.listOverrides()
      ;(listed?.definition as { defaultVariant: string }).defaultVariant = 'mutated'
      expect((await ctx.store.listOverrides())[0]?.definition.defaultVariant).toBe('off')
    })

    const circular: Record<string, unknown> = {}
    circular.self = circular
    it.each([
      ['an empty key', { ...override('a'), key: ' ' }, 'key must not be empty'],
      ['a definition that is not an object', { ...override('a'), definition: [1] }, 'definition must be a JSON object'],
      ['a function', { ...override('a'), definition: { f: () => 1 } }, 'definition.f is not JSON (got function)'],
      ['NaN', { ...override('a'), definition: { n: Number.NaN } }, 'definition.n is not a finite number'],
      ['a bigint', { ...override('a'), definition: { n: 1n } }, 'definition.n is not JSON (got bigint)'],
      ['a Date', { ...override('a'), definition: { d: new Date(0) } }, 'definition.d is not a plain object'],
      ['undefined', { ...override('a'), definition: { u: undefined } }, 'definition.u is not JSON (got undefined)'],
      ['a cycle', { ...override('a'), definition: circular }, 'definition.self is circular'],
      ['a long reason', { ...override('a'), reason: 'x'.repeat(1001) }, 'reason must be at most 1000 characters'],
      ['no actor', { ...override('a'), actor: undefined }, 'actor must be a string'],
    ])('refuses %s and writes nothing', async (_, input, message) => {
      expect(await invalidInput(ctx.store.putOverride(input as FlagOverrideInput))).toContain(message)
      expect(await ctx.store.listOverrides()).toEqual([])
      expect(await ctx.store.listAudit()).toEqual([])
    })
  })

  describe('kill switches', () => {
    it('puts, lists sorted by scope then target, overwrites and deletes', async () => {
      await ctx.store.putKillSwitch(killSwitch('model', 'gpt-4o'))
      await ctx.store.putKillSwitch(killSwitch('global', '*'))
      await ctx.store.putKillSwitch(killSwitch('model', 'claude'))
      await ctx.store.putKillSwitch(killSwitch('route', '/v1/chat:completions'))
      ctx.advance(5)
      const again = await ctx.store.putKillSwitch({ ...killSwitch('model', 'gpt-4o'), reason: 'still broken' })
      expect(again).toEqual({ ...killSwitch('model', 'gpt-4o'), reason: 'still broken', setAt: ctx.nowIso })
      const listed = await ctx.store.listKillSwitches()
      expect(listed.map((k) => `${k.scope}/${k.target}`)).toEqual(['global/*', 'model/claude', 'model/gpt-4o', 'route//v1/chat:completions'])
      expect(listed[2]).toEqual(again)
      expect(await ctx.store.deleteKillSwitch('model', 'gpt-4o', by)).toBe(true)
      expect(await ctx.store.deleteKillSwitch('model', 'gpt-4o', by)).toBe(false)
      expect(await ctx.store.deleteKillSwitch('client', 'nobody', by)).toBe(false)
      expect((await ctx.store.listKillSwitches()).length).toBe(3)
    })

    it.each([
      ['an unknown scope', { ...killSwitch('model', 'm'), scope: 'planet' }, 'scope must be one of global, provider, model, route, client'],
      ['an empty target', killSwitch('model', ''), 'target must not be empty'],
      ['a global target other than *', killSwitch('global', 'all'), 'target of a global kill switch must be "*"'],
      ['an empty reason', { ...killSwitch('model', 'm'), reason: '' }, 'reason must not be empty'],
      ['a reason over 1000 characters', { ...killSwitch('model', 'm'), reason: 'r'.repeat(1001) }, 'at most 1000'],
    ])('refuses %s and writes nothing', async (_, input, message) => {
      expect(await invalidInput(ctx.store.putKillSwitch(input as KillSwitchInput))).toContain(message)
      expect(await ctx.store.listKillSwitches()).toEqual([])
      expect(await ctx.store.listAudit()).toEqual([])
    })

    it('accepts a reason of exactly 1000 characters', async () => {
      const put = await ctx.store.putKillSwitch({ ...killSwitch('provider', 'openai'), reason: 'r'.repeat(1000) })
      expect(put.reason.length).toBe(1000)
    })
  })

  describe('records', () => {
    it('gets, lists sorted by key, overwrites and deletes documents per namespace', async () => {
      expect(await ctx.store.getRecord('rollouts', 'r1')).toBeNull()
      await ctx.store.transaction([
        { op: 'put-record', namespace: 'rollouts', key: 'r2', value: { step: 1 }, ...by },
        { op: 'put-record', namespace: 'rollouts', key: 'r1', value: { step: 1 }, ...by },
        { op: 'put-record', namespace: 'other', key: 'r1', value: { step: 9 }, ...by },
      ])
      await ctx.store.transaction([{ op: 'put-record', namespace: 'rollouts', key: 'r1', value: { step: 2 }, ...by }])
      expect(await ctx.store.getRecord('rollouts', 'r1')).toEqual({ step: 2 })
      expect(await ctx.store.listRecords('rollouts')).toEqual([
        { key: 'r1', value: { step: 2 } },
        { key: 'r2', value: { step: 1 } },
      ])
      await ctx.store.transaction([{ op: 'delete-record', namespace: 'rollouts', key: 'r1', ...by }])
      expect(await ctx.store.listRecords('rollouts')).toEqual([{ key: 'r2', value: { step: 1 } }])
      expect(await ctx.store.getRecord('other', 'r1')).toEqual({ step: 9 })
    })

    it.each([
      ['a reserved namespace', 'overrides', 'reserved'],
      ['a namespace with capitals', 'Rollouts', 'namespace must match'],
    ])('refuses %s', async (_, namespace, message) => {
      expect(await invalidInput(ctx.store.listRecords(namespace))).toContain(message)
      const put = ctx.store.transaction([{ op: 'put-record', namespace, key: 'k', value: {}, ...by }])
      expect(await invalidInput(put)).toContain(message)
    })
  })
}
