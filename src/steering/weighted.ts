// Weighted first choice (docs/unified.md, docs/experiments.md "static weights"): among a virtual model's candidates still
// usable after the gates, pick one with probability weight / total weight. Pure; the caller
// injects `random` (a number in [0, 1)), so tests are exact and production uses its own source.

/**
 * The index of the chosen weight. Zero weights are never chosen while any weight is positive; when
 * every weight is 0 (only fallbacks left) the first is. An empty list returns -1.
 */
export function pickByWeight(weights: readonly number[], random: number): number {
  let total = 0
  for (const w of weights) total += w
  if (total <= 0) return weights.length === 0 ? -1 : 0
  let point = random * total
  let last = 0
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i]!
    if (w <= 0) continue
    last = i
    point -= w
    if (point < 0) return i
  }
  // random is below 1, so only rounding reaches here: the last positive weight.
  return last
}
