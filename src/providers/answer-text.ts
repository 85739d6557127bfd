// How much answer text went by, for estimating output tokens when an answer states no usage
// (docs/usage.md): the bytes of every JSON string value of a `"text"`, `"content"` or
// `"arguments"` member — where every dialect puts generated text and tool-call arguments (OpenAI
// chat `content` and `arguments`, Gemini, Bedrock and Llama `text`) — counted as the raw bytes pass,
// streamed or not, in SSE, JSON arrays or Bedrock event-stream frames alike. Escapes count as
// their escaped bytes and a key split across two chunks is missed: it is an estimate, and marked so.
import { isJsonSpace } from './streams/json-skim.js'

const KEYS = ['"text"', '"content"', '"arguments"'].map((key) => Buffer.from(key))
const QUOTE = 0x22
const BACKSLASH = 0x5c

export class AnswerTextCounter {
  /** Text bytes counted so far. */
  bytes = 0
  /** A counted string runs on past the end of the last chunk. */
  #open = false

  push(chunk: Buffer): void {
    let from = 0
    if (this.#open) {
      const close = closingQuote(chunk, 0)
      if (close === -1) {
        this.bytes += chunk.length
        return
      }
      this.bytes += close
      this.#open = false
      from = close + 1
    }
    for (const key of KEYS) {
      for (let at = chunk.indexOf(key, from); at !== -1; at = chunk.indexOf(key, at + key.length)) {
        let i = at + key.length
        while (isJsonSpace(chunk[i])) i++
        if (chunk[i] !== 0x3a) continue
        i++
        while (isJsonSpace(chunk[i])) i++
        if (i === chunk.length) continue
        if (chunk[i] !== QUOTE) continue
        const close = closingQuote(chunk, i + 1)
        if (close === -1) {
          this.bytes += chunk.length - i - 1
          this.#open = true
          break
        }
        this.bytes += close - i - 1
      }
    }
  }
}

/** Index of the unescaped quote ending a string whose content starts at `from`, else -1. */
function closingQuote(buf: Buffer, from: number): number {
  for (let i = from; ; ) {
    const quote = buf.indexOf(QUOTE, i)
    if (quote === -1) return -1
    let run = 0
    while (quote - run - 1 >= from && buf[quote - run - 1] === BACKSLASH) run++
    if (run % 2 === 0) return quote
    i = quote + 1
  }
}
