// Usage readers shared by the adapters. Every provider puts its usage object near the end of a
// JSON document (OpenAI `usage` after `choices`, Gemini `usageMetadata` after `candidates`, Bedrock
// `usage` after `output`, Llama `metrics` after `completion_message`), so instead of JSON.parse-ing whole
// bodies we search backwards for the key's bytes, cut out its object or array by bracket matching
// and parse only that. An unescaped `"key"` cannot occur inside a JSON string, and a candidate of
// the wrong shape (a `usage` key nested in later fields) is skipped for an earlier one.
//
// Normalised units (all providers): `inputTokens` counts every prompt token, cached ones included;
// `cachedTokens` is the cache-read part of it. `outputTokens` counts every generated token,
// reasoning included; `reasoningTokens` is that part of it. Cost = input×in − cached×(in − cached
// price) + output×out.
import type { IncomingHttpHeaders } from 'node:http'
import type { StreamEventListener, StreamEventTap, Usage, UsageReader } from '../core/wire.js'
import { tokenCount } from './request.js'
import type { ContentProbe } from './streams/content-probe.js'
import { JsonArraySplitter } from './streams/json-array.js'
import { SseParser } from './streams/sse.js'

/** Reads a parsed usage value; undefined when it is not the expected shape. Must never throw. */
export type UsageShape = (value: unknown) => Usage | undefined

/** The reader for errors, compressed bodies and operations that bill nothing. */
export const NO_USAGE: UsageReader = {
  push() {},
  result() {
    return undefined
  },
}

/** Usage can be read from 2xx bodies that are not compressed (the data plane asks for identity). */
export function readableBody(status: number, headers: IncomingHttpHeaders): boolean {
  const encoding = headers['content-encoding']
  return status >= 200 && status < 300 && (encoding === undefined || encoding === 'identity')
}

/** The bytes `"name"` to search for. */
export function usageKey(name: string): Buffer {
  return Buffer.from(JSON.stringify(name))
}

const QUOTE = 0x22
const BACKSLASH = 0x5c
const COLON = 0x3a

function isSpace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09
}

/** Index of the `{` or `[` that starts the value of the key ending at `from`, else -1. */
function valueStart(buf: Buffer, from: number): number {
  let i = from
  while (isSpace(buf[i])) i++
  if (buf[i] !== COLON) return -1
  i++
  while (isSpace(buf[i])) i++
  const byte = buf[i]
  return byte === 0x7b || byte === 0x5b ? i : -1
}

/** Index of the quote closing a string whose content starts at `from`, else -1. */
function stringEnd(buf: Buffer, from: number): number {
  for (let i = from; ; ) {
    const quote = buf.indexOf(QUOTE, i)
    if (quote === -1) return -1
    let run = 0
    while (quote - run - 1 >= i && buf[quote - run - 1] === BACKSLASH) run++
    if (run % 2 === 0) return quote
    i = quote + 1
  }
}

/** Index just past the bracket closing the object or array at `start`, else -1. */
function valueEnd(buf: Buffer, start: number): number {
  let depth = 0
  for (let i = start; i < buf.length; i++) {
    const byte = buf[i]
    if (byte === QUOTE) {
      i = stringEnd(buf, i + 1)
      if (i === -1) return -1
    } else if (byte === 0x7b || byte === 0x5b) {
      depth++
    } else if ((byte === 0x7d || byte === 0x5d) && --depth === 0) {
      return i + 1
    }
  }
  return -1
}

/**
 * Start of the last `key` (`"name"`) at or before `from`. Buffer.lastIndexOf with a Buffer needle
 * costs ~2 ns a byte on a miss; a single-byte lastIndexOf for the name's first letter (a native
 * memrchr) plus a byte check per hit is about twice as fast on typical events.
 */
