import { Value } from '@sinclair/typebox/value'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { metrics } from '../core/metrics.js'
import { CircuitRegistry, type Circuit, type CircuitState } from './circuits.js'
import { CircuitBreakerSchema, type CircuitBreakerConfig } from './schema.js'
import { type FailureKind } from '../core/target.js'

/** The schema's defaults with a small volume and a 5 s reset, plus overrides. */
const config = (overrides: Partial<CircuitBreakerConfig> = {}): CircuitBreakerConfig =>
  Value.Default(CircuitBreakerSchema, { volumeThreshold: 4, resetTimeoutMs: 5_000, ...overrides }) as CircuitBreakerConfig

/** A settled ticket reaches opossum through its promise chain: two microtask hops. */
const flush = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve()
}

async function fail(circuit: Circuit, times: number, kind: FailureKind = '5xx'): Promise<void> {
  for (let i = 0; i < times; i++) circuit.acquire()?.failure(kind)
  await flush()
}

async function succeed(circuit: Circuit, times: number): Promise<void> {
  for (let i = 0; i < times; i++) circuit.acquire()?.success()
  await flush()
}

const sample = async (metric: { get(): Promise<{ values: { labels: Record<string, unknown>; value: number }[] }> }, labels: Record<string, string>) =>
  (await metric.get()).values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value

let registry: CircuitRegistry
let transitions: [string, CircuitState][]
let seq = 0
/** A fresh target id per test: metrics are process-wide. */
let id: string

beforeEach(() => {
  vi.useFakeTimers()
  transitions = []
  registry = new CircuitRegistry({ onTransition: (c, to) => transitions.push([c.id, to]) })
  registry.configure(config())
  id = `openai/gpt-test-${++seq}`
})
afterEach(() => {
  registry.close()
  vi.useRealTimers()
})

const target = (): Circuit => registry.circuit(id, 'openai', id.slice('openai/'.length))!

describe('opening', () => {
  it('stays closed until the window holds volumeThreshold attempts, then opens above the error rate', async () => {
    const circuit = target()
    await fail(circuit, 3)
    expect(circuit.state).toBe('closed')
    expect(circuit.report().window).toEqual({ attempts: 3, failures: 3, successes: 0, rejects: 0 })
    await fail(circuit, 1)
    expect(circuit.state).toBe('open')
    expect(transitions).toEqual([[id, 'open']])
  })

  it('opens only when failures exceed errorThresholdPercent (50 % is not more than 50 %)', async () => {
    const circuit = target()
    await succeed(circuit, 2)
    await fail(circuit, 2)
    expect(circuit.state).toBe('closed')
    await fail(circuit, 1) // 3 of 5
    expect(circuit.state).toBe('open')
  })

  it('forgets failures older than the window', async () => {
    const circuit = target()
    await fail(circuit, 3)
    await vi.advanceTimersByTimeAsync(10_000) // windowMs: every bucket rotated out
    await fail(circuit, 1)
    expect(circuit.state).toBe('closed')
    expect(circuit.report().window.failures).toBe(1)
  })

  it.each<[string, FailureKind[] | undefined, FailureKind, CircuitState]>([
    ['429 is not a failure by default', undefined, '429', 'closed'],
    ['429 trips when in failOn', ['429'], '429', 'open'],
    ['5xx trips by default', undefined, '5xx', 'open'],
    ['timeout trips by default', undefined, 'timeout', 'open'],
    ['connection trips by default', undefined, 'connection', 'open'],
    ['5xx does not trip when failOn leaves it out', ['timeout'], '5xx', 'closed'],
  ])('%s', async (_name, failOn, kind, state) => {
    registry.configure(config(failOn === undefined ? {} : { failOn }))
    const circuit = target()
    await fail(circuit, 10, kind)
    expect(circuit.state).toBe(state)
    if (state === 'closed') expect(circuit.report().window).toMatchObject({ attempts: 10, failures: 0, successes: 10 })
  })
})

