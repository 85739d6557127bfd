// The bandit router with an injected clock and seeded random: modes (off, shadow, canary share,
// active), crediting the target tried first, feedback tokens (signature, expiry, unknown arm,
// quality weight) and the fleet view (other replicas' statistics added to its own).
import { describe, expect, it } from 'vitest'
import type { SettledRequest, Target } from '../../core/target.js'
import { seededRandom } from '../../../test/support/random.js'
import { BanditRouter } from './router.js'
import { banditSettings } from './settings.js'

const targets = [{ id: 'openai/a' }, { id: 'google/b' }] as unknown as Target[]
const ok = (durationMs = 100): SettledRequest => ({ user: 'u', ok: true, durationMs, ttftMs: undefined, usage: undefined, served: undefined, model: undefined, clientAborted: false })
const failed: SettledRequest = { ...ok(), ok: false }

function router(options: { quality?: number; now?: () => number; canaryPercent?: number; secret?: string } = {}): BanditRouter {
  return new BanditRouter({
    model: 'duo',
    arms: targets.map((t) => t.id),
    settings: banditSettings({ reward: { success: 1 - (options.quality ?? 0.2), quality: options.quality ?? 0.2 } }),
    canaryPercent: options.canaryPercent ?? 10,
    secret: Buffer.from(options.secret ?? 'secret-0123456789abcdef'),
    feedbackTtlMs: 60_000,
    costOf: () => undefined,
    now: options.now ?? (() => 1_000_000),
  })
}

describe('bandit router', () => {
  it('routes by mode: off picks nothing, shadow never routes, canary routes its share, active always', () => {
    const r = router({ canaryPercent: 25 })
    const random = seededRandom(7)
    expect(r.choose(targets, 'off', random)).toBeUndefined()
    let routed = 0
    for (let i = 0; i < 4000; i++) if (r.choose(targets, 'canary', random)!.routes) routed++
    expect(routed / 4000).toBeGreaterThan(0.23)
    expect(routed / 4000).toBeLessThan(0.27)
    for (let i = 0; i < 50; i++) expect(r.choose(targets, 'shadow', random)!.routes).toBe(false)
    for (let i = 0; i < 50; i++) expect(r.choose(targets, 'active', random)!.routes).toBe(true)
  })

  it('learns from the credited arm: a failing arm loses its share', () => {
    const r = router()
    const random = seededRandom(3)
    for (let i = 0; i < 300; i++) {
      const { target } = r.choose(targets, 'active', random)!
      r.credit(target).settle(target.id === 'google/b' ? failed : ok())
    }
    const { shares } = r.report(seededRandom(1))
    expect(shares.find((s) => s.arm === 'openai/a')!.share).toBeGreaterThan(0.9)
    // The exploration floor keeps the failing arm in play.
    expect(shares.find((s) => s.arm === 'google/b')!.share).toBeGreaterThanOrEqual(0.019)
  })

  it('accepts its own fresh tokens, and refuses forged, expired, foreign and out-of-range ones', () => {
    let now = 1_000_000
    const r = router({ now: () => now })
    const token = r.token('google/b')
    expect(BanditRouter.modelOf(token)).toBe('duo')
    const before = r.own().arms['google/b']?.successes ?? 0
    expect(r.feedback(token, 1)).toEqual({ ok: true, arm: 'google/b' })
    expect(r.own().arms['google/b']!.successes - before).toBeCloseTo(0.2, 10)
    expect(r.feedback(token, 1.5)).toMatchObject({ ok: false, detail: expect.stringMatching(/0 to 1/) })
    expect(router({ secret: 'another-secret-0123456' }).feedback(token, 1)).toMatchObject({ ok: false, detail: expect.stringMatching(/signature/) })
    expect(r.feedback('v1.bm9wZQ.xxxxxxxxxxxxxxxxxxxxxx', 1)).toMatchObject({ ok: false })
    expect(r.feedback('not a token', 1)).toMatchObject({ ok: false })
    now += 60_001
    expect(r.feedback(token, 1)).toMatchObject({ ok: false, detail: expect.stringMatching(/expired/) })
    expect(router({ quality: 0, now: () => now }).feedback(r.token('google/b'), 1)).toMatchObject({ ok: false, detail: expect.stringMatching(/quality/) })
  })

  it('adds the other replicas\' statistics to its own when choosing and reporting', () => {
    const a = router()
    const b = router()
    for (let i = 0; i < 100; i++) a.credit(targets[1]!).settle(failed)
    b.setOthers([a.own()])
    const shares = b.report(seededRandom(2)).shares
    expect(shares.find((s) => s.arm === 'openai/a')!.share).toBeGreaterThan(0.9)
    expect(b.own().arms).toEqual({})
  })
})
