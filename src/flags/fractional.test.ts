// `fractional` must bucket exactly like flagd (docs/flags.md). Two independent checks:
//   - ASCII keys: our variant equals @openfeature/flagd-core's for 100,000 seeded random keys;
//   - non-ASCII keys, where flagd-core (UTF-16 code units) and Go flagd (UTF-8 bytes) disagree:
//     our variant equals a textbook MurmurHash3 over UTF-8 with BigInt bucketing, written below.
import { FlagdCore } from '@openfeature/flagd-core'
import { describe, expect, it } from 'vitest'
import { compileFlagSet, evaluate, type FlagSet } from './index.js'
import { bucketOf, MAX_TOTAL_WEIGHT } from '../core/bucket.js'
import { murmur3Bytes, murmur3Utf8 } from '../core/murmur3.js'
import { seededRandom as random } from '../../test/support/random.js'

const silent = { error() {}, warn() {}, info() {}, debug() {} }

/** Textbook MurmurHash3 x86_32 over bytes, one byte at a time, 32-bit products via BigInt. */
function referenceMurmur3(bytes: Uint8Array, seed = 0): number {
  const mul = (a: number, b: number): number => Number((BigInt(a >>> 0) * BigInt(b >>> 0)) & 0xffffffffn)
  const rotl = (x: number, r: number): number => ((x << r) | (x >>> (32 - r))) >>> 0
  let h = seed >>> 0
  const whole = bytes.length - (bytes.length % 4)
  for (let i = 0; i < whole; i += 4) {
    let k = (bytes[i]! + bytes[i + 1]! * 2 ** 8 + bytes[i + 2]! * 2 ** 16 + bytes[i + 3]! * 2 ** 24) >>> 0
    k = mul(rotl(mul(k, 0xcc9e2d51), 15), 0x1b873593)
    h = (rotl((h ^ k) >>> 0, 13) * 5 + 0xe6546b64) >>> 0
  }
  const rest = bytes.length % 4
  let tail = 0
  if (rest >= 3) tail ^= bytes[whole + 2]! << 16
  if (rest >= 2) tail ^= bytes[whole + 1]! << 8
  if (rest >= 1) {
    tail ^= bytes[whole]!
    h = (h ^ mul(rotl(mul(tail, 0xcc9e2d51), 15), 0x1b873593)) >>> 0
  }
  h = (h ^ bytes.length) >>> 0
  h = mul(h ^ (h >>> 16), 0x85ebca6b)
  h = mul(h ^ (h >>> 13), 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}

/** flagd v2's bucket walk: `(uint64(hash) * total) >> 32` against cumulative weights. */
function referenceVariant(hash: number, buckets: ReadonlyArray<readonly [string, number]>): string | undefined {
  const total = buckets.reduce((sum, [, w]) => sum + w, 0)
  const bucket = (BigInt(hash) * BigInt(total)) >> 32n
  let end = 0n
  for (const [variant, weight] of buckets) {
    end += BigInt(weight)
    if (bucket < end) return variant
  }
  return undefined
}

const BUCKETS: ReadonlyArray<readonly [string, number]> = [['a', 10], ['b', 20], ['c', 30], ['d', 40]]
const document = {
  flags: {
    split: {
      state: 'ENABLED',
      variants: { a: 'A', b: 'B', c: 'C', d: 'D' },
      defaultVariant: 'a',
      targeting: { fractional: BUCKETS },
    },
    'split-by-email': {
      state: 'ENABLED',
      variants: { a: 'A', b: 'B', c: 'C', d: 'D' },
      defaultVariant: 'a',
      targeting: { fractional: [{ var: 'email' }, ...BUCKETS] },
    },
    // Computed buckets take the general path, not the precompiled table.
    'computed-buckets': {
      state: 'ENABLED',
      variants: { a: 'A', b: 'B', c: 'C', d: 'D' },
      defaultVariant: 'a',
      targeting: { fractional: [['a', { var: 'weight' }], [{ cat: ['b', ''] }, 3], ['c'], [{ var: 'variant' }, 2]] },
    },
    'fixed-key': {
      state: 'ENABLED',
      variants: { a: 'A', b: 'B', c: 'C', d: 'D' },
      defaultVariant: 'a',
      targeting: { fractional: ['same-for-everyone', ['b', 1], ['c', 1], ['d', 1]] },
    },
  },
}

function ours(): FlagSet {
  const result = compileFlagSet([{ source: 'test', document }], {}, { builtins: {} })
  if (!result.ok) throw new Error(result.problems.join('\n'))
  return result.flagSet
}

describe('fractional agrees with flagd-core on ASCII keys', () => {
  const flags = ours()
  const core = new FlagdCore(undefined, silent)
  core.setConfigurations(JSON.stringify(document))

  it('puts 100,000 random targeting keys in the same variant', () => {
    const next = random(20240611)
    const mismatches: string[] = []
    const counts = new Map<string, number>()
    for (let i = 0; i < 100_000; i++) {
      const length = 1 + Math.floor(next() * 40)
      const targetingKey = Array.from({ length }, () => String.fromCharCode(0x20 + Math.floor(next() * 95))).join('')
      const mine = evaluate(flags, 'split', 'string', 'none', { targetingKey })
      const theirs = core.resolveStringEvaluation('split', 'none', { targetingKey }, silent)
      if (mine.variant !== theirs.variant || mine.value !== theirs.value) mismatches.push(targetingKey)
      counts.set(mine.variant ?? '-', (counts.get(mine.variant ?? '-') ?? 0) + 1)
    }
    expect(mismatches.slice(0, 5)).toEqual([])
    // Sanity: the split is roughly 10/20/30/40, so the keys really exercised every bucket.
    expect([...counts.keys()].sort()).toEqual(['a', 'b', 'c', 'd'])
    expect(Math.abs(counts.get('d')! / 100_000 - 0.4)).toBeLessThan(0.01)
  })

  it.each([
    ['a bucketing variable', { email: 'someone@example.com', targetingKey: 'ignored' }],
    ['a missing bucketing variable', { targetingKey: 'user-1' }],
    ['no targeting key', { email: 'x@example.com' }],
    ['an empty targeting key', { targetingKey: '' }],
    ['a numeric bucketing variable', { email: 42, targetingKey: 'user-1' }],
    ['computed weights and variants', { targetingKey: 'user-7', weight: 5, variant: 'd' }],
    ['a computed weight that is not an integer', { targetingKey: 'user-7', weight: 0.5, variant: 'd' }],
    ['a negative computed weight', { targetingKey: 'user-8', weight: -4, variant: 'd' }],
    ['a computed variant that is missing', { targetingKey: 'user-9', weight: 1 }],
  ])('matches flagd-core with %s', (_, context) => {
    for (const key of ['split', 'split-by-email', 'computed-buckets', 'fixed-key']) {
      const mine = evaluate(flags, key, 'string', 'none', context)
      const theirs = core.resolveStringEvaluation(key, 'none', context, silent)
      expect({ value: mine.value, variant: mine.variant, reason: mine.reason }).toEqual({
        value: theirs.value,
        variant: theirs.variant,
        reason: theirs.reason,
      })
    }
  })
})

describe('fractional weights flagd clamps or cannot use, as flagd-core answers them', () => {
  it.each([
    ['a negative weight (counts as 0)', [['a', -10], ['b', 20], ['c', 30]], 1],
    ['only negative weights but one', [['a', -1], ['b', -2147483647], ['c', 1]], 2],
    ['weights summing to 0 (the default variant)', [['b', 0], ['c', 0]], 1],
    ['negative and zero weights summing to 0', [['b', -5], ['c', 0]], 2],
    ['a zero weight among others', [['a', 0], ['b', 1], ['c', 0], ['d', 2]], 0],
  ])('%s: 5,000 random keys, by targeting key and by a bucketing value', (_, buckets, warningsPerFlag) => {
    const flag = (targeting: unknown) => ({ state: 'ENABLED', variants: { a: 'A', b: 'B', c: 'C', d: 'D' }, defaultVariant: 'd', targeting })
    const doc = { flags: { byKey: flag({ fractional: buckets }), byValue: flag({ fractional: [{ var: 'email' }, ...buckets] }) } }
    const compiled = compileFlagSet([{ source: 'test', document: doc }], {}, { builtins: {} })
    if (!compiled.ok) throw new Error(compiled.problems.join('\n'))
    // Loaded with warnings, not refused.
    expect(compiled.warnings).toHaveLength(2 * warningsPerFlag)
    const core = new FlagdCore(undefined, silent)
    core.setConfigurations(JSON.stringify(doc))
    const next = random(buckets.length)
    const mismatches: string[] = []
    for (let i = 0; i < 5_000; i++) {
      const id = Math.floor(next() * 2 ** 32).toString(36)
      const context = { targetingKey: id, email: `${id}@example.com` }
      for (const key of ['byKey', 'byValue']) {
        const mine = evaluate(compiled.flagSet, key, 'string', 'none', context)
        const theirs = core.resolveStringEvaluation(key, 'none', context, silent)
        if (mine.variant !== theirs.variant || mine.reason !== theirs.reason) mismatches.push(`${key} ${id}`)
      }
    }
    expect(mismatches.slice(0, 5)).toEqual([])
  })
})

describe('fractional hashes UTF-8 bytes, as Go flagd does', () => {
  const flags = ours()
  const encoder = new TextEncoder()

  it.each(['ünïcødé-用户-🙂', 'Zoë', '用户', '🙂', 'ascii-then-ü', 'e\u0301', 'ñ'.repeat(33)])('buckets %j like the reference', (targetingKey) => {
    const hash = referenceMurmur3(encoder.encode(`split${targetingKey}`))
    expect(evaluate(flags, 'split', 'string', 'none', { targetingKey }).variant).toBe(referenceVariant(hash, BUCKETS))
  })

  it('agrees with the reference on 2,000 random mixed-script keys', () => {
    const next = random(7)
    const alphabet = ['a', 'Z', '7', '-', 'é', 'ß', 'Ж', '用', '户', '🙂', '🚀', '\u0301']
    for (let i = 0; i < 2_000; i++) {
      const targetingKey = Array.from({ length: 1 + Math.floor(next() * 12) }, () => alphabet[Math.floor(next() * alphabet.length)]).join('')
      const hash = referenceMurmur3(encoder.encode(`split${targetingKey}`))
      expect(evaluate(flags, 'split', 'string', 'none', { targetingKey }).variant, targetingKey).toBe(referenceVariant(hash, BUCKETS))
    }
  })
})

describe('MurmurHash3 x86_32', () => {
  const encoder = new TextEncoder()

  // Published vectors (SMHasher's MurmurHash3_x86_32; the same values appear in most ports' tests).
  it.each([
    ['', 0, 0],
    ['', 1, 0x514e28b7],
    ['hello', 0, 0x248bfa47],
    ['Hello, world!', 0, 0xc0363e43],
    ['Hello, world!', 1234, 0xfaf6cdb3],
    ['aaaa', 0x9747b28c, 0x5a97808a],
    ['The quick brown fox jumps over the lazy dog', 0, 0x2e4ff723],
    ['The quick brown fox jumps over the lazy dog', 0x9747b28c, 0x2fa826cd],
  ])('hashes %j with seed %i to the published value', (text, seed, expected) => {
    const bytes = encoder.encode(text)
    expect(referenceMurmur3(bytes, seed)).toBe(expected)
    expect(murmur3Bytes(bytes, bytes.length, seed)).toBe(expected)
    if (seed === 0) expect(murmur3Utf8(text)).toBe(expected)
  })

  it('hashes strings as their UTF-8 bytes, split anywhere, like the reference', () => {
    const next = random(3)
    const alphabet = ['a', 'b', '~', 'é', '€', '用', '🙂', '\u0301', '\ud83d']
    for (let i = 0; i < 2_000; i++) {
      const text = Array.from({ length: Math.floor(next() * 20) }, () => alphabet[Math.floor(next() * alphabet.length)]).join('')
      const at = Math.floor(next() * (text.length + 1))
      const [head, tail] = [text.slice(0, at), text.slice(at)]
      // Each part is encoded on its own, as Go flagd concatenates two already-decoded strings.
      const bytes = new Uint8Array([...encoder.encode(head), ...encoder.encode(tail)])
      expect(murmur3Utf8(head, tail), JSON.stringify(text)).toBe(referenceMurmur3(bytes))
    }
  })
})

describe('bucketOf', () => {
  it('equals (hash × total) >> 32 computed with BigInt', () => {
    const next = random(99)
    const hashes = [0, 1, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff]
    const totals = [1, 2, 3, 100, 65535, 65536, 1_000_000, MAX_TOTAL_WEIGHT]
    for (let i = 0; i < 5_000; i++) {
      hashes.push(Math.floor(next() * 2 ** 32))
      totals.push(1 + Math.floor(next() * MAX_TOTAL_WEIGHT))
    }
    for (let i = 0; i < hashes.length; i++) {
      const [hash, total] = [hashes[i]!, totals[i % totals.length]!]
      expect(bucketOf(hash, total)).toBe(Number((BigInt(hash) * BigInt(total)) >> 32n))
    }
  })
})
