// Undoes `stream_options.include_usage` on an OpenAI-style Chat Completions SSE stream, for a
// client that did not ask for it but whose request Sluice asked usage for (openai-stream-usage.ts).
// With the option, OpenAI adds `"usage":null` to every chunk and one last chunk whose `choices`
// is `[]` and whose `usage` is the call's; some OpenAI-compatible servers put the usage on the last
// content chunk instead. So, per event: the top-level `usage` member is cut out of the JSON bytes
// (with the comma that joined it), and an event left with `"choices":[]` after cutting a non-null
// usage is dropped whole. Every other byte is passed as it came, so the client gets what the
// upstream sends without the option. The usage itself is read upstream of this transform by the
// adapter's usage reader, from the untouched bytes.
//
// Streaming: complete events (lines end in LF or CRLF) are released at once; only an event still missing its blank line
// is held (at most MAX_HELD_BYTES, past which the stream passes unchanged from then on). An event
// is changed only when it is one `data:` line holding a JSON object (ending in `,"usage":null}`,
// or one whose members can be walked); others (`[DONE]`, comments, multi-line data) pass as they are.
import { bytesAre, forEachMember, isJsonSpace, type Member } from './json-skim.js'

const LF = 0x0a
const CR = 0x0d
const USAGE = Buffer.from('"usage"')
const CHOICES = Buffer.from('"choices"')
const DATA = Buffer.from('data:')
const NULL_USAGE_TAIL = Buffer.from(',"usage":null}')

/** An event this large without its end is not held any longer: the rest of the stream passes. */
export const MAX_HELD_BYTES = 1024 * 1024

export class UsageStripper {
  /** Bytes of an event not yet complete (an owned copy, or a view of a chunk never reused). */
  #held: Buffer | undefined
  #passing = false
  readonly #cuts: number[] = []

  /** The bytes to send now for `chunk` (possibly empty). */
  push(chunk: Buffer): Buffer {
    if (this.#passing) return chunk
    const buf = this.#held === undefined ? chunk : Buffer.concat([this.#held, chunk])
    this.#held = undefined
    /** Ranges to leave out, as [from, to) pairs in order; reused, so a chunk allocates only its output. */
    const cuts = this.#cuts
    cuts.length = 0
    let eventStart = 0
    let lineStart = 0
    let lines = 0
    for (;;) {
      const lf = buf.indexOf(LF, lineStart)
      if (lf === -1) break
      const lineEnd = lf > lineStart && buf[lf - 1] === CR ? lf - 1 : lf
      if (lineEnd > lineStart) {
        lines++
        lineStart = lf + 1
        continue
      }
      // A blank line: the event [eventStart, lf + 1) is complete.
      const eventEnd = lf + 1
      if (lines === 1) usageCut(buf, eventStart, eventEnd, cuts)
      lines = 0
      eventStart = lineStart = eventEnd
    }
    if (eventStart < buf.length) {
      if (buf.length - eventStart > MAX_HELD_BYTES) this.#passing = true
      else this.#held = buf.subarray(eventStart)
    }
    const end = this.#passing ? buf.length : eventStart
    if (cuts.length === 0) return end === buf.length ? buf : buf.subarray(0, end)
    let size = end
    for (let i = 0; i < cuts.length; i += 2) size -= cuts[i + 1]! - cuts[i]!
    const out = Buffer.allocUnsafe(size)
    let at = 0
    let from = 0
    for (let i = 0; i < cuts.length; i += 2) {
      at += buf.copy(out, at, from, cuts[i]!)
      from = cuts[i + 1]!
    }
    buf.copy(out, at, from, end)
    return out
  }

  /** What is still held at the end (an unterminated last event), unchanged. */
  flush(): Buffer | undefined {
    const held = this.#held
    this.#held = undefined
    return held
  }
}

/** Adds to `cuts` the bytes to leave out of the one-line event at [start, end), if any. */
function usageCut(buf: Buffer, start: number, end: number, cuts: number[]): void {
  if (!bytesAre(buf, start, start + DATA.length, DATA)) return
  let json = start + DATA.length
  if (buf[json] === 0x20) json++
  if (buf[json] !== 0x7b) return
  let lineEnd = buf.indexOf(LF, json)
  if (buf[lineEnd - 1] === CR) lineEnd--
  // Most chunks (OpenAI's, the emulator's) end in `,"usage":null}`: a member of the outermost object, since nothing
  // else closes after it and it is not inside a string (that would end in `"}`). No walk needed.
  const tail = lineEnd - NULL_USAGE_TAIL.length
  if (tail > json && bytesAre(buf, tail, lineEnd, NULL_USAGE_TAIL)) return void cuts.push(tail, lineEnd - 1)
  let previous: Member | undefined
  let usage: Member | undefined
  let beforeUsage: Member | undefined
  let afterUsage: Member | undefined
  let choices: Member | undefined
  const ok = forEachMember(buf, json, lineEnd, (member) => {
    if (usage !== undefined && afterUsage === undefined) afterUsage = member
    if (bytesAre(buf, member.keyStart, member.keyEnd, USAGE)) {
      usage = member
      beforeUsage = previous
      afterUsage = undefined
    } else if (bytesAre(buf, member.keyStart, member.keyEnd, CHOICES)) choices = member
    previous = member
  })
  if (!ok || usage === undefined) return
  if (choices !== undefined && !isNull(buf, usage) && emptyArray(buf, choices)) return void cuts.push(start, end)
  // Cut with the comma that joined it: the one before, or after when it is the first member.
  if (beforeUsage !== undefined) return void cuts.push(beforeUsage.valueEnd, usage.valueEnd)
  if (afterUsage !== undefined) return void cuts.push(usage.keyStart, afterUsage.keyStart)
  return void cuts.push(usage.keyStart, usage.valueEnd)
}

function isNull(buf: Buffer, member: Member): boolean {
  return member.valueEnd - member.valueStart === 4 && buf[member.valueStart] === 0x6e
}

function emptyArray(buf: Buffer, member: Member): boolean {
  if (buf[member.valueStart] !== 0x5b) return false
  let i = member.valueStart + 1
  while (isJsonSpace(buf[i])) i++
  return i === member.valueEnd - 1
}
