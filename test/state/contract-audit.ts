// Contract: the audit log. Store writes audit themselves; `listAudit` is newest first.
import { describe, expect, it } from 'vitest'
import { StateError, type AuditInput } from '../../src/state/index.js'
import { rejectionOf } from '../support/rejection.js'
import { by, killSwitch, override } from './contract-concerns.js'
import type { StoreContext } from './contract.js'

const entry = (at: string, target = 't'): AuditInput => ({
  at,
  actor: 'admin',
  action: 'config.reload',
  target,
  before: null,
  after: null,
  reason: '',
})

export function describeAudit(ctx: StoreContext): void {
  describe('audit log', () => {
    it('records every store write with before and after, and nothing for a delete of nothing', async () => {
      const first = await ctx.store.putOverride(override('a'))
      ctx.advance(1)
      const second = await ctx.store.putOverride(override('a', 'on'))
      ctx.advance(1)
      await ctx.store.deleteOverride('a', { actor: 'remover', reason: 'done' })
      await ctx.store.deleteOverride('a', by)
      const ks = await ctx.store.putKillSwitch(killSwitch('model', 'gpt-4o'))
      const audit = await ctx.store.listAudit()
      const common = { actor: by.actor, reason: by.reason, target: 'a' }
      expect(audit.map(({ id: _, ...rest }) => rest)).toEqual([
        { ...common, at: ks.setAt, action: 'kill-switches.put', target: 'model/gpt-4o', before: null, after: ks },
        { at: ctx.nowIso, actor: 'remover', action: 'overrides.delete', target: 'a', before: second, after: null, reason: 'done' },
        { ...common, at: second.setAt, action: 'overrides.put', before: first, after: second },
        { ...common, at: first.setAt, action: 'overrides.put', before: null, after: first },
      ])
      const ids = audit.map((e) => e.id)
      expect(ids).toEqual([...ids].sort((a, b) => b - a))
    })

    it('appends entries, normalising `at` and defaulting it to the store clock', async () => {
      const explicit = await ctx.store.appendAudit({ ...entry('2030-01-01T00:00:00Z'), before: { n: [1, 'two', null] }, after: 3 })
      expect(explicit).toEqual({ id: explicit.id, ...entry('2030-01-01T00:00:00.000Z'), before: { n: [1, 'two', null] }, after: 3 })
      const { at: _, ...undated } = entry('')
      const stamped = await ctx.store.appendAudit(undated)
      expect(stamped.at).toBe(ctx.nowIso)
      expect(stamped.id).toBeGreaterThan(explicit.id)
      expect(await ctx.store.listAudit()).toEqual([stamped, explicit])
    })

    it('lists newest first by `at`, ties broken by insertion order', async () => {
      await ctx.store.appendAudit(entry('2030-01-01T00:00:02.000Z', 'middle'))
      await ctx.store.appendAudit(entry('2030-01-01T00:00:01.000Z', 'oldest'))
      await ctx.store.appendAudit(entry('2030-01-01T00:00:03.000Z', 'newest-1'))
      await ctx.store.appendAudit(entry('2030-01-01T00:00:03.000Z', 'newest-2'))
      expect((await ctx.store.listAudit()).map((e) => e.target)).toEqual(['newest-2', 'newest-1', 'middle', 'oldest'])
    })

    it('filters `at >= since` (inclusive, any ISO spelling) and applies limit to the newest', async () => {
      for (let s = 0; s < 5; s++) await ctx.store.appendAudit(entry(`2030-01-01T00:00:0${s}.000Z`, `s${s}`))
      const since = await ctx.store.listAudit({ since: '2030-01-01T00:00:02Z' })
      expect(since.map((e) => e.target)).toEqual(['s4', 's3', 's2'])
      expect((await ctx.store.listAudit({ since: '2030-01-01T00:00:02Z', limit: 2 })).map((e) => e.target)).toEqual(['s4', 's3'])
      expect(await ctx.store.listAudit({ since: '2031-01-01T00:00:00.000Z' })).toEqual([])
    })

    it('returns 100 entries by default and up to 1000 on request', async () => {
      const base = Date.parse('2030-01-01T00:00:00.000Z')
      for (let i = 0; i < 105; i++) await ctx.store.appendAudit(entry(new Date(base + i * 1000).toISOString(), `e${i}`))
      const page = await ctx.store.listAudit()
      expect(page.length).toBe(100)
      expect(page[0]?.target).toBe('e104')
      expect((await ctx.store.listAudit({ limit: 1000 })).length).toBe(105)
    })

    it.each([
      ['limit 0', { limit: 0 }, 'limit must be an integer from 1 to 1000'],
      ['limit 1001', { limit: 1001 }, 'limit must be an integer from 1 to 1000'],
      ['a fractional limit', { limit: 1.5 }, 'limit must be an integer from 1 to 1000'],
      ['a since that is no time', { since: 'yesterday' }, 'since must be an ISO-8601 timestamp'],
    ])('refuses %s', async (_, query, message) => {
      const err = await rejectionOf<StateError>(ctx.store.listAudit(query))
      expect([err.code, err.message]).toEqual(['invalid_input', message])
    })

    it.each([
      ['a bad `at`', { ...entry('not a time') }, 'at must be an ISO-8601 timestamp'],
      ['an empty action', { ...entry('2030-01-01T00:00:00Z'), action: '' }, 'action must not be empty'],
      ['a non-JSON before', { ...entry('2030-01-01T00:00:00Z'), before: new Map() }, 'before is not a plain object'],
    ])('refuses to append %s', async (_, input, message) => {
      const err = await rejectionOf<StateError>(ctx.store.appendAudit(input as AuditInput))
      expect([err.code, err.message]).toEqual(['invalid_input', message])
      expect(await ctx.store.listAudit()).toEqual([])
    })
  })
}
