// Beta variates for Thompson sampling, drawn from the caller's uniform source so that decisions
// replay exactly under a seed (randomness is injected). Beta(a, b) = X / (X + Y) with
// X ~ Gamma(a), Y ~ Gamma(b). Gamma by Marsaglia & Tsang, "A simple method for generating gamma
// variables" (ACM TOMS 26(3), 2000), with their boost for shapes below 1:
// Gamma(a) = Gamma(a + 1) · U^(1/a). Normals by Box–Muller, keeping one of the pair so that no
// hidden state outlives a call.
//
// The work is done in logs: for a small shape U^(1/a) underflows (U = 1e-4, a = 0.01 gives
// 1e-400), and X / (X + Y) of two underflowed zeros is NaN, while 1 / (1 + e^(ln Y − ln X)) stays
// a number in [0, 1].

/** A uniform number in [0, 1), e.g. `Math.random` in production or a seeded generator in tests. */
export type Random = () => number

// With a true uniform source Marsaglia–Tsang accepts at least 95 % of candidates, so 64 rejections
// in a row have probability below 1e-83: only a degenerate source (a constant `() => 0` in a test)
// gets there, and it must not hang the request path.
const MAX_REJECTIONS = 64

/** (0, 1]: logs and powers need a uniform that cannot be 0. */
function openUniform(random: Random): number {
  return 1 - random()
}

/** A standard normal variate (Box–Muller, cosine branch). */
export function sampleNormal(random: Random): number {
  const u = openUniform(random)
  const v = random()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
}

/** ln of a Gamma(shape, 1) variate; shape must be a positive finite number. */
export function sampleLogGamma(shape: number, random: Random): number {
  if (!(shape > 0) || !Number.isFinite(shape)) throw new RangeError(`gamma shape must be positive and finite (got ${shape})`)
  if (shape < 1) return sampleLogGamma(shape + 1, random) + Math.log(openUniform(random)) / shape
  const d = shape - 1 / 3
  const c = 1 / Math.sqrt(9 * d)
  for (let i = 0; i < MAX_REJECTIONS; i++) {
    const x = sampleNormal(random)
    const t = 1 + c * x
    if (t <= 0) continue
    const v = t * t * t
    const u = openUniform(random)
    const x2 = x * x
    // The squeeze accepts most candidates without a log; the second test is the exact one.
    if (u < 1 - 0.0331 * x2 * x2 || Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return Math.log(d * v)
  }
  return Math.log(d)
}

/** A Gamma(shape, 1) variate. */
export function sampleGamma(shape: number, random: Random): number {
  return Math.exp(sampleLogGamma(shape, random))
}

/** A Beta(a, b) variate in [0, 1]; a and b must be positive and finite. */
export function sampleBeta(a: number, b: number, random: Random): number {
  const logX = sampleLogGamma(a, random)
  const logY = sampleLogGamma(b, random)
  return 1 / (1 + Math.exp(logY - logX))
}
