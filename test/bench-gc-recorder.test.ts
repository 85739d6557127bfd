// bench/gc-recorder.ts: what `npm run bench:gc` reports from V8's collection statistics.
import { GCProfiler } from 'node:v8'
import { describe, expect, it } from 'vitest'
import { summarise } from '../bench/gc-recorder.js'

const heap = (used: number, old: number) => ({ heapStatistics: { usedHeapSize: used }, heapSpaceStatistics: [{ spaceName: 'new_space', spaceUsedSize: 1 }, { spaceName: 'old_space', spaceUsedSize: old }] })

describe('summarise', () => {
  it('counts allocation between collections, promotion across young ones, and each kind', () => {
    const record = summarise([
      { gcType: 'Scavenge', cost: 100, beforeGC: heap(10_000, 4_000), afterGC: heap(5_000, 4_500) },
      { gcType: 'Scavenge', cost: 200, beforeGC: heap(12_000, 4_500), afterGC: heap(6_000, 5_100) },
      { gcType: 'IncrementalMarking', cost: 10, beforeGC: heap(6_000, 5_100), afterGC: heap(6_000, 5_100) },
      { gcType: 'MarkSweepCompact', cost: 1_000, beforeGC: heap(9_000, 5_100), afterGC: heap(3_000, 2_000) },
    ])
    // Allocated: (12,000 − 5,000) + (6,000 − 6,000) + (9,000 − 6,000); promoted: 500 + 600.
    expect(record).toEqual({ allocatedBytes: 10_000, youngCollections: 2, fullCollections: 1, costMicros: 1_310, promotedBytes: 1_100 })
  })

  it('reads what V8 itself reports', () => {
    const profiler = new GCProfiler()
    profiler.start()
    let kept: object[] = []
    for (let i = 0; i < 2_000_000; i++) {
      kept.push({ i })
      if (kept.length > 1000) kept = []
    }
    const { statistics } = profiler.stop() as unknown as { statistics: Parameters<typeof summarise>[0] }
    const record = summarise(statistics)
    expect(record.youngCollections).toBeGreaterThan(0)
    expect(record.allocatedBytes).toBeGreaterThan(0)
    expect(kept.length).toBeLessThanOrEqual(1001)
  })
})
