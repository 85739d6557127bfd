// The text of an OpenAI Chat Completions answer read straight from its JSON, without building the
// parsed object: a streamed chunk arrives every few milliseconds, and a JSON.parse of each (or of
// a whole answer) cost more than the detectors' scan of its text. It takes what stream-text.ts
// and answer-text.ts take from the parsed body — each choice's `delta` (a chunk) or `message` (a
// whole answer) `content` and `refusal` strings and the `arguments` of its `tool_calls[].function`
// and `function_call` — in document order. A bad escape or unbalanced brackets give undefined, and
// the caller parses the body instead; so does a whole answer without a `choices` array or with
// content given as parts. It does not check the rest of the JSON: brackets of the wrong kind or a
// bad number, which make JSON.parse throw (and the parsed reader find no text), still have their
// strings read.

const QUOTE = 0x22
const BACKSLASH = 0x5c
const COLON = 0x3a
const OPEN_BRACE = 0x7b
const CLOSE_BRACE = 0x7d
const OPEN_BRACKET = 0x5b
const CLOSE_BRACKET = 0x5d

/** The keys on the way to a text; 0 for every other key. */
const enum Key {
  Other,
  Choices,
  Delta,
  Message,
  Text, // `content`, `refusal`
  ToolCalls,
  Function,
  FunctionCall,
  Arguments,
}

/** Deeper than any text: the reader tracks keys and container kinds this far. */
const MAX_DEPTH = 8

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09
}

