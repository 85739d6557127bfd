// Unified `POST /v1/responses` (docs/unified.md#responses), the request side: an OpenAI Responses
// body checked and rewritten as the Chat Completions body the chat translators already take, so
// every target type serves it as it serves chat; what the answer must echo is kept apart
// (`ResponsesEcho`). Supported: `input` (a string, or message / function_call /
// function_call_output items), `instructions`, `max_output_tokens`, `temperature`, `top_p`,
// function `tools`, `tool_choice`, `parallel_tool_calls`, `text.format`, `stream`, `metadata`.
// Fields that need state Sluice does not keep (`previous_response_id`, `conversation`,
// `background`, `prompt`), built-in tools and other item types are refused, naming the field;
// `store`, `include`, `reasoning`, `truncation`, `user`, `safety_identifier`,
// `prompt_cache_key`, `service_tier` and unknown fields are ignored.
import type { JsonObject } from '../../providers/request.js'

type Obj = Record<string, unknown>

const isObj = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value)

class Invalid extends Error {}

function fail(message: string): never {
  throw new Invalid(message)
}

/** What the Response object repeats from the request. */
export interface ResponsesEcho {
  readonly model: string
  readonly stream: boolean
  readonly instructions: string | null
  readonly maxOutputTokens: number | null
  readonly temperature: number | null
  readonly topP: number | null
  readonly toolChoice: unknown
  readonly tools: readonly unknown[]
  readonly parallelToolCalls: boolean
  readonly text: unknown
  readonly metadata: Readonly<Record<string, string>>
}

export type ResponsesParse = { readonly ok: true; readonly chat: JsonObject; readonly echo: ResponsesEcho } | { readonly ok: false; readonly message: string }

/** Fields whose meaning is state kept by OpenAI between calls, or work it does on its own. */
const REFUSED: Readonly<Record<string, string>> = {
  previous_response_id: 'Sluice stores no responses: send the whole conversation in `input`.',
  conversation: 'Sluice stores no conversations: send the whole conversation in `input`.',
  background: 'background responses are not supported.',
  prompt: 'reusable prompts are not supported: send `instructions` and `input`.',
}

type ChatMessage = Obj & { role: string }

function textOf(part: Obj, where: string): string {
  if (typeof part.text !== 'string') fail(`${where}: \`text\` must be a string.`)
  return part.text
}

/** A message item's content as Chat Completions content (a string, or text and image parts). */
function messageContent(content: unknown, role: string, where: string): string | Obj[] {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) fail(`${where}: \`content\` must be a string or an array of content parts.`)
  return content.map((part, j): Obj => {
    const at = `${where}.content[${j}]`
    if (!isObj(part)) fail(`${at} must be an object.`)
    switch (part.type) {
      case 'input_text':
      case 'output_text':
        return { type: 'text', text: textOf(part, at) }
      case 'refusal':
        if (typeof part.refusal !== 'string') fail(`${at}: \`refusal\` must be a string.`)
        return { type: 'text', text: part.refusal }
      case 'input_image':
        if (role !== 'user') fail(`${at}: images are accepted in user messages only.`)
        if (typeof part.image_url !== 'string') fail(`${at}: only \`image_url\` images are supported (not \`file_id\`).`)
        return { type: 'image_url', image_url: { url: part.image_url, ...(typeof part.detail === 'string' ? { detail: part.detail } : {}) } }
      default:
        return fail(`${at}: content type ${JSON.stringify(part.type)} is not supported (input_text, output_text, input_image).`)
    }
  })
}

const ROLES = new Set(['user', 'assistant', 'system', 'developer'])

function messages(input: unknown, instructions: string | null): ChatMessage[] {
  const out: ChatMessage[] = []
  if (instructions !== null) out.push({ role: 'system', content: instructions })
  if (typeof input === 'string') {
    out.push({ role: 'user', content: input })
    return out
  }
  if (!Array.isArray(input) || input.length === 0) fail('`input` must be a string or a non-empty array of input items.')
  for (const [i, item] of input.entries()) {
    const where = `input[${i}]`
    if (!isObj(item)) fail(`${where} must be an object.`)
    const type = item.type ?? 'message'
    if (type === 'message') {
      if (typeof item.role !== 'string' || !ROLES.has(item.role)) fail(`${where}: \`role\` must be user, assistant, system or developer.`)
      out.push({ role: item.role, content: messageContent(item.content, item.role, where) })
    } else if (type === 'function_call') {
      if (typeof item.call_id !== 'string' || item.call_id === '') fail(`${where}: \`call_id\` must be a non-empty string.`)
      if (typeof item.name !== 'string' || item.name === '') fail(`${where}: \`name\` must be a non-empty string.`)
      if (typeof item.arguments !== 'string') fail(`${where}: \`arguments\` must be a JSON string.`)
      const call = { id: item.call_id, type: 'function', function: { name: item.name, arguments: item.arguments } }
      // Calls of one turn become one assistant message, with the turn's text when it came first.
      const last = out.at(-1)
      if (last?.role === 'assistant') last.tool_calls = [...((last.tool_calls as Obj[] | undefined) ?? []), call]
      else out.push({ role: 'assistant', content: null, tool_calls: [call] })
    } else if (type === 'function_call_output') {
      if (typeof item.call_id !== 'string' || item.call_id === '') fail(`${where}: \`call_id\` must be a non-empty string.`)
      const output = item.output
      const content = typeof output === 'string' ? output : Array.isArray(output) ? messageContent(output, 'tool', where) : fail(`${where}: \`output\` must be a string.`)
      out.push({ role: 'tool', tool_call_id: item.call_id, content })
    } else {
      fail(`${where}: item type ${JSON.stringify(type)} is not supported (message, function_call, function_call_output).`)
    }
  }
  return out
}

