// Plan building end to end over a real snapshot: identify lists the candidates, the kill-switch
// and control-flag gates narrow them (the one place), steering orders them with an injected
// random, and a budget downgrade's retarget builds its own plan.
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { snapshotOf, killSwitch } from '../../test/support/snapshot.js'
import { FLAG_ON, TRAFFIC_ON_FLAGS } from '../emulators/sluice-config.js'
import type { KillSwitch } from '../core/store.js'
import type { RequestFacts } from '../core/facts.js'
import { findMount, type Snapshot } from '../pipeline/snapshot.js'
import { GateRun, type GateResult } from '../pipeline/gates.js'
import { identifyNative, identifyUnified, parseUnified, type Arrival } from '../pipeline/identify.js'
import { retarget, steer } from './plan.js'

const HAIKU = 'anthropic.claude-3-haiku-20240307-v1:0'
const SONNET = 'anthropic.claude-3-5-sonnet-20240620-v1:0'
const FLASH = 'gemini-2.5-flash'
const OFF = { ...FLAG_ON, defaultVariant: 'off' }
const logger = pino({ level: 'silent' })

function snapshot(killSwitches: KillSwitch[] = [], flags: Record<string, unknown> = {}): Snapshot {
  return snapshotOf(
    {
      providers: {
        bedrock: { type: 'bedrock', mount: '/bedrock', endpoint: 'http://127.0.0.1:9', auth: 'none', alternates: { [HAIKU]: [{ provider: 'west', model: HAIKU }] } },
        west: { type: 'bedrock', mount: '/bedrock-west', endpoint: 'http://127.0.0.1:9', auth: 'none' },
        google: { type: 'gemini', mount: '/google', endpoint: 'http://127.0.0.1:9', apiKey: 'k', auth: 'none' },
        openai: { type: 'openai', mount: '/openai', endpoint: 'http://127.0.0.1:9', apiKey: 'k', auth: 'none' },
      },
      models: {
        mix: {
          targets: [
            { provider: 'bedrock', model: HAIKU, weight: 3 },
            { provider: 'google', model: FLASH, weight: 1 },
            { provider: 'openai', model: 'gpt-4o', weight: 0 },
          ],
        },
      },
      unified: { auth: 'none' },
      flags: { ...TRAFFIC_ON_FLAGS, ...flags },
    },
    killSwitches,
  )
}

const arrival: Arrival = { requestId: 'r', arrivedAt: 0, bodyReadAt: 0, client: undefined, sluiceHeaders: { user: undefined, attributes: undefined, forceVariant: undefined }, environment: 'test' }

function nativeFacts(snap: Snapshot, model = HAIKU, operation = 'converse'): RequestFacts {
  const mount = findMount(snap, '/bedrock/model')!
  const request = {
    method: 'POST',
    path: `/model/${encodeURIComponent(model)}/${operation}`,
    query: '',
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'hi' }] }] })),
  }
  const recognised = mount.adapter.recognise(request)
  if (!recognised.ok) throw new Error(recognised.detail)
  return identifyNative(snap, arrival, mount, request, recognised.operation)
}

function unifiedFacts(snap: Snapshot): RequestFacts {
  const parsed = parseUnified(snap, Buffer.from(JSON.stringify({ model: 'mix', messages: [{ role: 'user', content: 'hi' }] })))
  if (!parsed.ok) throw new Error(parsed.code)
  const facts = identifyUnified(arrival, parsed.request, new Map())
  if (typeof facts === 'string') throw new Error(facts)
  return facts
}

function gates(snap: Snapshot, facts: RequestFacts): GateResult {
  const result = new GateRun(snap, facts, logger).run()
  if (result instanceof Promise) throw new Error('local gates are synchronous')
  return result
}

const ids = (facts: { candidates: readonly { target: { id: string } }[] }): string[] => facts.candidates.map((c) => c.target.id)

describe('native requests: the model named, then its alternates', () => {
  it.each([
    { name: 'nothing killed', kills: [], plan: [`bedrock/${HAIKU}`, `west/${HAIKU}`] },
    { name: 'the alternate\'s provider killed: dropped', kills: [killSwitch('provider', 'west')], plan: [`bedrock/${HAIKU}`] },
    { name: 'an unrelated model killed', kills: [killSwitch('model', FLASH)], plan: [`bedrock/${HAIKU}`, `west/${HAIKU}`] },
  ])('$name', ({ kills, plan }) => {
    const snap = snapshot(kills)
    const facts = nativeFacts(snap)
    expect(gates(snap, facts).kind).toBe('pass')
    const steered = steer(facts, () => 0.99)
    expect(steered.by).toBe('static')
    expect(ids(steered)).toEqual(plan)
  })

  it.each([
    { name: 'its own provider killed', kills: [killSwitch('provider', 'bedrock')], code: 'SLUICE_ERR_KILL_PROVIDER' },
    { name: 'its own model killed', kills: [killSwitch('model', HAIKU)], code: 'SLUICE_ERR_KILL_MODEL' },
    { name: 'everything killed', kills: [killSwitch('global', '*')], code: 'SLUICE_ERR_KILL_GLOBAL' },
  ])('refused, never moved to an alternate: $name', ({ kills, code }) => {
    const snap = snapshot(kills)
    const result = gates(snap, nativeFacts(snap))
    expect(result).toMatchObject({ kind: 'deny', gate: 'killSwitches', refusal: { code } })
  })

  it('an undeclared model starts on the provider-wide target with its own model', () => {
    const snap = snapshot()
    const facts = nativeFacts(snap, SONNET)
    expect(facts.candidates).toEqual([{ target: expect.objectContaining({ id: 'bedrock/*' }), model: SONNET }])
  })
})

