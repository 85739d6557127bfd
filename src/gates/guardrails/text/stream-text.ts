// The text delta one stream event carries, by body kind; '' when it carries none. `eventText`
// takes the event as the decoder split it (providers/streams/events.ts) and parses it — except an
// OpenAI chat chunk, whose few strings are read straight from its JSON (chat-json.ts);
// `streamText` reads a parsed event: an SSE payload or a JSON-array element, or for Bedrock
// `{eventType, payload}`. InvokeModelWithResponseStream's `chunk` wraps the model's
// own event as base64 JSON, decoded here. Tool-call argument pieces count as text: a scanner
// sees the same characters the client assembles. Never throws on odd input.
import { chatChunkText, type ChunkMemo } from './chat-json.js'
import { isObject } from './collect.js'
import type { BodyKind } from './types.js'

type Delta = (event: Record<string, unknown>) => string

const str = (value: unknown): string => (typeof value === 'string' ? value : '')

/** The concatenated `pick` of each object element of `value` when it is an array. */
function joined(value: unknown, pick: (item: Record<string, unknown>) => string): string {
  if (!Array.isArray(value)) return ''
  let out = ''
  for (const item of value) if (isObject(item)) out += pick(item)
  return out
}

const fnArguments = (holder: Record<string, unknown>, key: string): string => {
  const fn = holder[key]
  return isObject(fn) ? str(fn.arguments) : ''
}

const chat: Delta = (event) =>
  joined(event.choices, (choice) => {
    const delta = choice.delta
    if (!isObject(delta)) return ''
    return str(delta.content) + str(delta.refusal) + joined(delta.tool_calls, (call) => fnArguments(call, 'function')) + fnArguments(delta, 'function_call')
  })

const RESPONSES_DELTAS = new Set([
  'response.output_text.delta',
  'response.refusal.delta',
  'response.function_call_arguments.delta',
  'response.custom_tool_call_input.delta',
])

const responses: Delta = (event) => (typeof event.type === 'string' && RESPONSES_DELTAS.has(event.type) ? str(event.delta) : '')

/** `{event: {event_type, delta: {type: 'text', text} | {type: 'tool_call', function: {arguments}}}}`. */
const llama: Delta = (event) => {
  const delta = isObject(event.event) ? event.event.delta : undefined
  return isObject(delta) ? str(delta.text) + fnArguments(delta, 'function') : ''
}

/** A function call arrives whole, its `args` an object: counted as the JSON the client receives. */
function json(value: unknown): string {
  if (value === undefined) return ''
  try {
    return JSON.stringify(value) ?? ''
  } catch {
    return ''
  }
}

const gemini: Delta = (event) =>
  joined(event.candidates, (candidate) => {
    const parts = isObject(candidate.content) ? candidate.content.parts : undefined
    return joined(parts, (part) => str(part.text) + (isObject(part.functionCall) ? json(part.functionCall.args) : ''))
  })

/** A Converse-shaped `contentBlockDelta` payload (ConverseStream, and Nova's own chunks). */
function blockDelta(payload: unknown): string {
  const delta = isObject(payload) ? payload.delta : undefined
  if (!isObject(delta)) return ''
  return str(delta.text) + (isObject(delta.toolUse) ? str(delta.toolUse.input) : '')
}

const converse: Delta = (event) => (event.eventType === 'contentBlockDelta' ? blockDelta(event.payload) : '')

/** The model's own event inside a `chunk`'s `{bytes: base64}`; undefined when it is not one. */
function chunkOf(event: Record<string, unknown>): Record<string, unknown> | undefined {
  const bytes = event.eventType === 'chunk' && isObject(event.payload) ? event.payload.bytes : undefined
  if (typeof bytes !== 'string') return undefined
  try {
    const parsed: unknown = JSON.parse(Buffer.from(bytes, 'base64').toString('utf8'))
    return isObject(parsed) ? parsed : undefined
  } catch {
    return undefined
  }
}

function invoke(read: Delta): Delta {
  return (event) => {
    const chunk = chunkOf(event)
    return chunk === undefined ? '' : read(chunk)
  }
}

/** Messages stream `content_block_delta` (`text_delta`, `input_json_delta`), or a legacy completion. */
const anthropicChunk: Delta = (chunk) => {
  if (chunk.type !== 'content_block_delta') return str(chunk.completion)
  const delta = chunk.delta
  return isObject(delta) ? str(delta.text) + str(delta.partial_json) : ''
}

const DELTAS: Readonly<Record<BodyKind, Delta>> = {
  'openai-chat': chat,
  'openai-responses': responses,
  'bedrock-converse': converse,
  'bedrock-anthropic': invoke(anthropicChunk),
  anthropic: anthropicChunk,
  'bedrock-llama': invoke((chunk) => str(chunk.generation)),
  'bedrock-nova': invoke((chunk) => blockDelta(chunk.contentBlockDelta)),
  'bedrock-titan': invoke((chunk) => str(chunk.outputText)),
  gemini,
  llama,
}

export function streamText(kind: BodyKind, event: unknown): string {
  const delta = Object.hasOwn(DELTAS, kind) ? DELTAS[kind] : undefined
  return delta === undefined || !isObject(event) ? '' : delta(event)
}

/** Events are JSON objects (or arrays); anything else — OpenAI's `[DONE]` — is kept as text without paying for a parse that throws. */
function parsed(text: string): unknown {
  const first = text.charCodeAt(0)
  if (first !== 0x7b && !(first === 0x5b && text !== '[DONE]')) return text
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/**
 * The text of one event as the stream decoder gives it: its data as text, and its event-stream
 * type ('' elsewhere). `memo` is the stream's own (chatChunkText), kept from one event to the next.
 */
export function eventText(kind: BodyKind, data: string, type: string, memo?: ChunkMemo): string {
  if (kind === 'openai-chat') {
    const text = chatChunkText(data, memo)
    if (text !== undefined) return text
  }
  return streamText(kind, kind.startsWith('bedrock-') ? { eventType: type, payload: parsed(data) } : parsed(data))
}
