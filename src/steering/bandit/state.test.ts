// Statistics as JSON, and merging replicas: exact under time decay, a plain sum under the
// per-update discount (each replica discounts by its own updates).
import { describe, expect, it } from 'vitest'
import { armAt, armOf, banditSettings, chooseArm, emptyStats, mergeStats, parseStats, recordOutcome, type BanditStats, type RequestOutcome } from './index.js'
import { sfc32 } from './test-support.js'

function outcomeAt(random: () => number): RequestOutcome {
  return { ok: random() < 0.8, latencyMs: 50 + random() * 4_000, costUsd: 0.001 }
}

function expectClose(actual: BanditStats, expected: BanditStats): void {
  expect(Object.keys(actual.arms).sort()).toEqual(Object.keys(expected.arms).sort())
  for (const [id, e] of Object.entries(expected.arms)) {
    const a = actual.arms[id]!
    expect(a.atMs, id).toBe(e.atMs)
    for (const key of ['successes', 'failures', 'attempts', 'errors'] as const) expect(a[key], `${id}.${key}`).toBeCloseTo(e[key], 9)
    a.latencyCounts.forEach((n, i) => expect(n, `${id}.latencyCounts[${i}]`).toBeCloseTo(e.latencyCounts[i]!, 9))
  }
}

describe('statistics as JSON', () => {
  it('survive JSON.stringify and parseStats unchanged', () => {
    const settings = banditSettings()
    const random = sfc32(1)
    let stats = emptyStats()
    for (let i = 0; i < 200; i++) stats = recordOutcome(stats, random() < 0.5 ? 'openai/gpt-4o' : 'bedrock/claude', outcomeAt(random), settings, i * 250)
    const parsed = parseStats(JSON.parse(JSON.stringify(stats)))
    expect(parsed).toEqual({ ok: true, stats })
  })

  const arm = { successes: 1, failures: 2, attempts: 3, errors: 1, latencyCounts: Array<number>(18).fill(0), atMs: 5 }
  it.each([
    [null, [{ path: '(root)', problem: 'must be an object', got: null }]],
    [{ version: 2, arms: {} }, [{ path: 'version', problem: 'must be 1', got: 2 }]],
    [{ version: 1 }, [{ path: 'arms', problem: 'must be an object of arm statistics' }]],
    [{ version: 1, arms: { a: { ...arm, successes: -1 } } }, [{ path: 'arms.a.successes', problem: 'must be a finite number ≥ 0', got: -1 }]],
    [{ version: 1, arms: { 'x/y': { ...arm, atMs: '5' } } }, [{ path: 'arms["x/y"].atMs', problem: 'must be a finite number', got: '5' }]],
    // Stored under other bucket bounds: the counts cannot be read against these.
    [{ version: 1, arms: { a: { ...arm, latencyCounts: [1, 2] } } }, [{ path: 'arms.a.latencyCounts', problem: 'must be 18 finite numbers ≥ 0', got: [1, 2] }]],
  ])('refuses %j', (value, problems) => {
    expect(parseStats(value)).toEqual({ ok: false, problems })
  })
})

describe('arm ids', () => {
  it('may be any string, names of Object.prototype members included', () => {
    const settings = banditSettings()
    let stats = emptyStats()
    expect(chooseArm(stats, ['constructor', 'toString'], settings, sfc32(9), 0).arm).toMatch(/^(constructor|toString)$/)
    stats = recordOutcome(stats, '__proto__', { ok: true, latencyMs: 10, costUsd: 0 }, settings, 0)
    stats = recordOutcome(stats, 'constructor', { ok: false, latencyMs: 10, costUsd: 0 }, settings, 0)
    expect(Object.keys(stats.arms).sort()).toEqual(['__proto__', 'constructor'])
    const parsed = parseStats(JSON.parse(JSON.stringify(stats)))
    expect(parsed.ok && Object.keys(parsed.stats.arms).sort()).toEqual(['__proto__', 'constructor'])
    const merged = mergeStats([stats, stats], 0, settings)
    expect(armOf(merged, '__proto__')).toMatchObject({ successes: 2 })
    expect(armOf(merged, 'toString')).toBeUndefined()
  })
})

describe('mergeStats', () => {
  it('under time decay alone, the sum of two replicas equals one instance that saw every request', () => {
    const settings = banditSettings({ discount: 1, halfLifeMs: 20_000 })
    const random = sfc32(2)
    let one = emptyStats()
    let a = emptyStats()
    let b = emptyStats()
    for (let i = 0; i < 500; i++) {
      const arm = random() < 0.3 ? 'x' : 'y'
      const outcome = outcomeAt(random)
      const nowMs = i * 173
      one = recordOutcome(one, arm, outcome, settings, nowMs)
      if (random() < 0.5) a = recordOutcome(a, arm, outcome, settings, nowMs)
      else b = recordOutcome(b, arm, outcome, settings, nowMs)
    }
    const nowMs = 100_000
    const single: BanditStats = { version: 1, arms: Object.fromEntries(Object.entries(one.arms).map(([id, s]) => [id, armAt(s, nowMs, settings)])) }
    expectClose(mergeStats([a, b], nowMs, settings), single)
    expectClose(mergeStats([b, a], nowMs, settings), single)
  })

  it('with the per-update discount, sums what each replica remembers: N replicas hold about N / (1 − discount)', () => {
    const settings = banditSettings({ discount: 0.99, halfLifeMs: undefined })
    const ok: RequestOutcome = { ok: true, latencyMs: 100, costUsd: 0 }
    let a = emptyStats()
    let b = emptyStats()
    for (let i = 0; i < 2_000; i++) {
      a = recordOutcome(a, 'x', ok, settings, i)
      b = recordOutcome(b, 'x', ok, settings, i)
    }
    const merged = mergeStats([a, b], 2_000, settings).arms.x!
    expect(merged.successes).toBeCloseTo(2 / (1 - 0.99), 6)
  })

  it('keeps arms only one replica has seen, ages them to now, and leaves its inputs alone', () => {
    const settings = banditSettings()
    const a = recordOutcome(emptyStats(), 'x', { ok: false, latencyMs: 10, costUsd: 0 }, settings, 0)
    const b = recordOutcome(emptyStats(), 'y', { ok: true, latencyMs: 10, costUsd: 0 }, settings, 0)
    const copy = JSON.parse(JSON.stringify(a)) as BanditStats
    const merged = mergeStats([a, b], 60_000, settings)
    expect(Object.keys(merged.arms).sort()).toEqual(['x', 'y'])
    // The constraint counts halve each minute (DEFAULT_CONSTRAINTS.halfLifeMs).
    expect(merged.arms.x).toMatchObject({ errors: 0.5, attempts: 0.5, atMs: 60_000 })
    expect(a).toEqual(copy)
  })

  it('does not age a copy newer than now backwards', () => {
    const settings = banditSettings()
    const a = recordOutcome(emptyStats(), 'x', { ok: true, latencyMs: 10, costUsd: 0 }, settings, 10_000)
    expect(mergeStats([a], 5_000, settings).arms.x).toEqual(a.arms.x)
  })
})
