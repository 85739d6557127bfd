// Bedrock's streamed bodies: `application/vnd.amazon.eventstream` binary messages, as the SDK's
// restJson1 event-stream deserializer reads them. ConverseStream sends one message per union member
// (`:event-type` messageStart, contentBlockDelta, contentBlockStop, messageStop, metadata) with
// the member as JSON payload (a tool call adds contentBlockStart and sends its input as toolUse
// deltas); InvokeModelWithResponseStream sends `chunk` events whose payload is
// `{"bytes":"<base64 of the model's own JSON event>"}` (here Anthropic Messages stream events).
import { EventStreamCodec, type MessageHeaders } from '@smithy/eventstream-codec'
import { fromUtf8, toUtf8 } from '@smithy/util-utf8'
import type { TextReply } from './content.js'
import type { ToolCallReply } from './tool-call.js'

const codec = new EventStreamCodec(toUtf8, fromUtf8)
const headerCache = new Map<string, MessageHeaders>()

function eventHeaders(eventType: string): MessageHeaders {
  let headers = headerCache.get(eventType)
  if (headers === undefined) {
    headers = {
      ':event-type': { type: 'string', value: eventType },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'event' },
    }
    headerCache.set(eventType, headers)
  }
  return headers
}

export function eventFrame(eventType: string, payload: unknown): Uint8Array {
  return codec.encode({ headers: eventHeaders(eventType), body: fromUtf8(JSON.stringify(payload)) })
}

function chunkFrame(event: unknown): Uint8Array {
  return eventFrame('chunk', { bytes: Buffer.from(JSON.stringify(event)).toString('base64') })
}

export interface StreamUsage {
  readonly inputTokens: number
  readonly outputTokens: number
  /** Reported latency: the scripted delays that applied, ms. */
  readonly latencyMs: number
  readonly firstByteLatencyMs: number
}

export function converseStreamFrames(reply: TextReply, usage: StreamUsage): Uint8Array[] {
  const frames = [eventFrame('messageStart', { role: 'assistant' })]
  for (const text of reply.deltas) frames.push(eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text } }))
  frames.push(
    eventFrame('contentBlockStop', { contentBlockIndex: 0 }),
    eventFrame('messageStop', { stopReason: reply.truncated ? 'max_tokens' : 'end_turn' }),
    metadataFrame(usage),
  )
  return frames
}

function metadataFrame(usage: StreamUsage): Uint8Array {
  return eventFrame('metadata', {
    usage: { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, totalTokens: usage.inputTokens + usage.outputTokens },
    metrics: { latencyMs: usage.latencyMs },
  })
}

/** Events around a tool call's input deltas: messageStart, contentBlockStart, contentBlockStop, messageStop, metadata. */
export const TOOL_USE_FRAMING_EVENTS = 5

/** A ConverseStream tool call: the block opens with the id and name, then the JSON input arrives as string pieces. */
export function converseToolUseFrames(toolUseId: string, call: ToolCallReply, usage: StreamUsage): Uint8Array[] {
  const frames = [
    eventFrame('messageStart', { role: 'assistant' }),
    eventFrame('contentBlockStart', { start: { toolUse: { toolUseId, name: call.name } }, contentBlockIndex: 0 }),
  ]
  for (const input of call.pieces) frames.push(eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { toolUse: { input } } }))
  frames.push(
    eventFrame('contentBlockStop', { contentBlockIndex: 0 }),
    eventFrame('messageStop', { stopReason: 'tool_use' }),
    metadataFrame(usage),
  )
  return frames
}

export function invokeStreamFrames(id: string, model: string, reply: TextReply, usage: StreamUsage): Uint8Array[] {
  const frames = [
    chunkFrame({
      type: 'message_start',
      message: {
        id,
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: usage.inputTokens, output_tokens: 1 },
      },
    }),
    chunkFrame({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
  ]
  for (const text of reply.deltas) frames.push(chunkFrame({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } }))
  frames.push(
    chunkFrame({ type: 'content_block_stop', index: 0 }),
    chunkFrame({
      type: 'message_delta',
      delta: { stop_reason: reply.truncated ? 'max_tokens' : 'end_turn', stop_sequence: null },
      usage: { output_tokens: usage.outputTokens },
    }),
    chunkFrame({
      type: 'message_stop',
      'amazon-bedrock-invocationMetrics': {
        inputTokenCount: usage.inputTokens,
        outputTokenCount: usage.outputTokens,
        invocationLatency: usage.latencyMs,
        firstByteLatency: usage.firstByteLatencyMs,
      },
    }),
  )
  return frames
}
