// Whether a stream event carries output content (text or a tool-call delta), for time to first
// token (docs/observability.md). The usage readers already split the stream into events; a probe
// looks at an event's bytes — no parse — and only until one says yes, so the rest of the stream
// costs a boolean check. The emulators' and providers' first events (a role, `start`,
// `message_start`) carry none: the first byte is not the first token.

/** True when `event` (one SSE data payload, array element or decoded message body) carries output content. */
export type ContentProbe = (event: Buffer) => boolean

const QUOTE = 0x22
const COLON = 0x3a

function isSpace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09
}

/**
 * `"key": "x…"` somewhere in the event: the key as a member name (followed by a colon) with a
 * string value that is not empty. A key's bytes inside a JSON string are escaped (`\"key\"`), so
 * they do not match.
 */
export function nonEmptyString(name: string): ContentProbe {
  const key = Buffer.from(JSON.stringify(name))
  return (event) => {
    for (let at = event.indexOf(key); at !== -1; at = event.indexOf(key, at + 1)) {
      let i = at + key.length
      while (isSpace(event[i])) i++
      if (event[i] !== COLON) continue
      i++
      while (isSpace(event[i])) i++
      if (event[i] === QUOTE && i + 1 < event.length && event[i + 1] !== QUOTE) return true
    }
    return false
  }
}

/** The quoted string `"text"` (a member name or a value, e.g. an event type) somewhere in the event. */
export function quoted(text: string): ContentProbe {
  const bytes = Buffer.from(JSON.stringify(text))
  return (event) => event.indexOf(bytes) !== -1
}

export function anyOf(...probes: ContentProbe[]): ContentProbe {
  return (event) => probes.some((probe) => probe(event))
}

/** OpenAI Chat Completions (and compatible) chunks, and Responses API delta events. */
export const openAiContent: ContentProbe = anyOf(
  nonEmptyString('content'),
  quoted('tool_calls'),
  quoted('response.output_text.delta'),
  quoted('response.function_call_arguments.delta'),
)

/** Gemini and Vertex Gemini `candidates[].content.parts[]`: a text part or a function call. */
export const geminiContent: ContentProbe = anyOf(nonEmptyString('text'), quoted('functionCall'))

/** Llama API native `event.delta`: text or a tool call (the compat API streams OpenAI's chunks). */
export const llamaContent: ContentProbe = anyOf(nonEmptyString('text'), quoted('tool_call'))

/** Anthropic Messages events (Vertex rawPredict, Bedrock InvokeModel chunks): `content_block_delta`. */
export const anthropicContent: ContentProbe = quoted('content_block_delta')

/** A Bedrock InvokeModel chunk's decoded model JSON: Anthropic's deltas, Llama's `generation`, Titan's `outputText`. */
export const invokeChunkContent: ContentProbe = anyOf(anthropicContent, nonEmptyString('generation'), nonEmptyString('outputText'), nonEmptyString('completion'))
