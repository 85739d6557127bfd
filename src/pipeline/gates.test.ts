// The gate runner: order, fail modes (a throwing or rejecting gate), holds settled exactly once
// (also when a later gate refuses), and a route verdict carried to steering.
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { snapshotOf } from '../../test/support/snapshot.js'
import { PASS, type Verdict } from '../core/decision.js'
import type { Outcome, RequestFacts } from '../core/facts.js'
import type { FailMode, GateCheck } from '../core/gate.js'
import type { RoutePlan } from '../core/plan.js'
import { GateRun } from './gates.js'
import type { Snapshot, SnapshotGate } from './snapshot.js'

const base = snapshotOf({})
const logger = pino({ level: 'silent' })
const facts = { requestId: 'r', candidates: [], virtualModel: undefined } as unknown as RequestFacts
const OUTCOME = { status: 200, decision: 'allow', code: '200' } as Outcome
const PLAN: RoutePlan = { candidates: [], by: 'test', tags: undefined, credit: undefined }

function run(gates: Array<[string, FailMode, GateCheck<unknown>]>) {
  const snapshot: Snapshot = { ...base, gates: gates.map(([name, failMode, gate]): SnapshotGate => ({ name, failMode, gate })) }
  return new GateRun(snapshot, facts, logger)
}

const checking = (verdict: () => Verdict<unknown> | Promise<Verdict<unknown>>, settled?: unknown[]): GateCheck<unknown> => ({
  check: verdict,
  settle: settled === undefined ? undefined : (hold) => settled.push(hold),
})

describe('GateRun', () => {
  it.each<{ name: string; failMode: FailMode; throws: () => Verdict<unknown> | Promise<Verdict<unknown>>; kind: string }>([
    { name: 'a throwing gate, closed', failMode: 'closed', throws: () => { throw new Error('boom') }, kind: 'deny' },
    { name: 'a throwing gate, open', failMode: 'open', throws: () => { throw new Error('boom') }, kind: 'pass' },
    { name: 'a rejecting gate, closed', failMode: 'closed', throws: () => Promise.reject(new Error('boom')), kind: 'deny' },
    { name: 'a rejecting gate, open', failMode: 'open', throws: () => Promise.reject(new Error('boom')), kind: 'pass' },
  ])('$name → $kind', async ({ failMode, throws, kind }) => {
    const result = await run([['broken', failMode, checking(throws)]]).run()
    expect(result.kind).toBe(kind)
    if (result.kind === 'deny') expect(result).toMatchObject({ gate: 'broken', refusal: { code: 'SLUICE_ERR_GATE_FAILED' } })
  })

  it('stops at the first refusal; the holds before it are settled once with the outcome', async () => {
    const settled: unknown[] = []
    const order: string[] = []
    const gates = run([
      ['a', 'closed', checking(() => (order.push('a'), { kind: 'pass', hold: 'lease-a' }), settled)],
      ['b', 'closed', checking(() => (order.push('b'), Promise.resolve({ kind: 'pass', hold: 'lease-b' })), settled)],
      ['c', 'closed', checking(() => (order.push('c'), { kind: 'deny', code: 'SLUICE_ERR_BUDGET_EXCEEDED', hold: 'lease-c' }), settled)],
      ['d', 'closed', checking(() => (order.push('d'), PASS), settled)],
    ])
    const result = await gates.run()
    expect(order).toEqual(['a', 'b', 'c'])
    expect(result).toMatchObject({ kind: 'deny', gate: 'c', refusal: { code: 'SLUICE_ERR_BUDGET_EXCEEDED' } })
    gates.settle(OUTCOME)
    gates.settle(OUTCOME)
    expect(settled).toEqual(['lease-a', 'lease-b', 'lease-c'])
  })

  it('a settle that throws does not keep the others from settling', () => {
    const settled: unknown[] = []
    const gates = run([
      ['a', 'closed', { check: () => ({ kind: 'pass', hold: 1 }), settle: () => { throw new Error('boom') } }],
      ['b', 'closed', checking(() => ({ kind: 'pass', hold: 2 }), settled)],
    ])
    gates.run()
    gates.settle(OUTCOME)
    expect(settled).toEqual([2])
  })

  it('a route verdict passes the request on with its plan', () => {
    const result = run([
      ['a', 'closed', checking(() => PASS)],
      ['routing', 'closed', checking(() => ({ kind: 'route', plan: PLAN }))],
    ]).run()
    expect(result).toEqual({ kind: 'pass', route: { kind: 'route', plan: PLAN } })
  })
})
