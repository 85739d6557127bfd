import { Counter, Histogram, Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { cachedLabels, countedLabels, flushLocalCounts } from './metrics.js'

function counter(): { registry: Registry; counter: Counter<'provider' | 'model'> } {
  const registry = new Registry()
  return { registry, counter: new Counter({ name: 'test_total', help: 'test', labelNames: ['provider', 'model'], registers: [registry] }) }
}

async function values(metric: Counter<'provider' | 'model'>): Promise<Record<string, number>> {
  const out: Record<string, number> = {}
  for (const { labels, value } of (await metric.get()).values) out[`${labels.provider}/${labels.model}`] = value
  return out
}

describe('cachedLabels', () => {
  it('returns the same child for the same label values and counts through it', async () => {
    const { counter: metric } = counter()
    const labels = cachedLabels(metric)
    const child = labels('openai', 'gpt-4o')
    expect(labels('openai', 'gpt-4o')).toBe(child)
    expect(labels('openai', 'gpt-4o-mini')).not.toBe(child)
    labels('openai', 'gpt-4o').inc(2)
    labels('openai', 'gpt-4o-mini').inc()
    expect(await values(metric)).toEqual({ 'openai/gpt-4o': 2, 'openai/gpt-4o-mini': 1 })
  })

  it('keeps tuples apart whose joined values would collide', () => {
    const labels = cachedLabels(counter().counter)
    expect(labels('a\u0000b', 'c')).not.toBe(labels('a', 'b\u0000c'))
  })

  it('stops caching at the cap but still counts', async () => {
    const { counter: metric } = counter()
    const labels = cachedLabels(metric, 2)
    const first = labels('p', 'm1')
    const second = labels('p', 'm2')
    const third = labels('p', 'm3')
    expect(labels('p', 'm3')).not.toBe(third) // over the cap: a fresh child each time
    expect(labels('p', 'm1')).toBe(first)
    expect(labels('p', 'm2')).toBe(second)
    first.inc()
    third.inc()
    labels('p', 'm3').inc()
    expect(await values(metric)).toEqual({ 'p/m1': 1, 'p/m3': 2 })
  })

  it('survives a registry reset: children write to the live metric', async () => {
    const { registry, counter: metric } = counter()
    const labels = cachedLabels(metric)
    labels('p', 'm').inc()
    registry.resetMetrics()
    labels('p', 'm').inc(3)
    expect(await values(metric)).toEqual({ 'p/m': 3 })
  })

  it('caches histogram children too', async () => {
    const registry = new Registry()
    const histogram = new Histogram({ name: 'test_seconds', help: 'test', labelNames: ['provider'], buckets: [1], registers: [registry] })
    const labels = cachedLabels(histogram)
    expect(labels('p')).toBe(labels('p'))
    labels('p').observe(0.5)
    expect((await histogram.get()).values.find((v) => v.metricName === 'test_seconds_count')?.value).toBe(1)
  })

  it('rejects a wrong label count without caching it', () => {
    const labels = cachedLabels(counter().counter)
    expect(() => labels('only-one')).toThrow(/Invalid number of arguments/)
    expect(() => labels('only-one')).toThrow(/Invalid number of arguments/)
  })
})

describe('countedLabels', () => {
  const counted = () => {
    const registry = new Registry()
    const metric = new Counter({ name: 'test_counted_total', help: 'test', labelNames: ['a', 'b'], registers: [registry], collect: flushLocalCounts })
    return { registry, metric }
  }
  const total = async (metric: Counter<string>): Promise<Record<string, number>> =>
    Object.fromEntries((await metric.get()).values.map((v) => [`${String(v.labels.a)}/${String(v.labels.b)}`, v.value]))

  it('counts locally and adds the counts when the counter is collected', async () => {
    const { registry, metric } = counted()
    const labels = countedLabels(metric)
    labels('p', 'm').inc()
    labels('p', 'm').inc(2.5)
    labels('p', 'n').inc()
    expect(await total(metric)).toEqual({ 'p/m': 3.5, 'p/n': 1 })
    labels('p', 'm').inc()
    expect(await registry.metrics()).toContain('test_counted_total{a="p",b="m"} 4.5')
    expect(await total(metric)).toEqual({ 'p/m': 4.5, 'p/n': 1 })
  })

  it('refuses what prom-client refuses, at the call', () => {
    const labels = countedLabels(counted().metric)
    expect(() => labels('p', 'm').inc(-1)).toThrow(/decrease/)
    expect(() => labels('p', 'm').inc(Number.POSITIVE_INFINITY)).toThrow(/not a valid number/)
  })

  it('counts past the cache cap straight through', async () => {
    const { metric } = counted()
    const labels = countedLabels(metric, 1)
    labels('p', 'm').inc()
    labels('p', 'over').inc()
    labels('p', 'over').inc()
    expect(await total(metric)).toEqual({ 'p/m': 1, 'p/over': 2 })
  })

  it('needs the counter to flush on collect', () => {
    const metric = new Counter({ name: 'test_plain_total', help: 'test', labelNames: ['a'], registers: [] })
    expect(() => countedLabels(metric)).toThrow(/collect: flushLocalCounts/)
  })
})
