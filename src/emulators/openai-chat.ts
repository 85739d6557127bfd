// OpenAI Chat Completions answers, shared by the OpenAI emulator and the Llama API's
// OpenAI-compatible `/compat/v1/chat/completions`. Streaming is SSE ending in `data: [DONE]`;
// with `stream_options.include_usage` every chunk carries `usage: null` and a last chunk with
// empty `choices` carries the usage, as OpenAI documents. A tool call (scripted, or forced by
// `tool_choice`; see tool-call.ts) answers `message.tool_calls` with finish_reason `tool_calls`.
import { buildReply, countInputTokens, intField, isRecord, textOf } from './content.js'
import { jsonReply, type JsonReply, type Reply } from './server.js'
import type { Plan } from './script.js'
import { openaiForcedTool, toolCallFor, type ToolCallReply } from './tool-call.js'

export const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' }
const DONE = 'data: [DONE]\n\n'

/** OpenAI's error envelope, also used by OpenAI-compatible endpoints. */
export function openaiError(status: number, message: string, type: string, code: string | null): JsonReply {
  return jsonReply(status, { error: { message, type, param: null, code } })
}

const ERRORS: Readonly<Record<number, readonly [message: string, type: string, code: string | null]>> = {
  400: ['Invalid request.', 'invalid_request_error', null],
  401: ['Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key'],
  403: ['You are not allowed to sample from this model.', 'invalid_request_error', null],
  404: ['The model does not exist or you do not have access to it.', 'invalid_request_error', 'model_not_found'],
  413: ['Request too large.', 'invalid_request_error', null],
  429: ['Rate limit reached for requests. Please try again later.', 'requests', 'rate_limit_exceeded'],
  500: ['The server had an error while processing your request.', 'server_error', null],
  503: ['The engine is currently overloaded, please try again later.', 'server_error', null],
}

export function openaiStatusError(status: number, message?: string): JsonReply {
  const [text, type, code] = ERRORS[status] ?? (status >= 500 ? ERRORS[500]! : ERRORS[400]!)
  return openaiError(status, message ?? text, type, code)
}

let idCounter = 0

/** What differs between a text answer and a tool call: the message, the stream deltas, the counts. */
interface ChatAnswer {
  readonly message: Record<string, unknown>
  /** Delta of the first stream chunk, which carries the role. */
  readonly first: Record<string, unknown>
  readonly deltas: readonly Record<string, unknown>[]
  readonly completionTokens: number
  readonly finishReason: string
}

function textAnswer(model: string, body: Record<string, unknown>, plan: Plan): ChatAnswer {
  const reply = buildReply(model, plan.outputTokens, plan.chunks, intField(body.max_completion_tokens) ?? intField(body.max_tokens), plan.text)
  return {
    message: { role: 'assistant', content: reply.text, refusal: null },
    first: { role: 'assistant', content: '', refusal: null },
    deltas: reply.deltas.map((content) => ({ content })),
    completionTokens: reply.outputTokens,
    finishReason: reply.truncated ? 'length' : 'stop',
  }
}

/** As OpenAI sends one: the first chunk opens the call with its id and name, later ones carry argument pieces. */
function toolAnswer(call: ToolCallReply): ChatAnswer {
  const id = `call_emu${++idCounter}`
  return {
    message: { role: 'assistant', content: null, refusal: null, tool_calls: [{ id, type: 'function', function: { name: call.name, arguments: call.json } }] },
    first: { role: 'assistant', content: null, refusal: null, tool_calls: [{ index: 0, id, type: 'function', function: { name: call.name, arguments: '' } }] },
    deltas: call.pieces.map((piece) => ({ tool_calls: [{ index: 0, function: { arguments: piece } }] })),
    completionTokens: call.outputTokens,
    finishReason: 'tool_calls',
  }
}

export function chatCompletion(body: Record<string, unknown>, plan: Plan): Reply {
  const model = typeof body.model === 'string' ? body.model : ''
  if (model === '') return openaiStatusError(400, 'you must provide a model parameter')
  const promptTokens = countInputTokens(textOf(body.messages))
  const call = toolCallFor(plan, openaiForcedTool(body))
  const answer = call === undefined ? textAnswer(model, body, plan) : toolAnswer(call)
  const usage = { prompt_tokens: promptTokens, completion_tokens: answer.completionTokens, total_tokens: promptTokens + answer.completionTokens }
  const id = `chatcmpl-emu${++idCounter}`
  const created = Math.floor(Date.now() / 1000)

  if (body.stream !== true) {
    return jsonReply(200, {
      id,
      object: 'chat.completion',
      created,
      model,
      choices: [{ index: 0, message: answer.message, logprobs: null, finish_reason: answer.finishReason }],
      ...(plan.omitUsage === true ? {} : { usage }),
      system_fingerprint: null,
    })
  }
  const includeUsage = plan.omitUsage !== true && isRecord(body.stream_options) && body.stream_options.include_usage === true
  const frame = (choices: unknown[], extra?: Record<string, unknown>): string =>
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, system_fingerprint: null, choices, ...(includeUsage ? { usage: null } : {}), ...extra })}\n\n`
  const choice = (delta: Record<string, unknown>, finish: string | null): Record<string, unknown> => ({ index: 0, delta, logprobs: null, finish_reason: finish })
  const frames = [frame([choice(answer.first, null)])]
  for (const delta of answer.deltas) frames.push(frame([choice(delta, null)]))
  frames.push(frame([choice({}, answer.finishReason)]))
  if (includeUsage) frames.push(frame([], { usage }))
  frames.push(DONE)
  return { kind: 'stream', headers: SSE_HEADERS, frames }
}