describe('open and half-open', () => {
  it('refuses while open, with the seconds left until a probe', async () => {
    const circuit = target()
    await fail(circuit, 4)
    expect(circuit.acquire()).toBeUndefined()
    expect(circuit.retryAfterSeconds()).toBe(5)
    await vi.advanceTimersByTimeAsync(2_500)
    expect(circuit.acquire()).toBeUndefined()
    expect(circuit.retryAfterSeconds()).toBe(3)
    await vi.advanceTimersByTimeAsync(2_499)
    expect(circuit.retryAfterSeconds()).toBe(1)
    const report = circuit.report()
    expect(report).toMatchObject({ state: 'open', openedAt: new Date(Date.now() - 4_999).toISOString(), retryAfterSeconds: 1 })
    expect(report.window).toEqual({ attempts: 4, failures: 4, successes: 0, rejects: 2 })
    expect(await sample(metrics.circuitRejections, { target: id })).toBe(2)
  })

  it('lets exactly one probe through after resetTimeoutMs; its success closes with an empty window', async () => {
    const circuit = target()
    await fail(circuit, 4)
    await vi.advanceTimersByTimeAsync(5_000)
    expect(circuit.state).toBe('half-open')
    expect(circuit.retryAfterSeconds()).toBe(0)
    const probe = circuit.acquire()
    expect(probe).toBeDefined()
    expect(circuit.acquire()).toBeUndefined()
    expect(circuit.retryAfterSeconds()).toBe(1)
    expect(circuit.report().openedAt).toBeDefined()
    probe!.success()
    await flush()
    expect(circuit.state).toBe('closed')
    expect(circuit.report()).toMatchObject({ retryAfterSeconds: 0, window: { attempts: 0, failures: 0, successes: 0, rejects: 0 } })
    expect(circuit.report().openedAt).toBeUndefined()
    // A fresh window: one failure right after recovery does not re-trip it.
    await fail(circuit, 1)
    expect(circuit.state).toBe('closed')
    expect(transitions.map(([, to]) => to)).toEqual(['open', 'half-open', 'closed'])
  })

  it('a failed probe opens it again for another resetTimeoutMs', async () => {
    const circuit = target()
    await fail(circuit, 4)
    await vi.advanceTimersByTimeAsync(5_000)
    circuit.acquire()!.failure('timeout')
    await flush()
    expect(circuit.state).toBe('open')
    expect(circuit.retryAfterSeconds()).toBe(5)
    expect(circuit.report().openedAt).toBe(new Date(Date.now()).toISOString())
    await vi.advanceTimersByTimeAsync(5_000)
    expect(circuit.state).toBe('half-open')
  })

  it('a probe failing with a kind outside failOn counts as a success and closes', async () => {
    const circuit = target()
    await fail(circuit, 4)
    await vi.advanceTimersByTimeAsync(5_000)
    circuit.acquire()!.failure('429')
    await flush()
    expect(circuit.state).toBe('closed')
  })
})

describe('tickets', () => {
  it('settle once: later calls are ignored', async () => {
    const circuit = target()
    const ticket = circuit.acquire()!
    ticket.failure('5xx')
    ticket.failure('5xx')
    ticket.success()
    await flush()
    expect(circuit.report().window).toEqual({ attempts: 1, failures: 1, successes: 0, rejects: 0 })
  })

  it('count as attempts while in flight', () => {
    const circuit = target()
    circuit.acquire()
    circuit.acquire()
    expect(circuit.report().window).toEqual({ attempts: 2, failures: 0, successes: 0, rejects: 0 })
  })
})

describe('reset', () => {
  it('closes an open circuit and clears its counts; tickets out before it no longer count', async () => {
    const circuit = target()
    const late = circuit.acquire()!
    await fail(circuit, 4)
    circuit.reset()
    expect(circuit.state).toBe('closed')
    expect(circuit.report().window).toEqual({ attempts: 0, failures: 0, successes: 0, rejects: 0 })
    late.failure('5xx')
    await fail(circuit, 3)
    expect(circuit.state).toBe('closed')
    expect(circuit.report().window.failures).toBe(3)
    expect(transitions.map(([, to]) => to)).toEqual(['open', 'closed'])
  })
})