/** Index of the quote closing the string that opens at `open`; -1 when it does not close. */
function closingQuote(json: string, open: number): number {
  let at = open + 1
  for (;;) {
    const quote = json.indexOf('"', at)
    if (quote === -1) return -1
    let backslashes = 0
    while (json.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++
    if (backslashes % 2 === 0) return quote
    at = quote + 1
  }
}

/** The string literal from the quote at `open` to the one at `close`, unescaped; undefined when an escape is bad. */
function decoded(json: string, open: number, close: number): string | undefined {
  try {
    return JSON.parse(json.slice(open, close + 1)) as string
  } catch {
    return undefined
  }
}

/** The first backslash at or after `open`, given `backslash`, the first one at or after an earlier offset (-1: none). */
function backslashFrom(json: string, backslash: number, open: number): number {
  return backslash !== -1 && backslash < open ? json.indexOf('\\', open) : backslash
}

function keyOf(json: string, start: number, end: number): Key {
  switch (end - start) {
    case 5:
      return json.startsWith('delta', start) ? Key.Delta : Key.Other
    case 7:
      if (json.startsWith('content', start) || json.startsWith('refusal', start)) return Key.Text
      if (json.startsWith('message', start)) return Key.Message
      return json.startsWith('choices', start) ? Key.Choices : Key.Other
    case 8:
      return json.startsWith('function', start) ? Key.Function : Key.Other
    case 9:
      return json.startsWith('arguments', start) ? Key.Arguments : Key.Other
    case 10:
      return json.startsWith('tool_calls', start) ? Key.ToolCalls : Key.Other
    case 13:
      return json.startsWith('function_call', start) ? Key.FunctionCall : Key.Other
    default:
      return Key.Other
  }
}

// keys[d]: the last key read in the object at depth d; arrays[d]: 1 when depth d is an array.
// One pair for every call: the reader never runs inside itself.
const keys = new Uint8Array(MAX_DEPTH + 1)
const arrays = new Uint8Array(MAX_DEPTH + 1)

/**
 * One stream's memo of the chunks read before, in three pieces a chunk resumes from when it
 * repeats them; the reader's state after each depends on nothing but the characters read:
 * - `prefix`: a chunk's JSON up to and including the colon after its top-level `choices` key. A
 *   stream's chunks all open with the same id, object, creation time and model; the state after
 *   it is always depth 1, key `choices`, no text yet.
 * - `opening`: what follows the prefix up to and including the opening quote of the first string
 *   text was read from, with no text before it (`[{"index":0,"delta":{"content":"`), and the
 *   state there, packed (`packed`). It follows any prefix: the state after every prefix is the same.
 * - `closing`: from that string's closing quote to the bracket closing the `choices` array, with no
 *   text in it (`"},"logprobs":null,"finish_reason":null}]`); the state after it is depth 1 again.
 *   Recorded after `opening`, and only valid with it.
 * What comes after (`"usage":null`, OpenAI's random `obfuscation`) is read as usual.
 */
export interface ChunkMemo {
  prefix: string
  opening: string
  packed: number
  closing: string
}

/** A memo for one stream's chunks (chatChunkText). */
export const chunkMemo = (): ChunkMemo => ({ prefix: '', opening: '', packed: 0, closing: '' })

/** Depths 1 to `depth` of keys and arrays in one number: 5 bits a depth, at most 7 deep (35 bits). */
function pack(depth: number): number {
  let packed = 0
  for (let d = depth; d >= 1; d--) packed = packed * 32 + keys[d]! * 2 + arrays[d]!
  return packed * 8 + depth
}

/** Restores what `pack` packed; returns the depth. */
function unpack(packed: number): number {
  const depth = packed % 8
  let rest = (packed - depth) / 8
  for (let d = 1; d <= depth; d++) {
    const level = rest % 32
    arrays[d] = level % 2
    keys[d] = (level - arrays[d]!) / 2
    rest = (rest - level) / 32
  }
  return depth
}

/** The text of one streamed chunk (the `data:` payload); undefined when it must be parsed to be read. */
export function chatChunkText(json: string, memo?: ChunkMemo): string | undefined {
  return chatText(json, Key.Delta, memo)
}

/** The text of a whole (non-streamed) answer; undefined when it must be parsed to be read. */
export function chatAnswerText(json: string): string | undefined {
  return chatText(json, Key.Message, undefined)
}

/** The string whose quotes are at `open` and `close`, unescaped when `backslash` (the next one at or after `open`) lies inside. */
function stringAt(json: string, open: number, close: number, backslash: number): string | undefined {
  return backslash !== -1 && backslash < close ? decoded(json, open, close) : json.slice(open + 1, close)
}

/** Whether `json` has `part` at `at`: a slice compared with === is V8's memcmp; startsWith walks the characters one by one. */
const has = (json: string, at: number, part: string): boolean => part !== '' && json.slice(at, at + part.length) === part

function chatText(json: string, holder: Key.Delta | Key.Message, memo: ChunkMemo | undefined): string | undefined {
  let choices = false
  let depth = 0
  let text = ''
  let start = 0
  const length = json.length
  // Where the state after a prefix begins in this chunk (-1: nowhere), and while the memo's
  // closing is being recorded, where it starts (the quote closing its opening's string).
  let after = -1
  let closingFrom = -1
  let closingText = 0
  if (memo !== undefined && length > memo.prefix.length && has(json, 0, memo.prefix)) {
    // The state recorded below, where the prefix's last character (the colon) was read.
    start = after = memo.prefix.length
    depth = 1
    keys[1] = Key.Choices
    arrays[1] = 0
  }
  // The next backslash at or after a string's opening quote (-1: none left): most answers have
  // none, so whether a string has an escape is one comparison, not a walk over its characters.
  let backslash = json.indexOf('\\', start)
  if (after !== -1 && has(json, after, memo!.opening)) {
    // Resumed at the opening quote of the string the opening ends at, inside `choices`.
    const value = after + memo!.opening.length - 1
    depth = unpack(memo!.packed)
    choices = true
    const end = closingQuote(json, value)
    if (end === -1) return undefined
    backslash = backslashFrom(json, backslash, value)
    const read = stringAt(json, value, end, backslash)
    if (read === undefined) return undefined
    text = read
    after = -1
    if (has(json, end, memo!.closing)) {
      depth = 1
      start = end + memo!.closing.length
    } else {
      start = end + 1
      closingFrom = end
      closingText = text.length
    }
  }
  for (let i = start; i < length; i++) {
    const code = json.charCodeAt(i)
    if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      depth++
      if (depth <= MAX_DEPTH) {
        keys[depth] = Key.Other
        arrays[depth] = code === OPEN_BRACKET ? 1 : 0
        if (depth === 2 && arrays[2] === 1 && keys[1] === Key.Choices && arrays[1] === 0) choices = true
      }
      continue
    }
    if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      if (--depth < 0) return undefined
      if (closingFrom !== -1 && depth === 1) {
        // Back out of `choices` with no text since the opening's string: the memo's closing.
        if (text.length === closingText) memo!.closing = json.slice(closingFrom, i + 1)
        closingFrom = -1
      }
      continue
    }
    if (code !== QUOTE) continue
    const close = closingQuote(json, i)
    if (close === -1) return undefined
    let next = close + 1
    while (next < length && isSpace(json.charCodeAt(next))) next++
    if (json.charCodeAt(next) !== COLON) {
      i = close // a string value no one asked for
      continue
    }
    // A key; one written with an escape is decoded first (it may spell a wanted name).
    backslash = backslashFrom(json, backslash, i)
    const escaped = backslash !== -1 && backslash < close
    let key = Key.Other
    if (depth <= MAX_DEPTH && !escaped) key = keyOf(json, i + 1, close)
    else if (depth <= MAX_DEPTH) {
      const name = decoded(json, i, close)
      if (name === undefined) return undefined
      key = keyOf(name, 0, name.length)
    }
    if (depth <= MAX_DEPTH) keys[depth] = key
    const plainContent = !escaped && close - i - 1 === 7 && json.startsWith('content', i + 1)
    i = next
    // The first top-level `choices` (no choices array before it, so no text either), in a chunk
    // read from its start: what a stream's next chunk may resume from.
    if (memo !== undefined && key === Key.Choices && depth === 1 && arrays[1] === 0 && !choices && start === 0) {
      memo.prefix = json.slice(0, next + 1)
      after = next + 1
    }
    if (!wanted(key, depth, holder)) continue
    let value = next + 1
    while (value < length && isSpace(json.charCodeAt(value))) value++
    const first = json.charCodeAt(value)
    if (first === QUOTE) {
      const end = closingQuote(json, value)
      if (end === -1) return undefined
      backslash = backslashFrom(json, backslash, value)
      const read = stringAt(json, value, end, backslash)
      if (read === undefined) return undefined
      // The first string with text since a prefix's state, none before it: the memo's opening.
      const opens = after !== -1 && text === ''
      text += read
      i = end
      if (opens) {
        memo!.opening = json.slice(after, value + 1)
        memo!.packed = pack(depth)
        memo!.closing = ''
        after = -1
        closingFrom = end
        closingText = text.length
      }
      continue
    }
    // A whole answer's content may be a list of parts, or one part: the parsed reader's job.
    if (holder === Key.Message && key === Key.Text && (first === OPEN_BRACKET || first === OPEN_BRACE) && (plainContent || escaped)) return undefined
    // Anything else but a string (null, most often) is no text; a container is walked on as usual.
    i = value - 1
  }
  if (depth !== 0 || (holder === Key.Message && !choices)) return undefined
  return text
}

/** Whether the key just read at `depth` holds text: choices[].<holder>.(content|refusal|function_call.arguments|tool_calls[].function.arguments). */
function wanted(key: Key, depth: number, holder: Key): boolean {
  if (key !== Key.Text && key !== Key.Arguments) return false
  if (depth < 4 || depth > 7 || arrays[1] || keys[1] !== Key.Choices || !arrays[2] || arrays[3] || keys[3] !== holder || arrays[4]) return false
  if (key === Key.Text) return depth === 4
  if (depth === 5) return keys[4] === Key.FunctionCall && !arrays[5]
  return depth === 7 && keys[4] === Key.ToolCalls && arrays[5] === 1 && !arrays[6] && keys[6] === Key.Function && !arrays[7]
}
