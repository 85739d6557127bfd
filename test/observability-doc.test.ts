// docs/observability.md lists every metric Sluice declares (src/core/metrics.ts) with its type and
// labels, and no other: a renamed metric or a new label fails here until the page says so.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { metrics } from '../src/core/metrics.js'

describe('docs/observability.md', () => {
  const doc = readFileSync(new URL('../docs/observability.md', import.meta.url), 'utf8')
  const rows = Object.fromEntries(
    [...doc.matchAll(/^\| `((?:sluice|gen_ai)_[a-z_]+)` \| (counter|gauge|histogram) \| ([^|]+) \|/gm)].map((m) => [
      m[1],
      { type: m[2], labels: m[3]!.trim() === '–' ? [] : [...m[3]!.matchAll(/`([a-z_]+)`/g)].map((l) => l[1]) },
    ]),
  )

  it('has one row per declared metric, with its type and labels', () => {
    const declared = Object.fromEntries(
      Object.values(metrics).map((m) => {
        const { name, labelNames } = m as unknown as { name: string; labelNames: string[] }
        return [name, { type: m.constructor.name.toLowerCase(), labels: [...labelNames] }]
      }),
    )
    expect(rows).toEqual(declared)
  })
})
