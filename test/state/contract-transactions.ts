// Contract: atomic transactions, change notifications with revisions, health and close.
import { describe, expect, it } from 'vitest'
import { StateError, type StateChange, type StateOp } from '../../src/state/index.js'
import { rejectionOf } from '../support/rejection.js'
import { by, killSwitch, override } from './contract-concerns.js'
import type { StoreContext } from './contract.js'

function record(ctx: StoreContext): StateChange[] {
  const changes: StateChange[] = []
  ctx.store.subscribe((change) => changes.push(change))
  return changes
}

export function describeTransactions(ctx: StoreContext): void {
  describe('transactions', () => {
    it('applies a bundle in one revision, auditing each op in order under its action', async () => {
      await ctx.store.putOverride(override('old'))
      const changes = record(ctx)
      const result = await ctx.store.transaction([
        { op: 'put-override', override: override('canary.a', 'on'), action: 'activation.canary' },
        { op: 'put-override', override: override('canary.b', 'on'), action: 'activation.canary' },
        { op: 'delete-override', key: 'old', ...by, action: 'activation.canary' },
        { op: 'delete-override', key: 'never-set', ...by },
      ])
      expect(result.revision).toBe(2)
      expect(result.audit.map((e) => [e.action, e.target])).toEqual([
        ['activation.canary', 'canary.a'],
        ['activation.canary', 'canary.b'],
        ['activation.canary', 'old'],
      ])
      expect((await ctx.store.listOverrides()).map((o) => o.key)).toEqual(['canary.a', 'canary.b'])
      expect(changes.map((c) => [c.revision, c.items.map((i) => i.kind === 'override' && [i.key, i.override !== null])])).toEqual([
        [2, [['canary.a', true], ['canary.b', true], ['old', false]]],
      ])
    })

    it('reads `before` inside the commit, so later ops see earlier ones', async () => {
      const { audit } = await ctx.store.transaction([
        { op: 'put-kill-switch', killSwitch: killSwitch('provider', 'openai') },
        { op: 'delete-kill-switch', scope: 'provider', target: 'openai', ...by },
      ])
      expect(audit.map((e) => [e.before === null, e.after === null])).toEqual([[true, false], [false, true]])
      expect(await ctx.store.listKillSwitches()).toEqual([])
    })

    it('applies nothing, audits nothing and notifies nobody when an op in the middle fails', async () => {
      const changes = record(ctx)
      const ops = [
        { op: 'put-override', override: override('a') },
        { op: 'put-kill-switch', killSwitch: { ...killSwitch('model', 'm'), scope: 'galaxy' } },
        { op: 'put-override', override: override('b') },
      ] as StateOp[]
      const err = await rejectionOf<StateError>(ctx.store.transaction(ops))
      expect(err.code).toBe('invalid_input')
      expect(await ctx.store.listOverrides()).toEqual([])
      expect(await ctx.store.listKillSwitches()).toEqual([])
      expect(await ctx.store.listAudit()).toEqual([])
      expect(await ctx.store.revision()).toBe(0)
      expect(changes).toEqual([])
    })

    it('refuses an unknown op', async () => {
      const err = await rejectionOf<StateError>(ctx.store.transaction([{ op: 'truncate' } as unknown as StateOp]))
      expect([err.code, err.message]).toEqual(['invalid_input', 'unknown op "truncate"'])
    })
  })

  describe('subscribe', () => {
    it('notifies each committed change with the next revision, typed and decoded', async () => {
      const changes = record(ctx)
      expect(await ctx.store.revision()).toBe(0)
      const put = await ctx.store.putKillSwitch(killSwitch('global', '*'))
      expect(changes).toEqual([{ revision: 1, items: [{ kind: 'kill-switch', scope: 'global', target: '*', killSwitch: put }] }])
      await ctx.store.deleteKillSwitch('global', '*', by)
      const o = await ctx.store.putOverride(override('f'))
      await ctx.store.transaction([{ op: 'put-record', namespace: 'rollouts', key: 'r', value: { step: 1 }, ...by }])
      expect(changes.slice(1)).toEqual([
        { revision: 2, items: [{ kind: 'kill-switch', scope: 'global', target: '*', killSwitch: null }] },
        { revision: 3, items: [{ kind: 'override', key: 'f', override: o }] },
        { revision: 4, items: [{ kind: 'record', namespace: 'rollouts', key: 'r', value: { step: 1 } }] },
      ])
      expect(await ctx.store.revision()).toBe(4)
    })

    it('has already notified when the mutating call resolves', async () => {
      let seen = 0
      ctx.store.subscribe(() => seen++)
      await ctx.store.putOverride(override('a'))
      expect(seen).toBe(1)
    })

    it('stays quiet for audit appends and deletes of nothing', async () => {
      const changes = record(ctx)
      await ctx.store.appendAudit({ actor: 'a', action: 'config.reload', target: 'config', before: null, after: null, reason: '' })
      await ctx.store.deleteOverride('missing', by)
      expect(changes).toEqual([])
      expect(await ctx.store.revision()).toBe(0)
    })

    it('stops after unsubscribe, and a throwing listener neither fails the write nor starves others', async () => {
      const changes = record(ctx)
      const failure = new Error('listener bug')
      ctx.store.subscribe(() => {
        throw failure
      })
      const unsubscribe = ctx.store.subscribe(() => changes.push({ revision: -1, items: [] }))
      await ctx.store.putOverride(override('a'))
      unsubscribe()
      await ctx.store.putOverride(override('b'))
      expect(changes.map((c) => c.revision)).toEqual([1, -1, 2])
      expect(ctx.listenerErrors).toEqual([failure, failure])
      expect((await ctx.store.listOverrides()).length).toBe(2)
    })
  })

  describe('health and close', () => {
    it('is healthy until closed; then every call rejects with `closed` and listeners go quiet', async () => {
      expect(await ctx.store.health()).toEqual({ ok: true })
      const changes = record(ctx)
      await ctx.store.close()
      await ctx.store.close()
      expect(await ctx.store.health()).toEqual({ ok: false, detail: 'closed' })
      for (const call of [
        ctx.store.listOverrides(),
        ctx.store.putKillSwitch(killSwitch('model', 'm')),
        ctx.store.listAudit(),
        ctx.store.transaction([]),
        ctx.store.revision(),
      ]) {
        expect((await rejectionOf<StateError>(call)).code).toBe('closed')
      }
      expect(changes).toEqual([])
    })
  })
}