function lastKey(buf: Buffer, key: Buffer, from: number): number {
  const first = key[1]!
  if (from < 0) return -1
  for (let i = buf.lastIndexOf(first, from + 1); i > 0; i = buf.lastIndexOf(first, i - 1)) {
    if (buf[i - 1] !== QUOTE) continue
    let j = 2
    while (j < key.length && buf[i - 1 + j] === key[j]) j++
    if (j === key.length) return i - 1
  }
  return -1
}

/** The last value of `key` in `buf` that reads as usage. */
export function findUsage(buf: Buffer, key: Buffer, shape: UsageShape): Usage | undefined {
  for (let at = lastKey(buf, key, buf.length - key.length); at !== -1; at = lastKey(buf, key, at - 1)) {
    const start = valueStart(buf, at + key.length)
    const end = start === -1 ? -1 : valueEnd(buf, start)
    if (end === -1) continue
    try {
      const usage = shape(JSON.parse(buf.toString('utf8', start, end)))
      if (usage !== undefined) return usage
    } catch {
      // Not JSON after all: look further back.
    }
  }
  return undefined
}

/** Count or 0: providers omit zero counts. */
export function count(value: unknown): number {
  return tokenCount(value) ?? 0
}

/** Past this, a JSON body is trimmed to its last TAIL_BYTES (usage sits at the end). */
const MAX_JSON_BODY_BYTES = 8 * 1024 * 1024
const TAIL_BYTES = 1024 * 1024

/**
 * A non-streamed JSON body: chunks are kept by reference (the data plane never reuses them) and
 * searched once, at result().
 */
class JsonBodyUsage implements UsageReader {
  readonly #key: Buffer
  readonly #shape: UsageShape
  #chunks: Buffer[] = []
  #bytes = 0
  #usage: Usage | undefined
  #searched = true

  constructor(key: Buffer, shape: UsageShape) {
    this.#key = key
    this.#shape = shape
  }

  push(chunk: Buffer): void {
    this.#chunks.push(chunk)
    this.#bytes += chunk.length
    this.#searched = false
    if (this.#bytes <= MAX_JSON_BODY_BYTES) return
    while (this.#chunks.length > 1 && this.#bytes - this.#chunks[0]!.length >= TAIL_BYTES) {
      this.#bytes -= this.#chunks.shift()!.length
    }
  }

  result(): Usage | undefined {
    if (this.#searched) return this.#usage
    this.#searched = true
    const body = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks, this.#bytes)
    this.#chunks = [body]
    this.#usage = findUsage(body, this.#key, this.#shape)
    return this.#usage
  }
}

/** A stream of JSON documents (SSE events, array elements): the last usage seen wins. */
class StreamedUsage implements UsageReader {
  #usage: Usage | undefined
  readonly #parser: SseParser | JsonArraySplitter
  #onEvent: StreamEventListener | undefined
  contentStarted = false

  constructor(key: Buffer, shape: UsageShape, format: 'sse' | 'json-array', content: ContentProbe | undefined) {
    const onDocument = (document: Buffer): void => {
      if (!this.contentStarted && content !== undefined) this.contentStarted = content(document)
      const usage = findUsage(document, key, shape)
      if (usage !== undefined) this.#usage = usage
      // As the adapter's decoder gives an SSE payload or an array element (streams/events.ts).
      this.#onEvent?.(document.toString('utf8'), '')
    }
    this.#parser = format === 'sse' ? new SseParser(onDocument) : new JsonArraySplitter(onDocument)
  }

  tapEvents(onEvent: StreamEventListener): StreamEventTap {
    this.#onEvent = onEvent
    return this.#parser
  }

  push(chunk: Buffer): void {
    this.#parser.push(chunk)
  }

  result(): Usage | undefined {
    return this.#usage
  }
}

export function jsonUsageReader(key: Buffer, shape: UsageShape): UsageReader {
  return new JsonBodyUsage(key, shape)
}

/** `content` tells the events that carry output content (streams/content-probe.ts), for time to first token. */
export function streamedUsageReader(key: Buffer, shape: UsageShape, format: 'sse' | 'json-array', content?: ContentProbe): UsageReader {
  return new StreamedUsage(key, shape, format, content)
}
