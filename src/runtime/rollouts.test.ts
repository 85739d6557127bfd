// The rollout runtime over a real (memory) state store and outcome store: the split it gives
// steering, the statistics its credits write, and two replicas judging the same data — one writes
// the rollback (compare-and-set), the other sees it applied.
import { Value } from '@sinclair/typebox/value'
import { pino } from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import type { SettledRequest, Target } from '../core/target.js'
import { createStore, type StateStore } from '../state/index.js'
import { createMemoryOutcomeStore } from '../steering/experiments/outcome-store-memory.js'
import { OutcomeRecorder } from '../steering/experiments/outcomes.js'
import { RolloutSchema, type RolloutConfig } from '../steering/rollouts/schema.js'
import { Rollouts } from './rollouts.js'

const silent = pino({ level: 'silent' })
const config = Value.Default(RolloutSchema, {
  model: 'chat',
  stable: { provider: 'a', model: 'm' },
  canary: { provider: 'b', model: 'm' },
  steps: [{ percent: 10, minDurationSeconds: 0, minSamplesPerArm: 0 }, { percent: 50 }, { percent: 100 }],
  health: { costTolerance: null },
}) as RolloutConfig
// Plain target records: the split only hands them back to steering.
const resolve = (provider: string, model: string): Target => ({ id: `${provider}/${model}` }) as Target

let clock = 1_000_000
const open: Array<{ close(): Promise<void> }> = []
afterEach(async () => {
  for (const o of open.splice(0)) await o.close()
})

async function replicas(n: number): Promise<{ store: StateStore; rollouts: Rollouts[]; recorders: OutcomeRecorder[] }> {
  const store = await createStore({ store: 'memory', path: '' })
  const outcomes = createMemoryOutcomeStore()
  const recorders: OutcomeRecorder[] = []
  const rollouts: Rollouts[] = []
  for (let i = 0; i < n; i++) {
    const recorder = new OutcomeRecorder(outcomes, { replica: `r${i}`, costOf: () => undefined, flushMs: 3_600_000 })
    const r = new Rollouts(recorder, silent, { now: () => clock, intervalMs: 3_600_000 })
    r.configure({ next: config })
    await r.start(store)
    recorders.push(recorder)
    rollouts.push(r)
    open.push(r, recorder)
  }
  open.push(store)
  return { store, rollouts, recorders }
}

const request = (ok: boolean, durationMs = 100): SettledRequest => ({ user: 'u', ok, durationMs, ttftMs: undefined, usage: undefined, served: undefined, model: undefined, clientAborted: false })

