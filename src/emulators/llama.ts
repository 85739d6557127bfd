// Meta Llama API emulator. Native `POST /v1/chat/completions` answers with `completion_message`
// and token counts in `metrics: [{metric:'num_prompt_tokens',value,unit}, ...]`; its stream is SSE
// events `{id, event:{event_type:'start'|'progress'|'complete'|'metrics', delta, ...}}` and, unlike
// OpenAI, never ends with `[DONE]`. `POST /compat/v1/chat/completions` is OpenAI-compatible.
// Bearer auth on both. `GET /v1/models`, `/v1/models/{id}` and their `/compat` twins list and
// look up models (models-list.ts). A tool call (scripted, or forced by `tool_choice`; see tool-call.ts) answers
// `completion_message.tool_calls` with stop_reason `tool_calls`, streamed as `tool_call` deltas.
import { buildReply, countInputTokens, intField, textOf } from './content.js'
import { chatCompletion, openaiError, openaiStatusError, SSE_HEADERS } from './openai-chat.js'
import { checkBearer, type KeyAuth } from './key-auth.js'
import { LLAMA_MODELS, modelsPathId, openAiModels } from './models-list.js'
import { jsonReply, type JsonReply, type ProviderEmulator, type Reply } from './server.js'
import type { Plan } from './script.js'
import { openaiForcedTool, toolCallFor, type ToolCallReply } from './tool-call.js'

type Operation = 'chat.completions' | 'compat.chat.completions' | 'models' | 'compat.models'

interface LlamaRoute {
  readonly operation: Operation
  /** For `models`: the id looked up, '' for the list. */
  readonly modelId?: string
}

function modelsRoute(path: string): LlamaRoute | undefined {
  const native = modelsPathId(path, '/v1')
  if (native !== undefined) return { operation: 'models', modelId: native }
  const compat = modelsPathId(path, '/compat/v1')
  return compat === undefined ? undefined : { operation: 'compat.models', modelId: compat }
}

const ROUTES: Readonly<Record<string, LlamaRoute>> = {
  '/v1/chat/completions': { operation: 'chat.completions' },
  '/compat/v1/chat/completions': { operation: 'compat.chat.completions' },
}

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  413: 'Payload Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
}

/** The native error body; the SDK only relies on the status, so the shape is a plain problem detail. */
function llamaError(status: number, message?: string): JsonReply {
  const title = TITLES[status] ?? (status >= 500 ? 'Server Error' : 'Client Error')
  return jsonReply(status, { title, detail: message ?? title, status })
}

function metrics(promptTokens: number, completionTokens: number): { metric: string; value: number; unit: string }[] {
  return [
    { metric: 'num_prompt_tokens', value: promptTokens, unit: 'tokens' },
    { metric: 'num_completion_tokens', value: completionTokens, unit: 'tokens' },
    { metric: 'num_total_tokens', value: promptTokens + completionTokens, unit: 'tokens' },
  ]
}

let idCounter = 0

/** The native completion's message, stop reason, stream progress deltas and completion tokens. */
interface NativeAnswer {
  readonly message: Record<string, unknown>
  readonly stopReason: string
  readonly deltas: readonly Record<string, unknown>[]
  readonly completionTokens: number
}

function textAnswer(model: string, body: Record<string, unknown>, plan: Plan): NativeAnswer {
  const reply = buildReply(model, plan.outputTokens, plan.chunks, intField(body.max_completion_tokens), plan.text)
  const stopReason = reply.truncated ? 'length' : 'stop'
  return {
    message: { role: 'assistant', stop_reason: stopReason, content: { type: 'text', text: reply.text } },
    stopReason,
    deltas: reply.deltas.map((text) => ({ type: 'text', text })),
    completionTokens: reply.outputTokens,
  }
}

/** Tool call deltas carry no index: the first carries the id and name, the rest argument pieces. */
function toolAnswer(call: ToolCallReply): NativeAnswer {
  const id = `call_emu${++idCounter}`
  return {
    message: {
      role: 'assistant',
      stop_reason: 'tool_calls',
      content: { type: 'text', text: '' },
      tool_calls: [{ id, function: { name: call.name, arguments: call.json } }],
    },
    stopReason: 'tool_calls',
    deltas: call.pieces.map((piece, i) =>
      i === 0 ? { type: 'tool_call', id, function: { name: call.name, arguments: piece } } : { type: 'tool_call', function: { arguments: piece } },
    ),
    completionTokens: call.outputTokens,
  }
}

function nativeCompletion(body: Record<string, unknown>, plan: Plan): Reply {
  const model = typeof body.model === 'string' ? body.model : ''
  if (model === '') return llamaError(400, 'model is required')
  const promptTokens = countInputTokens(textOf(body.messages))
  const call = toolCallFor(plan, openaiForcedTool(body))
  const answer = call === undefined ? textAnswer(model, body, plan) : toolAnswer(call)
  const id = `llama-emu${++idCounter}`
  if (body.stream !== true) {
    return jsonReply(200, { id, completion_message: answer.message, metrics: metrics(promptTokens, answer.completionTokens) })
  }
  const frame = (event: Record<string, unknown>): string => `data: ${JSON.stringify({ id, event })}\n\n`
  const empty = { type: 'text', text: '' }
  const frames = [frame({ event_type: 'start', delta: empty })]
  for (const delta of answer.deltas) frames.push(frame({ event_type: 'progress', delta }))
  frames.push(
    frame({ event_type: 'complete', delta: empty, stop_reason: answer.stopReason }),
    frame({ event_type: 'metrics', delta: empty, metrics: metrics(promptTokens, answer.completionTokens) }),
  )
  return { kind: 'stream', headers: SSE_HEADERS, frames }
}

export function createLlamaEmulator(auth: KeyAuth | undefined): ProviderEmulator<LlamaRoute> {
  return {
    match: (method, path) => (method === 'POST' ? ROUTES[path] : method === 'GET' ? modelsRoute(path) : undefined),
    authenticate(request, route) {
      if (auth === undefined) return undefined
      const refuse =
        route.operation.startsWith('compat.')
          ? (message: string) => openaiError(401, message, 'invalid_request_error', 'invalid_api_key')
          : (message: string) => llamaError(401, message)
      return checkBearer(request, auth.apiKey, refuse)
    },
    error: (status, message, route) =>
      route?.operation.startsWith('compat.') === true ? openaiStatusError(status, message) : llamaError(status, message),
    answer(route, body, _request, plan) {
      if (route.operation === 'chat.completions') return nativeCompletion(body, plan)
      if (route.operation === 'compat.chat.completions') return chatCompletion(body, plan)
      const notFound = route.operation === 'models' ? (message: string) => llamaError(404, message) : (message: string) => openaiStatusError(404, message)
      return openAiModels(LLAMA_MODELS, 'Meta', route.modelId ?? '', notFound)
    },
  }
}
