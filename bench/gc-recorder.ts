// The garbage collector's record of a bench server (`npm run bench:gc`), when SLUICE_BENCH_GC
// names a file: each SIGUSR2 writes what V8 collected since the previous one (or since start) to
// that file, as one JSON object, and starts over. Allocation is read between collections (used
// heap before one minus after the one before); promotion as the old space's growth across each
// young collection. These count bytes and collections, not time on a shared host, so they move
// little between runs where req/s and CPU per request move by several per cent.
import { writeFileSync } from 'node:fs'
import { GCProfiler } from 'node:v8'

export interface GcRecord {
  /** Bytes allocated between the first and the last collection of the period. */
  readonly allocatedBytes: number
  readonly youngCollections: number
  /** Mark-sweep-compact collections (incremental marking steps are not counted). */
  readonly fullCollections: number
  /** Time in collections, microseconds, as V8 reports it (its `cost`). */
  readonly costMicros: number
  /** Old-space growth across the young collections: what they promoted. */
  readonly promotedBytes: number
}

interface Stats {
  readonly gcType: string
  readonly cost: number
  readonly beforeGC: { heapStatistics: { usedHeapSize: number }; heapSpaceStatistics: { spaceName: string; spaceUsedSize: number }[] }
  readonly afterGC: { heapStatistics: { usedHeapSize: number }; heapSpaceStatistics: { spaceName: string; spaceUsedSize: number }[] }
}

const oldSpace = (spaces: Stats['beforeGC']['heapSpaceStatistics']): number => spaces.find((s) => s.spaceName === 'old_space')?.spaceUsedSize ?? 0

export function summarise(statistics: readonly Stats[]): GcRecord {
  let allocatedBytes = 0
  let youngCollections = 0
  let fullCollections = 0
  let costMicros = 0
  let promotedBytes = 0
  let previousAfter: number | undefined
  for (const s of statistics) {
    const before = s.beforeGC.heapStatistics.usedHeapSize
    if (previousAfter !== undefined) allocatedBytes += Math.max(0, before - previousAfter)
    previousAfter = s.afterGC.heapStatistics.usedHeapSize
    costMicros += s.cost
    if (s.gcType === 'Scavenge' || s.gcType === 'MinorMarkSweep') {
      youngCollections++
      promotedBytes += Math.max(0, oldSpace(s.afterGC.heapSpaceStatistics) - oldSpace(s.beforeGC.heapSpaceStatistics))
    } else if (s.gcType === 'MarkSweepCompact') fullCollections++
  }
  return { allocatedBytes, youngCollections, fullCollections, costMicros, promotedBytes }
}

/** Starts recording when SLUICE_BENCH_GC is set; a no-op otherwise. */
export function recordGcOnSignal(): void {
  const file = process.env.SLUICE_BENCH_GC
  if (file === undefined || file === '') return
  let profiler = new GCProfiler()
  profiler.start()
  process.on('SIGUSR2', () => {
    const result = profiler.stop() as { statistics: Stats[] } | undefined
    profiler = new GCProfiler()
    profiler.start()
    writeFileSync(file, JSON.stringify(summarise(result?.statistics ?? [])))
  })
}