describe('unified requests: a weighted first choice among the usable targets, the rest as listed', () => {
  it.each([
    { random: 0, kills: [], plan: [`bedrock/${HAIKU}`, `google/${FLASH}`, 'openai/gpt-4o'] },
    { random: 0.74, kills: [], plan: [`bedrock/${HAIKU}`, `google/${FLASH}`, 'openai/gpt-4o'] },
    { random: 0.75, kills: [], plan: [`google/${FLASH}`, `bedrock/${HAIKU}`, 'openai/gpt-4o'] },
    { random: 0, kills: [killSwitch('provider', 'bedrock')], plan: [`google/${FLASH}`, 'openai/gpt-4o'] },
    { random: 0.5, kills: [killSwitch('model', FLASH)], plan: [`bedrock/${HAIKU}`, 'openai/gpt-4o'] },
    // Only the zero-weight fallback left: it serves.
    { random: 0.5, kills: [killSwitch('provider', 'bedrock'), killSwitch('provider', 'google')], plan: ['openai/gpt-4o'] },
  ])('random $random, kills $kills.length → $plan', ({ random, kills, plan }) => {
    const snap = snapshot(kills)
    const facts = unifiedFacts(snap)
    expect(gates(snap, facts).kind).toBe('pass')
    expect(ids(steer(facts, () => random))).toEqual(plan)
  })

  it('the gates after the narrowing ones see the first usable target', () => {
    const snap = snapshot([killSwitch('provider', 'bedrock')])
    const facts = unifiedFacts(snap)
    gates(snap, facts)
    expect(facts.context).toMatchObject({ provider: 'google', model: FLASH, route: 'mix' })
  })

  it('every target refused: the first one\'s reason', () => {
    const snap = snapshot([killSwitch('provider', 'bedrock'), killSwitch('provider', 'google'), killSwitch('model', 'gpt-4o')])
    expect(gates(snap, unifiedFacts(snap))).toMatchObject({ kind: 'deny', gate: 'killSwitches', refusal: { code: 'SLUICE_ERR_KILL_PROVIDER' } })
  })

  it('a provider switched off is dropped like a killed one; all off is SLUICE_ERR_PROVIDER_DISABLED', () => {
    const one = snapshot([], { 'ai.provider.bedrock.enabled': OFF })
    const facts = unifiedFacts(one)
    expect(gates(one, facts).kind).toBe('pass')
    expect(ids(facts)).toEqual([`google/${FLASH}`, 'openai/gpt-4o'])
    const all = snapshot([], { 'ai.provider.bedrock.enabled': OFF, 'ai.provider.google.enabled': OFF, 'ai.provider.openai.enabled': OFF })
    expect(gates(all, unifiedFacts(all))).toMatchObject({ kind: 'deny', gate: 'controlFlags', refusal: { code: 'SLUICE_ERR_PROVIDER_DISABLED' } })
  })
})

describe('retarget (budget downgrade)', () => {
  it('native: the cheaper model\'s own chain, rewritten by the adapter', () => {
    const snap = snapshot()
    const facts = nativeFacts(snap, SONNET)
    const plan = retarget(snap.routing, facts, HAIKU, 'budgets')!
    expect(plan.by).toBe('budgets')
    expect(ids(plan)).toEqual([`bedrock/${HAIKU}`, `west/${HAIKU}`])
    expect(plan.candidates.map((c) => c.model)).toEqual([HAIKU, HAIKU])
  })

  it('native: an undeclared cheaper model goes to the provider-wide target', () => {
    const snap = snapshot()
    const plan = retarget(snap.routing, nativeFacts(snap, HAIKU), 'amazon.nova-micro-v1:0', 'budgets')!
    expect(plan.candidates).toEqual([{ target: expect.objectContaining({ id: 'bedrock/*' }), model: 'amazon.nova-micro-v1:0' }])
  })

  it.each([
    { name: 'InvokeModel (the body is the model\'s own)', model: SONNET, operation: 'invoke', to: HAIKU },
    { name: 'already on that model', model: HAIKU, operation: 'converse', to: HAIKU },
  ])('native: cannot move when $name', ({ model, operation, to }) => {
    const snap = snapshot()
    const facts = nativeFacts(snap, model, operation)
    expect(retarget(snap.routing, facts, to, 'budgets')).toBeUndefined()
  })

  it('unified: the head\'s provider with the cheaper model, the other candidates following', () => {
    const snap = snapshot()
    const facts = unifiedFacts(snap)
    const plan = retarget(snap.routing, facts, 'amazon.nova-micro-v1:0', 'budgets')!
    expect(plan.candidates.map((c) => [c.target.mount.name, c.model])).toEqual([
      ['bedrock', 'amazon.nova-micro-v1:0'],
      ['google', FLASH],
      ['openai', 'gpt-4o'],
    ])
    // An undeclared model shares the provider-wide target's circuit and pool.
    expect(plan.candidates[0]!.target.id).toBe('bedrock/*')
    expect(plan.candidates[0]!.target.model).toBe('amazon.nova-micro-v1:0')
  })
})
