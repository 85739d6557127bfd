// The Vertex emulator's Anthropic answers (rawPredict, streamRawPredict): an Anthropic message, or
// its SSE events with usage in message_start and message_delta. A tool call (scripted, or forced
// by `tool_choice: {type: "any"}` / `{type: "tool", name}`; see tool-call.ts) answers a `tool_use`
// block with stop_reason `tool_use`; streamed, its JSON arguments come as input_json_delta pieces.
// A text answer stops before the first of its `stop_sequences` it contains (`stop_sequence`), or
// at `max_tokens` words (`max_tokens`). A body Claude would refuse (anthropic-check.ts) gets 400
// in Anthropic's error shape.
import { anthropicRequestProblem } from './anthropic-check.js'
import { buildReply, countInputTokens, intField, textOf, type TextReply } from './content.js'
import { jsonReply, type JsonReply, type Reply } from './server.js'
import type { Plan } from './script.js'
import { anthropicForcedTool, toolCallFor, type ToolCallReply } from './tool-call.js'

let messageCounter = 0

function sse(type: string, data: unknown): string {
  return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`
}

/** What the message holds: one text block, or one tool_use block. */
interface Answer {
  readonly block: Record<string, unknown>
  /** The stream's content_block_start placeholder and its deltas. */
  readonly start: Record<string, unknown>
  readonly deltas: readonly Record<string, unknown>[]
  readonly stopReason: string
  readonly stopSequence?: string | null
  readonly outputTokens: number
}

function toolAnswer(id: string, call: ToolCallReply): Answer {
  const toolId = id.replace('msg_', 'toolu_')
  return {
    block: { type: 'tool_use', id: toolId, name: call.name, input: call.arguments },
    start: { type: 'tool_use', id: toolId, name: call.name, input: {} },
    deltas: call.pieces.map((partial_json) => ({ type: 'input_json_delta', partial_json })),
    stopReason: 'tool_use',
    outputTokens: call.outputTokens,
  }
}

function stream(id: string, model: string, answer: Answer, inputTokens: number): string[] {
  const frames = [
    sse('message_start', {
      type: 'message_start',
      message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: inputTokens, output_tokens: 1 } },
    }),
    sse('content_block_start', { type: 'content_block_start', index: 0, content_block: answer.start }),
  ]
  for (const delta of answer.deltas) frames.push(sse('content_block_delta', { type: 'content_block_delta', index: 0, delta }))
  frames.push(
    sse('content_block_stop', { type: 'content_block_stop', index: 0 }),
    sse('message_delta', { type: 'message_delta', delta: { stop_reason: answer.stopReason, stop_sequence: answer.stopSequence ?? null }, usage: { output_tokens: answer.outputTokens } }),
    sse('message_stop', { type: 'message_stop' }),
  )
  return frames
}

/** Anthropic's error body, as Vertex passes it on for the model's own refusals. */
export function anthropicError(status: number, type: string, message: string): JsonReply {
  return jsonReply(status, { type: 'error', error: { type, message } })
}

/** The text answer, cut before the first of `stop_sequences` it holds (stop_reason `stop_sequence`). */
function textAnswer(reply: TextReply, stopSequences: unknown): Answer {
  let cut: { at: number; sequence: string } | undefined
  for (const sequence of Array.isArray(stopSequences) ? stopSequences : []) {
    const at = typeof sequence === 'string' && sequence !== '' ? reply.text.indexOf(sequence) : -1
    if (at !== -1 && (cut === undefined || at < cut.at)) cut = { at, sequence: sequence as string }
  }
  const text = cut === undefined ? reply.text : reply.text.slice(0, cut.at)
  const deltas: string[] = []
  let left = text.length
  for (const delta of reply.deltas) {
    if (left <= 0) break
    deltas.push(delta.slice(0, left))
    left -= delta.length
  }
  return {
    block: { type: 'text', text },
    start: { type: 'text', text: '' },
    deltas: deltas.filter((d) => d !== '').map((delta) => ({ type: 'text_delta', text: delta })),
    stopReason: cut !== undefined ? 'stop_sequence' : reply.truncated ? 'max_tokens' : 'end_turn',
    stopSequence: cut?.sequence ?? null,
    // Words before the cut, at least one (a stop sequence is still a generated token).
    outputTokens: cut === undefined ? reply.outputTokens : Math.max(1, text.split(' ').filter((w) => w !== '').length),
  }
}

export function anthropicAnswer(model: string, streamed: boolean, body: Record<string, unknown>, plan: Plan): Reply {
  const problem = anthropicRequestProblem(body)
  if (problem !== undefined) return anthropicError(400, 'invalid_request_error', problem)
  const inputTokens = countInputTokens(textOf(body.system) + textOf(body.messages))
  const id = `msg_vrtx_emu${++messageCounter}`
  const call = toolCallFor(plan, anthropicForcedTool(body))
  const reply = (): TextReply => buildReply(model, plan.outputTokens, plan.chunks, intField(body.max_tokens), plan.text)
  const answer = call !== undefined ? toolAnswer(id, call) : textAnswer(reply(), body.stop_sequences)
  if (streamed || body.stream === true) {
    return { kind: 'stream', headers: { 'content-type': 'text/event-stream' }, frames: stream(id, model, answer, inputTokens) }
  }
  return jsonReply(200, {
    id,
    type: 'message',
    role: 'assistant',
    model,
    content: [answer.block],
    stop_reason: answer.stopReason,
    stop_sequence: answer.stopSequence ?? null,
    usage: { input_tokens: inputTokens, output_tokens: answer.outputTokens },
  })
}
