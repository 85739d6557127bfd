// How much answer text went by, for estimating output tokens when an answer states no usage
// (docs/usage.md): the bytes of every JSON string value of a `"text"`, `"content"` or
// `"arguments"` member — where every dialect puts generated text and tool-call arguments (OpenAI
// chat `content` and `arguments`, Gemini, Bedrock and Llama `text`) — counted as the raw bytes pass,
// streamed or not, in SSE, JSON arrays or Bedrock event-stream frames alike. Escapes count as
// their escaped bytes and a key split across two chunks is missed: it is an estimate, and marked so.
//
// Only answers that need an estimate are scanned (upstream/usage-tally.ts keeps the bytes until
// then), in one plain loop with its state carried across chunks: no native call per key or string.

const QUOTE = 0x22
const BACKSLASH = 0x5c
const COLON = 0x3a

/** `text`, `content`, `arguments` (without quotes). */
const KEYS = ['text', 'content', 'arguments'].map((key) => Buffer.from(key))

function isKey(buf: Buffer, from: number, to: number): boolean {
  const length = to - from
  if (length !== 4 && length !== 7 && length !== 9) return false
  for (const key of KEYS) {
    if (key.length !== length) continue
    let i = 0
    while (i < length && buf[from + i] === key[i]) i++
    if (i === length) return true
  }
  return false
}

export class AnswerTextCounter {
  /** Text bytes counted so far. */
  bytes = 0
  #inString = false
  #escape = false
  /** The open string is a counted value. */
  #counting = false
  /** Start of the open string's content in the current chunk; -1 when it began in an earlier one. */
  #stringStart = -1
  /** The last string closed was one of the keys: a colon next arms the count. */
  #keyClosed = false
  /** A counted key and its colon went by: the next string is its value. */
  #armed = false

  push(chunk: Buffer): void {
    let inString = this.#inString
    let escape = this.#escape
    let counting = this.#counting
    let keyClosed = this.#keyClosed
    let armed = this.#armed
    let stringStart = -1
    let counted = 0
    const length = chunk.length
    for (let i = 0; i < length; i++) {
      const byte = chunk[i]
      if (inString) {
        if (escape) escape = false
        else if (byte === BACKSLASH) escape = true
        else if (byte === QUOTE) {
          inString = false
          if (counting) {
            counted += i - (stringStart === -1 ? 0 : stringStart)
            counting = false
          } else keyClosed = stringStart !== -1 && isKey(chunk, stringStart, i)
        }
      } else if (byte === QUOTE) {
        inString = true
        stringStart = i + 1
        counting = armed
        armed = false
        keyClosed = false
      } else if (byte === COLON) {
        armed = keyClosed
        keyClosed = false
      } else if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) {
        armed = false
        keyClosed = false
      }
    }
    if (inString && counting) counted += length - (stringStart === -1 ? 0 : stringStart)
    this.bytes += counted
    this.#inString = inString
    this.#escape = escape
    this.#counting = counting
    this.#stringStart = stringStart
    this.#keyClosed = keyClosed
    this.#armed = armed
  }
}
