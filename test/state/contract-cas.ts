// Contract: compare-and-set on records (`ifMatch`), the primitive a fleet uses to take one decision
// once (a rollout's step). A failed precondition anywhere in a transaction writes, audits and
// notifies nothing, and rejects with code `conflict`.
import { describe, expect, it } from 'vitest'
import { StateError, type JsonObject, type StateChange, type StateOp } from '../../src/state/index.js'
import { rejectionOf } from '../support/rejection.js'
import { by } from './contract-concerns.js'
import type { StoreContext } from './contract.js'

const put = (key: string, value: JsonObject, ifMatch?: JsonObject | null): StateOp => ({ op: 'put-record', namespace: 'rollouts', key, value, ...by, ...(ifMatch === undefined ? {} : { ifMatch }) })

export function describeCompareAndSet(ctx: StoreContext): void {
  describe('compare-and-set', () => {
    it('applies a write whose precondition holds: no record (null), then the value read back', async () => {
      await ctx.store.transaction([put('r', { step: 1, status: 'progressing' }, null)])
      const read = await ctx.store.getRecord('rollouts', 'r')
      await ctx.store.transaction([put('r', { step: 2, status: 'progressing' }, read)])
      expect(await ctx.store.getRecord('rollouts', 'r')).toEqual({ step: 2, status: 'progressing' })
      const listed = (await ctx.store.listRecords('rollouts'))[0]!.value
      await ctx.store.transaction([{ op: 'delete-record', namespace: 'rollouts', key: 'r', ...by, ifMatch: listed }])
      expect(await ctx.store.getRecord('rollouts', 'r')).toBeNull()
    })

    it('refuses a stale precondition whole: nothing written, audited or notified, revision unchanged', async () => {
      await ctx.store.transaction([put('r', { step: 1 })])
      const revision = await ctx.store.revision()
      const audited = (await ctx.store.listAudit()).length
      const changes: StateChange[] = []
      ctx.store.subscribe((change) => changes.push(change))
      for (const ops of <StateOp[][]>[
        [put('r', { step: 3 }, { step: 2 })],
        [put('r', { step: 3 }, null)],
        [put('other', { x: 1 }, null), put('r', { step: 3 }, { step: 1, extra: true })],
        [{ op: 'delete-record', namespace: 'rollouts', key: 'r', ...by, ifMatch: { step: 0 } }],
      ]) {
        const err = await rejectionOf(ctx.store.transaction(ops))
        expect(err).toBeInstanceOf(StateError)
        expect((err as StateError).code).toBe('conflict')
        expect((err as StateError).message).toMatch(/rollouts\/r changed since it was read/)
      }
      expect(await ctx.store.getRecord('rollouts', 'r')).toEqual({ step: 1 })
      expect(await ctx.store.getRecord('rollouts', 'other')).toBeNull()
      expect(await ctx.store.revision()).toBe(revision)
      expect(await ctx.store.listAudit()).toHaveLength(audited)
      expect(changes).toEqual([])
    })

    it('lets exactly one of several concurrent writers from the same value win', async () => {
      await ctx.store.transaction([put('r', { step: 1 })])
      const read = await ctx.store.getRecord('rollouts', 'r')
      const results = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => ctx.store.transaction([put('r', { step: 2, writer: i }, read)])))
      const won = results.filter((r) => r.status === 'fulfilled')
      expect(won).toHaveLength(1)
      for (const r of results) if (r.status === 'rejected') expect((r.reason as StateError).code).toBe('conflict')
      expect(await ctx.store.getRecord('rollouts', 'r')).toMatchObject({ step: 2 })
    })

    it('refuses an ifMatch that is not a JSON object', async () => {
      const err = await rejectionOf(ctx.store.transaction([{ ...put('r', { step: 1 }), ifMatch: 'text' } as unknown as StateOp]))
      expect((err as StateError).code).toBe('invalid_input')
    })
  })
}
