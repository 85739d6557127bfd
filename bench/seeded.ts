// mulberry32, a small seeded generator with a 32-bit state: the benchmarks' randomness, so a run
// can be repeated exactly (the same generator as the tests' test/support/random.ts, which the
// bench build does not include).
export function seeded(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
