// The samplers against the moments of their distributions, under two unrelated seeded generators
// (sfc32 here, mulberry32 in test/support), and Kolmogorov–Smirnov against the two Beta families
// with a closed-form CDF. Tolerance: 5 standard errors of each estimate, computed from the exact
// moments (for a sample variance, sqrt((μ4 − σ⁴ (n−3)/(n−1)) / n)). A correct sampler strays past
// 5 SE with probability 6e-7 per check; a broken one — the shape < 1 boost dropped (Beta(0.2, 3)
// would average 0.29 instead of 0.0625), the wrong cube, a biased normal — misses by tens to
// thousands of SE. The seeds are fixed, so a pass is repeatable.
import { describe, expect, it } from 'vitest'
import { seededRandom as mulberry32 } from '../../../test/support/random.js'
import { sampleBeta, sampleGamma, sampleNormal, type Random } from './beta.js'
import { sfc32 } from './test-support.js'

const N = 100_000
const generators: Array<[string, (seed: number) => Random]> = [['sfc32', sfc32], ['mulberry32', mulberry32]]

function moments(draw: () => number, n = N): { mean: number; variance: number; values: Float64Array } {
  const values = new Float64Array(n)
  let sum = 0
  for (let i = 0; i < n; i++) {
    values[i] = draw()
    sum += values[i]!
  }
  const mean = sum / n
  let squares = 0
  for (const v of values) squares += (v - mean) ** 2
  return { mean, variance: squares / (n - 1), values }
}

/** 5 standard errors of the sample mean and of the sample variance, from the exact σ² and μ4. */
function tolerances(variance: number, fourth: number, n = N): { mean: number; variance: number } {
  return {
    mean: 5 * Math.sqrt(variance / n),
    variance: 5 * Math.sqrt((fourth - (variance ** 2 * (n - 3)) / (n - 1)) / n),
  }
}

function betaMoments(a: number, b: number): { mean: number; variance: number; fourth: number } {
  const s = a + b
  const variance = (a * b) / (s * s * (s + 1))
  const excessKurtosis = (6 * ((a - b) ** 2 * (s + 1) - a * b * (s + 2))) / (a * b * (s + 2) * (s + 3))
  return { mean: a / s, variance, fourth: (excessKurtosis + 3) * variance ** 2 }
}

describe.each(generators)('samplers under %s', (_, generator) => {
  const random = generator(20260512)

  it('draws standard normals', () => {
    const { mean, variance } = moments(() => sampleNormal(random))
    const tol = tolerances(1, 3)
    expect(Math.abs(mean)).toBeLessThan(tol.mean)
    expect(Math.abs(variance - 1)).toBeLessThan(tol.variance)
  })

  // Gamma(k): mean k, variance k, μ4 = 3k² + 6k.
  it.each([0.1, 0.5, 1, 2.5, 30])('draws Gamma(%s) with mean and variance k', (k) => {
    const { mean, variance } = moments(() => sampleGamma(k, random))
    const tol = tolerances(k, 3 * k * k + 6 * k)
    expect(Math.abs(mean - k)).toBeLessThan(tol.mean)
    expect(Math.abs(variance - k)).toBeLessThan(tol.variance)
  })

  it.each([
    [1, 1],
    [0.5, 0.5],
    [0.2, 3],
    [0.05, 0.5],
    [2, 5],
    [30, 70],
    [4_000, 1_000],
  ])('draws Beta(%s, %s) with its mean and variance', (a, b) => {
    const exact = betaMoments(a, b)
    const { mean, variance, values } = moments(() => sampleBeta(a, b, random))
    const tol = tolerances(exact.variance, exact.fourth)
    expect(Math.abs(mean - exact.mean)).toBeLessThan(tol.mean)
    expect(Math.abs(variance - exact.variance)).toBeLessThan(tol.variance)
    expect(values.every((v) => v >= 0 && v <= 1)).toBe(true)
  })

  // Beta(a, 1) has CDF x^a and Beta(1, b) has CDF 1 − (1 − x)^b. The KS critical value at level
  // 0.001 is 1.95 / √n.
  it.each([
    ['Beta(0.3, 1)', 0.3, 1, (x: number) => x ** 0.3],
    ['Beta(1, 4)', 1, 4, (x: number) => 1 - (1 - x) ** 4],
    ['Beta(1, 1)', 1, 1, (x: number) => x],
  ])('%s passes Kolmogorov–Smirnov', (_, a, b, cdf) => {
    const n = 20_000
    const sorted = Array.from({ length: n }, () => sampleBeta(a, b, random)).sort((x, y) => x - y)
    let d = 0
    sorted.forEach((x, i) => {
      d = Math.max(d, Math.abs(cdf(x) - i / n), Math.abs(cdf(x) - (i + 1) / n))
    })
    expect(d).toBeLessThan(1.95 / Math.sqrt(n))
  })
})

describe('sampler edge cases', () => {
  it('stays finite and inside [0, 1] for tiny shapes, where U^(1/a) underflows', () => {
    const random = sfc32(3)
    let sum = 0
    for (let i = 0; i < 20_000; i++) {
      const x = sampleBeta(0.01, 0.01, random)
      expect(x >= 0 && x <= 1).toBe(true)
      sum += x
    }
    // Beta(0.01, 0.01) puts half its mass near 0 and half near 1: the mean is 0.5, sd 0.49.
    expect(Math.abs(sum / 20_000 - 0.5)).toBeLessThan(5 * Math.sqrt(betaMoments(0.01, 0.01).variance / 20_000))
  })

  it.each([
    ['always 0', () => 0],
    ['always 0.5', () => 0.5],
    ['almost 1', () => 0.9999999999],
  ])('returns a number for a degenerate source (%s) instead of looping', (_, random) => {
    for (const [a, b] of [[1, 1], [0.3, 2], [500, 20]] as const) {
      const x = sampleBeta(a, b, random)
      expect(Number.isNaN(x)).toBe(false)
      expect(x >= 0 && x <= 1).toBe(true)
    }
  })

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('refuses the shape %s', (shape) => {
    expect(() => sampleGamma(shape, sfc32(1))).toThrow(RangeError)
    expect(() => sampleBeta(1, shape, sfc32(1))).toThrow(RangeError)
  })
})
