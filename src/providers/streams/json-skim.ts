// Byte-level walking of one JSON object's top-level members, for transforms that must cut a member
// out of an event without re-serialising it (the client's bytes stay the upstream's own). Strings
// and brackets are walked byte by byte, in one pass.

const QUOTE = 0x22
const BACKSLASH = 0x5c

export function isJsonSpace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09
}

/**
 * Index of the quote closing the string whose content starts at `from`, before `end`; else -1.
 * A byte loop: chunk strings are short, and a native search per string costs more in call
 * overhead than it saves.
 */
function stringEnd(buf: Buffer, from: number, end: number): number {
  for (let i = from; i < end; i++) {
    const byte = buf[i]
    if (byte === BACKSLASH) i++
    else if (byte === QUOTE) return i
  }
  return -1
}

/** Index just past the JSON value starting at `start` (no leading space), before `end`; else -1. */
export function jsonValueEnd(buf: Buffer, start: number, end: number): number {
  const first = buf[start]
  if (first === QUOTE) {
    const close = stringEnd(buf, start + 1, end)
    return close === -1 ? -1 : close + 1
  }
  if (first !== 0x7b && first !== 0x5b) {
    // A number or literal: up to the next separator or space.
    let i = start
    while (i < end && buf[i] !== 0x2c && buf[i] !== 0x7d && buf[i] !== 0x5d && !isJsonSpace(buf[i])) i++
    return i === start ? -1 : i
  }
  let depth = 0
  for (let i = start; i < end; i++) {
    const byte = buf[i]
    if (byte === QUOTE) {
      i = stringEnd(buf, i + 1, end)
      if (i === -1) return -1
    } else if (byte === 0x7b || byte === 0x5b) depth++
    else if ((byte === 0x7d || byte === 0x5d) && --depth === 0) return i + 1
  }
  return -1
}

/** One top-level member: `"key"` at [keyStart, keyEnd), its value at [valueStart, valueEnd). */
export interface Member {
  readonly keyStart: number
  readonly keyEnd: number
  readonly valueStart: number
  readonly valueEnd: number
}

/** Whether `buf[from, to)` holds exactly the bytes of `key` (`"name"` with its quotes). */
export function bytesAre(buf: Buffer, from: number, to: number, key: Buffer): boolean {
  if (to - from !== key.length) return false
  for (let i = 0; i < key.length; i++) if (buf[from + i] !== key[i]) return false
  return true
}

/**
 * Calls `visit` for each top-level member of the object whose `{` is at `start` and which must
 * close exactly at `end` (trailing space allowed). False when the bytes are not such an object.
 */
export function forEachMember(buf: Buffer, start: number, end: number, visit: (member: Member) => void): boolean {
  if (buf[start] !== 0x7b) return false
  let i = start + 1
  while (isJsonSpace(buf[i])) i++
  if (buf[i] === 0x7d) return trailingSpace(buf, i + 1, end)
  for (;;) {
    if (buf[i] !== QUOTE) return false
    const keyStart = i
    const close = stringEnd(buf, i + 1, end)
    if (close === -1) return false
    const keyEnd = close + 1
    i = keyEnd
    while (isJsonSpace(buf[i])) i++
    if (buf[i] !== 0x3a) return false
    i++
    while (isJsonSpace(buf[i])) i++
    const valueStart = i
    const valueEnd = jsonValueEnd(buf, valueStart, end)
    if (valueEnd === -1) return false
    visit({ keyStart, keyEnd, valueStart, valueEnd })
    i = valueEnd
    while (isJsonSpace(buf[i])) i++
    if (buf[i] === 0x7d) return trailingSpace(buf, i + 1, end)
    if (buf[i] !== 0x2c) return false
    i++
    while (isJsonSpace(buf[i])) i++
  }
}

function trailingSpace(buf: Buffer, from: number, end: number): boolean {
  for (let i = from; i < end; i++) if (!isJsonSpace(buf[i])) return false
  return true
}