describe('registry', () => {
  it('returns the same circuit for an id', () => {
    const circuit = target()
    expect(registry.circuit(id, 'openai', 'x')).toBe(circuit)
    expect(registry.find(id)).toBe(circuit)
    expect(registry.find('openai/none')).toBeUndefined()
  })

  it('keeps state when the settings did not change', async () => {
    const circuit = target()
    await fail(circuit, 4)
    registry.configure(config())
    expect(registry.circuit(id, 'openai', 'x')).toBe(circuit)
    expect(circuit.state).toBe('open')
  })

  it('keeps state when only failOn changed, and applies it', async () => {
    const circuit = target()
    await fail(circuit, 2)
    registry.configure(config({ failOn: ['429'] }))
    expect(circuit.report().window.failures).toBe(2)
    await fail(circuit, 2, '5xx') // no longer failures
    expect(circuit.state).toBe('closed')
    expect(circuit.report().settings.failOn).toEqual(['429'])
  })

  it('rebuilds circuits closed when the breaker settings changed', async () => {
    const circuit = target()
    await fail(circuit, 4)
    registry.configure(config({ volumeThreshold: 10 }))
    expect(registry.find(id)).toBe(circuit)
    expect(circuit.state).toBe('closed')
    expect(circuit.report()).toMatchObject({ settings: { volumeThreshold: 10 }, window: { attempts: 0 } })
    await fail(circuit, 9)
    expect(circuit.state).toBe('closed')
    await fail(circuit, 1)
    expect(circuit.state).toBe('open')
  })

  it('retain() forgets removed targets; requests still holding one are admitted uncounted', async () => {
    const kept = target()
    const removed = registry.circuit('openai/removed', 'openai', 'removed')!
    const ticket = removed.acquire()!
    registry.retain(new Set([id]))
    expect(registry.find('openai/removed')).toBeUndefined()
    expect(registry.list().map((r) => r.id)).toEqual([id])
    expect(await sample(metrics.circuitState, { target: 'openai/removed' })).toBeUndefined()
    ticket.failure('5xx')
    expect(removed.acquire()).toBeDefined()
    await flush()
    expect(registry.find(id)).toBe(kept)
  })

  it('lists reports sorted by id', () => {
    registry.circuit('openai/*', 'openai', '*')
    registry.circuit('bedrock/m', 'bedrock', 'm')
    expect(registry.list().map((r) => [r.id, r.provider, r.model, r.state])).toEqual([
      ['bedrock/m', 'bedrock', 'm', 'closed'],
      ['openai/*', 'openai', '*', 'closed'],
    ])
  })

  it('answers undefined when disabled, and before the first configure', () => {
    target()
    registry.configure(config({ enabled: false }))
    expect(registry.enabled).toBe(false)
    expect(registry.circuit(id, 'openai', 'x')).toBeUndefined()
    expect(registry.list()).toEqual([])
    expect(new CircuitRegistry().circuit(id, 'openai', 'x')).toBeUndefined()
  })

  it('a throwing onTransition does not break the breaker', async () => {
    const noisy = new CircuitRegistry({
      onTransition: () => {
        throw new Error('observer failed')
      },
    })
    noisy.configure(config())
    const circuit = noisy.circuit(id, 'openai', 'x')!
    await fail(circuit, 4)
    expect(circuit.state).toBe('open')
    noisy.close()
  })
})

describe('metrics', () => {
  it('tracks state, transitions and rejections per target', async () => {
    const circuit = target()
    expect(await sample(metrics.circuitState, { target: id })).toBe(0)
    await fail(circuit, 4)
    expect(await sample(metrics.circuitState, { target: id })).toBe(2)
    circuit.acquire()
    await vi.advanceTimersByTimeAsync(5_000)
    expect(await sample(metrics.circuitState, { target: id })).toBe(1)
    circuit.acquire()!.success()
    await flush()
    expect(await sample(metrics.circuitState, { target: id })).toBe(0)
    expect(await sample(metrics.circuitTransitions, { target: id, to: 'open' })).toBe(1)
    expect(await sample(metrics.circuitTransitions, { target: id, to: 'half-open' })).toBe(1)
    expect(await sample(metrics.circuitTransitions, { target: id, to: 'closed' })).toBe(1)
    expect(await sample(metrics.circuitRejections, { target: id })).toBe(1)
  })
})
