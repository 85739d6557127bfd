// OpenAI Responses API answers: a `response` object, or SSE `response.*` events (`event:` and
// `data:` lines, `sequence_number` on each, no `[DONE]`) whose `response.completed` event carries
// the final response with its usage.
import { buildReply, countInputTokens, intField, textOf } from './content.js'
import { jsonReply, type Reply } from './server.js'
import type { Plan } from './script.js'
import { openaiStatusError, SSE_HEADERS } from './openai-chat.js'

let idCounter = 0

export function responsesAnswer(body: Record<string, unknown>, plan: Plan): Reply {
  const model = typeof body.model === 'string' ? body.model : ''
  if (model === '') return openaiStatusError(400, 'Missing required parameter: model.')
  const inputTokens = countInputTokens(textOf(body.instructions) + textOf(body.input))
  const maxOutputTokens = intField(body.max_output_tokens)
  const reply = buildReply(model, plan.outputTokens, plan.chunks, maxOutputTokens, plan.text)
  const n = ++idCounter
  const id = `resp_emu${n}`
  const itemId = `msg_emu${n}`
  const part = { type: 'output_text', text: reply.text, annotations: [] }
  const item = { id: itemId, type: 'message', status: 'completed', role: 'assistant', content: [part] }
  const base = {
    id,
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    error: null,
    instructions: typeof body.instructions === 'string' ? body.instructions : null,
    max_output_tokens: maxOutputTokens ?? null,
    model,
    parallel_tool_calls: true,
    previous_response_id: null,
    temperature: 1,
    tool_choice: 'auto',
    tools: [],
    top_p: 1,
    truncation: 'disabled',
    metadata: {},
  }
  const final = {
    ...base,
    status: reply.truncated ? 'incomplete' : 'completed',
    incomplete_details: reply.truncated ? { reason: 'max_output_tokens' } : null,
    output: [item],
    usage: {
      input_tokens: inputTokens,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: reply.outputTokens,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: inputTokens + reply.outputTokens,
    },
  }
  if (body.stream !== true) return jsonReply(200, final)

  const pending = { ...base, status: 'in_progress', incomplete_details: null, output: [], usage: null }
  const at = { item_id: itemId, output_index: 0, content_index: 0 }
  const events: [string, Record<string, unknown>][] = [
    ['response.created', { response: pending }],
    ['response.in_progress', { response: pending }],
    ['response.output_item.added', { output_index: 0, item: { ...item, status: 'in_progress', content: [] } }],
    ['response.content_part.added', { ...at, part: { ...part, text: '' } }],
    ...reply.deltas.map((delta): [string, Record<string, unknown>] => ['response.output_text.delta', { ...at, delta }]),
    ['response.output_text.done', { ...at, text: reply.text }],
    ['response.content_part.done', { ...at, part }],
    ['response.output_item.done', { output_index: 0, item }],
    [reply.truncated ? 'response.incomplete' : 'response.completed', { response: final }],
  ]
  const frames = events.map(([type, data], i) => `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: i, ...data })}\n\n`)
  return { kind: 'stream', headers: SSE_HEADERS, frames }
}
