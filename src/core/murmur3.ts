// MurmurHash3 x86 32-bit (https://github.com/aappleby/smhasher/blob/master/src/MurmurHash3.cpp),
// the hash flagd's `fractional` uses. flagd (Go) hashes the UTF-8 bytes of the bucketing string,
// so we do too; flagd-core (JS) hashes UTF-16 code units instead and so disagrees with Go on any
// non-ASCII key (the flagd contract in docs/flags.md asks for Go's behaviour).
//
// Strings are hashed without building the concatenation or encoding them: ASCII code units are
// the UTF-8 bytes, so they are read straight from the string; only a non-ASCII string is encoded,
// into a reused buffer.

const C1 = 0xcc9e2d51
const C2 = 0x1b873593

const encoder = new TextEncoder()
let scratch = new Uint8Array(256)

function mixK(k: number): number {
  k = Math.imul(k, C1)
  k = (k << 15) | (k >>> 17)
  return Math.imul(k, C2)
}

function mixH(h: number, k: number): number {
  h ^= mixK(k)
  h = (h << 13) | (h >>> 19)
  return (Math.imul(h, 5) + 0xe6546b64) | 0
}

function finish(h: number, length: number): number {
  h ^= length
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** The hash of `bytes[0..length)` with `seed`, as an unsigned 32-bit integer. */
export function murmur3Bytes(bytes: Uint8Array, length = bytes.length, seed = 0): number {
  let h = seed | 0
  const blocks = length & ~3
  for (let i = 0; i < blocks; i += 4) {
    h = mixH(h, bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24))
  }
  const rest = length & 3
  if (rest > 0) {
    let k = 0
    if (rest === 3) k ^= bytes[blocks + 2]! << 16
    if (rest >= 2) k ^= bytes[blocks + 1]! << 8
    k ^= bytes[blocks]!
    h ^= mixK(k)
  }
  return finish(h, length)
}

/**
 * The seed-0 hash of the UTF-8 bytes of `first + second`, as flagd computes it for
 * `flagKey + targetingKey`; the second part spares callers a string concatenation per call.
 */
export function murmur3Utf8(first: string, second = ''): number {
  const split = first.length
  const length = split + second.length
  const at = (i: number): number => (i < split ? first.charCodeAt(i) : second.charCodeAt(i - split))
  let h = 0
  const blocks = length & ~3
  for (let i = 0; i < blocks; i += 4) {
    const c0 = at(i)
    const c1 = at(i + 1)
    const c2 = at(i + 2)
    const c3 = at(i + 3)
    if ((c0 | c1 | c2 | c3) > 0x7f) return hashEncoded(first, second)
    h = mixH(h, c0 | (c1 << 8) | (c2 << 16) | (c3 << 24))
  }
  const rest = length & 3
  if (rest > 0) {
    let k = 0
    for (let i = rest - 1; i >= 0; i--) {
      const c = at(blocks + i)
      if (c > 0x7f) return hashEncoded(first, second)
      k = (k << 8) | c
    }
    h ^= mixK(k)
  }
  return finish(h, length)
}

function hashEncoded(first: string, second: string): number {
  // A UTF-16 code unit encodes to at most 3 UTF-8 bytes (surrogate pairs: 4 bytes for 2 units).
  const needed = 3 * (first.length + second.length)
  if (scratch.length < needed) scratch = new Uint8Array(Math.max(needed, scratch.length * 2))
  const head = encoder.encodeInto(first, scratch).written
  const tail = second === '' ? 0 : encoder.encodeInto(second, scratch.subarray(head)).written
  return murmur3Bytes(scratch, head + tail)
}