describe('rollout runtime', () => {
  it('routes everyone to stable until started, then a sticky, monotone share to the canary', async () => {
    const { rollouts } = await replicas(1)
    const r = rollouts[0]!
    const split = r.splitFor('next', resolve)
    const arm = (user: string) => split.assign({ targetingKey: user })!.name
    const users = Array.from({ length: 2000 }, (_, i) => `user-${i}`)
    expect(users.every((u) => arm(u) === 'stable')).toBe(true)
    await r.act('next', 'start', 'ops', 'go')
    const at10 = users.filter((u) => arm(u) === 'canary')
    expect(at10.length / users.length).toBeGreaterThan(0.08)
    expect(at10.length / users.length).toBeLessThan(0.12)
    await r.act('next', 'promote', 'ops', 'next step')
    const at50 = new Set(users.filter((u) => arm(u) === 'canary'))
    expect(at10.every((u) => at50.has(u))).toBe(true)
    expect(arm('')).toBe('stable')
    await r.act('next', 'rollback', 'ops', 'enough')
    expect(users.every((u) => arm(u) === 'stable')).toBe(true)
  })

  it('keeps each step\'s statistics apart and ignores requests the client abandoned', async () => {
    const { rollouts, recorders } = await replicas(1)
    const r = rollouts[0]!
    const [stable, canary] = r.splitFor('next', resolve).variants
    stable!.credit.settle(request(true)) // pending: not collected
    await r.act('next', 'start', 'ops', 'go')
    for (let i = 0; i < 10; i++) canary!.credit.settle(request(i < 3))
    canary!.credit.settle({ ...request(false), clientAborted: true })
    stable!.credit.settle(request(true, Math.E))
    let view = (await r.view('next'))!
    expect(view.stats.canary).toMatchObject({ requests: 10, errors: 7 })
    expect(view.stats.stable).toMatchObject({ requests: 1, errors: 0, logLatencySum: 1 })
    await recorders[0]!.flush()
    await r.act('next', 'promote', 'ops', 'next step')
    view = (await r.view('next'))!
    expect(view.stats.canary.requests).toBe(0)
    expect(view.record).toMatchObject({ stepIndex: 1, generation: 1, run: 1 })
  })

  it('two replicas judging the same bad canary write one rollback between them; both apply it', async () => {
    const { store, rollouts, recorders } = await replicas(2)
    await rollouts[0]!.act('next', 'start', 'ops', 'go')
    // Both replicas served traffic: stable errs 2 %, canary 40 %.
    for (const [i, r] of rollouts.entries()) {
      const [stable, canary] = r.splitFor('next', resolve).variants
      for (let k = 0; k < 300; k++) {
        stable!.credit.settle(request(k % 50 !== i))
        canary!.credit.settle(request(k % 5 > 1))
      }
      await recorders[i]!.flush()
    }
    clock += 1000
    await Promise.all(rollouts.map((r) => r.judgeAll()))
    const entries = await store.listAudit()
    expect(entries.filter((e) => e.action === 'rollout.auto-rollback')).toHaveLength(1)
    for (const r of rollouts) expect((await r.view('next'))!).toMatchObject({ canaryPercent: 0, record: { status: 'rolled-back' } })
    expect((await rollouts[1]!.view('next'))!.record!.reason).toMatch(/error-rate worse/)
  })

  it('promotes a healthy canary by itself once the step has its data, and starts the next step from zero', async () => {
    const { store, rollouts } = await replicas(1)
    const r = rollouts[0]!
    await r.act('next', 'start', 'ops', 'go')
    const [stable, canary] = r.splitFor('next', resolve).variants
    // No errors on either arm, the same latency spread: promotable once the canary has 369 requests
    // (the zero-error bound) and latency is shown not worse.
    for (let k = 0; k < 400; k++) {
      stable!.credit.settle(request(true, 100 + (k % 10) * 5))
      canary!.credit.settle(request(true, 100 + ((k + 3) % 10) * 5))
    }
    clock += 1000
    await r.judgeAll()
    const view = (await r.view('next'))!
    expect(view.record).toMatchObject({ status: 'progressing', stepIndex: 1, generation: 1 })
    expect(view.canaryPercent).toBe(50)
    expect(view.stats.canary.requests).toBe(0)
    const entry = (await store.listAudit()).find((e) => e.action === 'rollout.auto-promote')
    expect(entry).toMatchObject({ actor: 'sluice', target: 'rollouts/next' })
    expect(entry!.reason).toMatch(/step 10 % passed/)
  })

  it('holds a healthy canary with too little data, and refuses actions that make no sense', async () => {
    const { rollouts } = await replicas(1)
    const r = rollouts[0]!
    await expect(r.act('next', 'pause', 'ops', 'x')).rejects.toThrow(/cannot pause a rollout that is pending/)
    await r.act('next', 'start', 'ops', 'go')
    await expect(r.act('next', 'start', 'ops', 'again')).rejects.toThrow(/cannot start a rollout that is progressing/)
    await expect(r.act('nope', 'start', 'ops', 'x')).rejects.toThrow(/No rollout nope/)
    const [stable, canary] = r.splitFor('next', resolve).variants
    for (let k = 0; k < 50; k++) {
      stable!.credit.settle(request(true, 100 + k))
      canary!.credit.settle(request(true, 100 + k))
    }
    await r.judgeAll()
    const view = (await r.view('next'))!
    expect(view.record).toMatchObject({ status: 'progressing', stepIndex: 0 })
    expect(view.judgement!.decision).toBe('hold')
  })
})
