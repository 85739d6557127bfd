// Unified `POST /v1/responses` (docs/unified.md#responses), the answer side, whole: a translated
// `chat.completion` as a Response object — a `message` item with one `output_text` part when
// there is text, a `function_call` item per tool call, `status` `completed` or `incomplete`
// (`max_output_tokens`, `content_filter`), usage in the Responses API's names.
import type { ChatCompletion, CompletionUsage, FinishReason, ToolCall } from '../types.js'
import type { ResponsesEcho } from './request.js'

/** Identity of one Response: its `resp_…` id (items' ids derive from it) and creation time. */
export interface ResponseIdentity {
  readonly id: string
  /** Seconds since the epoch. */
  readonly createdAt: number
}

export interface ResponsesUsage {
  input_tokens: number
  input_tokens_details: { cached_tokens: number }
  output_tokens: number
  output_tokens_details: { reasoning_tokens: number }
  total_tokens: number
}

export interface OutputText {
  type: 'output_text'
  text: string
  annotations: never[]
  logprobs: never[]
}

export interface MessageItem {
  id: string
  type: 'message'
  status: 'in_progress' | 'completed' | 'incomplete'
  role: 'assistant'
  content: OutputText[]
}

export interface FunctionCallItem {
  id: string
  type: 'function_call'
  status: 'in_progress' | 'completed' | 'incomplete'
  call_id: string
  name: string
  arguments: string
}

export type OutputItem = MessageItem | FunctionCallItem

export type ResponseStatus = 'in_progress' | 'completed' | 'incomplete'

export function responsesUsage(usage: CompletionUsage | undefined): ResponsesUsage | null {
  if (usage === undefined) return null
  return {
    input_tokens: usage.prompt_tokens,
    input_tokens_details: { cached_tokens: usage.prompt_tokens_details?.cached_tokens ?? 0 },
    output_tokens: usage.completion_tokens,
    output_tokens_details: { reasoning_tokens: usage.completion_tokens_details?.reasoning_tokens ?? 0 },
    total_tokens: usage.total_tokens,
  }
}

/** A finish reason as the Response's status and `incomplete_details`. */
export function statusOf(finish: FinishReason | null): { status: ResponseStatus; incomplete: { reason: string } | null } {
  if (finish === 'length') return { status: 'incomplete', incomplete: { reason: 'max_output_tokens' } }
  if (finish === 'content_filter') return { status: 'incomplete', incomplete: { reason: 'content_filter' } }
  return { status: 'completed', incomplete: null }
}

/** An output item's id: its kind's prefix, the response's id and the item's place in `output`. */
export const itemId = (identity: ResponseIdentity, kind: 'msg' | 'fc', outputIndex: number): string => `${kind}_${identity.id.slice(5)}_${outputIndex}`

export function outputText(text: string): OutputText {
  return { type: 'output_text', text, annotations: [], logprobs: [] }
}

/** The Response object; `output` and `usage` as far as known (empty and null while in progress). */
export function responseObject(
  identity: ResponseIdentity,
  echo: ResponsesEcho,
  status: ResponseStatus,
  incomplete: { reason: string } | null,
  output: OutputItem[],
  usage: ResponsesUsage | null,
): Record<string, unknown> {
  return {
    id: identity.id,
    object: 'response',
    created_at: identity.createdAt,
    status,
    background: false,
    error: null,
    incomplete_details: incomplete,
    instructions: echo.instructions,
    max_output_tokens: echo.maxOutputTokens,
    metadata: echo.metadata,
    model: echo.model,
    output,
    parallel_tool_calls: echo.parallelToolCalls,
    previous_response_id: null,
    store: false,
    temperature: echo.temperature,
    text: echo.text,
    tool_choice: echo.toolChoice,
    tools: echo.tools,
    top_p: echo.topP,
    truncation: 'disabled',
    usage,
  }
}

function callItem(identity: ResponseIdentity, call: ToolCall, outputIndex: number, status: FunctionCallItem['status']): FunctionCallItem {
  return { id: itemId(identity, 'fc', outputIndex), type: 'function_call', status, call_id: call.id, name: call.function.name, arguments: call.function.arguments }
}

/** A whole translated chat.completion as the Response it answers. */
export function responseFromCompletion(completion: ChatCompletion, identity: ResponseIdentity, echo: ResponsesEcho): Record<string, unknown> {
  const choice = completion.choices[0]
  const { status, incomplete } = statusOf(choice.finish_reason)
  const itemStatus = status === 'completed' ? 'completed' : 'incomplete'
  const output: OutputItem[] = []
  const text = choice.message.content
  if (text !== null && text !== '') output.push({ id: itemId(identity, 'msg', 0), type: 'message', status: itemStatus, role: 'assistant', content: [outputText(text)] })
  for (const call of choice.message.tool_calls ?? []) output.push(callItem(identity, call, output.length, itemStatus))
  return responseObject(identity, echo, status, incomplete, output, responsesUsage(completion.usage))
}
