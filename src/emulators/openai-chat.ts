// OpenAI Chat Completions answers, shared by the OpenAI emulator and the Llama API's
// OpenAI-compatible `/compat/v1/chat/completions`. Streaming is SSE ending in `data: [DONE]`;
// with `stream_options.include_usage` every chunk carries `usage: null` and a last chunk with
// empty `choices` carries the usage, as OpenAI documents.
import { buildReply, countInputTokens, intField, isRecord, textOf } from './content.js'
import { jsonReply, type JsonReply, type Reply } from './server.js'
import type { Plan } from './script.js'

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

export function chatCompletion(body: Record<string, unknown>, plan: Plan): Reply {
  const model = typeof body.model === 'string' ? body.model : ''
  if (model === '') return openaiStatusError(400, 'you must provide a model parameter')
  const promptTokens = countInputTokens(textOf(body.messages))
  const reply = buildReply(model, plan.outputTokens, plan.chunks, intField(body.max_completion_tokens) ?? intField(body.max_tokens))
  const usage = { prompt_tokens: promptTokens, completion_tokens: reply.outputTokens, total_tokens: promptTokens + reply.outputTokens }
  const finishReason = reply.truncated ? 'length' : 'stop'
  const id = `chatcmpl-emu${++idCounter}`
  const created = Math.floor(Date.now() / 1000)

  if (body.stream !== true) {
    return jsonReply(200, {
      id,
      object: 'chat.completion',
      created,
      model,
      choices: [{ index: 0, message: { role: 'assistant', content: reply.text, refusal: null }, logprobs: null, finish_reason: finishReason }],
      usage,
      system_fingerprint: null,
    })
  }
  const includeUsage = isRecord(body.stream_options) && body.stream_options.include_usage === true
  const frame = (choices: unknown[], extra?: Record<string, unknown>): string =>
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, system_fingerprint: null, choices, ...(includeUsage ? { usage: null } : {}), ...extra })}\n\n`
  const choice = (delta: Record<string, unknown>, finish: string | null): Record<string, unknown> => ({ index: 0, delta, logprobs: null, finish_reason: finish })
  const frames = [frame([choice({ role: 'assistant', content: '', refusal: null }, null)])]
  for (const content of reply.deltas) frames.push(frame([choice({ content }, null)]))
  frames.push(frame([choice({}, finishReason)]))
  if (includeUsage) frames.push(frame([], { usage }))
  frames.push(DONE)
  return { kind: 'stream', headers: SSE_HEADERS, frames }
}