function tools(value: unknown): { chat: Obj[]; echo: unknown[] } | undefined {
  if (value === undefined || value === null) return undefined
  if (!Array.isArray(value)) fail('`tools` must be an array.')
  const chat = value.map((tool, i): Obj => {
    if (!isObj(tool) || tool.type !== 'function') fail(`tools[${i}]: only \`function\` tools are supported (got ${isObj(tool) ? JSON.stringify(tool.type) : 'a non-object'}).`)
    if (typeof tool.name !== 'string' || tool.name === '') fail(`tools[${i}]: \`name\` must be a non-empty string.`)
    const fn: Obj = { name: tool.name }
    if (typeof tool.description === 'string') fn.description = tool.description
    if (isObj(tool.parameters)) fn.parameters = tool.parameters
    if (typeof tool.strict === 'boolean') fn.strict = tool.strict
    return { type: 'function', function: fn }
  })
  return { chat, echo: value }
}

function toolChoice(value: unknown): unknown {
  if (value === undefined || value === null) return undefined
  if (value === 'auto' || value === 'none' || value === 'required') return value
  if (isObj(value) && value.type === 'function' && typeof value.name === 'string') return { type: 'function', function: { name: value.name } }
  return fail('`tool_choice` must be "auto", "none", "required" or {type: "function", name}.')
}

/** `text.format`: plain text, or JSON (an object, or one matching a schema). */
function responseFormat(text: unknown): Obj | undefined {
  if (text === undefined || text === null) return undefined
  if (!isObj(text)) fail('`text` must be an object.')
  const format = text.format
  if (format === undefined || format === null) return undefined
  if (!isObj(format)) fail('`text.format` must be an object.')
  if (format.type === 'text') return undefined
  if (format.type === 'json_object') return { type: 'json_object' }
  if (format.type === 'json_schema') {
    if (typeof format.name !== 'string' || !isObj(format.schema)) fail('`text.format`: a json_schema format needs `name` and `schema`.')
    const { type: _type, ...schema } = format
    return { type: 'json_schema', json_schema: schema }
  }
  return fail('`text.format.type` must be text, json_object or json_schema.')
}

function optionalNumber(body: Obj, key: string, min: number, max: number): number | null {
  const value = body[key]
  if (value === undefined || value === null) return null
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) fail(`\`${key}\` must be a number from ${min} to ${max}.`)
  return value
}

function metadata(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {}
  if (!isObj(value) || !Object.values(value).every((v) => typeof v === 'string')) fail('`metadata` must be an object of strings.')
  return value as Record<string, string>
}

function check(body: JsonObject): { chat: JsonObject; echo: ResponsesEcho } {
  if (typeof body.model !== 'string' || body.model === '') fail('`model` must be a non-empty string.')
  for (const key in REFUSED) if (body[key] !== undefined && body[key] !== null && body[key] !== false) fail(`\`${key}\`: ${REFUSED[key]}`)
  const instructions = body.instructions ?? null
  if (instructions !== null && typeof instructions !== 'string') fail('`instructions` must be a string.')
  const stream = body.stream ?? false
  if (typeof stream !== 'boolean') fail('`stream` must be a boolean.')
  const maxOutputTokens = optionalNumber(body, 'max_output_tokens', 1, Number.MAX_SAFE_INTEGER)
  if (maxOutputTokens !== null && !Number.isInteger(maxOutputTokens)) fail('`max_output_tokens` must be a positive integer.')
  const temperature = optionalNumber(body, 'temperature', 0, 2)
  const topP = optionalNumber(body, 'top_p', 0, 1)
  const parallel = body.parallel_tool_calls ?? true
  if (typeof parallel !== 'boolean') fail('`parallel_tool_calls` must be a boolean.')
  const definitions = tools(body.tools)
  const choice = toolChoice(body.tool_choice)
  const format = responseFormat(body.text)

  const chat: JsonObject = { model: body.model, messages: messages(body.input, instructions), stream }
  // A Response always reports usage, streamed or not.
  if (stream) chat.stream_options = { include_usage: true }
  if (maxOutputTokens !== null) chat.max_completion_tokens = maxOutputTokens
  if (temperature !== null) chat.temperature = temperature
  if (topP !== null) chat.top_p = topP
  if (definitions !== undefined && definitions.chat.length > 0) {
    chat.tools = definitions.chat
    chat.parallel_tool_calls = parallel
  }
  if (choice !== undefined) chat.tool_choice = choice
  if (format !== undefined) chat.response_format = format
  const echo: ResponsesEcho = {
    model: body.model,
    stream,
    instructions,
    maxOutputTokens,
    temperature,
    topP,
    toolChoice: body.tool_choice ?? 'auto',
    tools: definitions?.echo ?? [],
    parallelToolCalls: parallel,
    text: { format: isObj(body.text) && isObj(body.text.format) ? body.text.format : { type: 'text' } },
    metadata: metadata(body.metadata),
  }
  return { chat, echo }
}

/** The Responses body as a Chat Completions body, and what its answer echoes; or why it is refused. */
export function parseResponsesRequest(body: JsonObject): ResponsesParse {
  try {
    return { ok: true, ...check(body) }
  } catch (err) {
    if (err instanceof Invalid) return { ok: false, message: err.message }
    throw err
  }
}
