// Property tests for jsonTooDeep: on valid JSON of any depth up to a few
// hundred levels it agrees with a reference depth taken from JSON.parse and a recursive walk, at
// every limit around that depth and at the default; on any string at all it never throws, and a
// string and its UTF-8 bytes get the same answer.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { runs } from '../../test/support/arbitraries.js'
import { jsonTooDeep, MAX_JSON_DEPTH } from './request.js'

/** Nesting of objects and arrays: 0 for a primitive, 1 for `[]` or `{}`. */
function depthOf(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0
  const children: unknown[] = Array.isArray(value) ? value : Object.values(value)
  return 1 + children.reduce<number>((deepest, child) => Math.max(deepest, depthOf(child)), 0)
}

// Strings full of what the scanner must skip inside strings: brackets, quotes, backslashes.
const tricky = fc.string({ unit: fc.constantFrom('[', ']', '{', '}', '"', '\\', 'a', ':', ',', 'é', '😀', '\u2028'), maxLength: 8 })
const leaf = fc.jsonValue({ maxDepth: 3, stringUnit: fc.oneof(fc.constantFrom('[', '{', '"', '\\'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })) })
interface Wrap {
  readonly kind: 'array' | 'object'
  readonly key: string
  readonly before: unknown[]
  readonly after: unknown[]
}
function wrap(sibling: fc.Arbitrary<unknown>): fc.Arbitrary<Wrap> {
  return fc.record({
    kind: fc.constantFrom('array', 'object'),
    key: tricky,
    before: fc.array(sibling, { maxLength: 2 }),
    after: fc.array(sibling, { maxLength: 2 }),
  })
}

/** A JSON value wrapped in up to 260 arrays and objects (past MAX_JSON_DEPTH), with siblings at each level. */
// fast-check's default size keeps arrays short, so the deep half asks for long wrap chains itself.
// Deep chains carry only primitive siblings, to keep each case small.
const primitive = fc.oneof(tricky, fc.double(), fc.boolean(), fc.constant(null))
const wraps = fc.oneof(fc.array(wrap(fc.oneof(leaf, tricky)), { maxLength: 8 }), fc.array(wrap(primitive), { minLength: 100, maxLength: 260, size: 'max' }))
const nested = fc.tuple(leaf, wraps).map(([inner, chain]) =>
  chain.reduce<unknown>((value, { kind, key, before, after }) => {
    if (kind === 'array') return [...before, value, ...after]
    const object: Record<string, unknown> = Object.fromEntries(before.map((sibling, i) => [`${key}${i}`, sibling]))
    object[key] = value
    return object
  }, inner),
)

describe('jsonTooDeep properties', () => {
  it('agrees with JSON.parse and a recursive walk on valid JSON, at every limit around its depth', () => {
    fc.assert(
      fc.property(nested, fc.constantFrom(undefined, 1, '\t'), fc.nat({ max: 300 }), (value, indent, anyLimit) => {
        const text = JSON.stringify(value, null, indent)
        const depth = depthOf(JSON.parse(text))
        for (const limit of [depth - 1, depth, depth + 1, anyLimit].filter((l) => l >= 0)) {
          expect(jsonTooDeep(text, limit)).toBe(depth > limit)
          expect(jsonTooDeep(Buffer.from(text), limit)).toBe(depth > limit)
        }
        expect(jsonTooDeep(text)).toBe(depth > MAX_JSON_DEPTH)
      }),
      runs(300),
    )
  })

  it('never throws on any string, agrees with itself on the UTF-8 bytes, and is monotone in the limit', () => {
    const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 80 }), fc.string({ unit: fc.constantFrom('[', ']', '{', '}', '"', '\\', 'x', '\ud800', '😀'), maxLength: 80 }), fc.string({ unit: 'grapheme', maxLength: 40 }))
    fc.assert(
      fc.property(text, fc.nat({ max: 40 }), (s, limit) => {
        const deep = jsonTooDeep(s, limit)
        expect(typeof deep).toBe('boolean')
        expect(jsonTooDeep(Buffer.from(s), limit)).toBe(deep)
        if (!deep) expect(jsonTooDeep(s, limit + 1)).toBe(false)
      }),
      runs(1000),
    )
  })
})
