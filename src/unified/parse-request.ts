// Checks an OpenAI Chat Completions body (https://platform.openai.com/docs/api-reference/chat/create)
// once, so the per-provider translators work on typed values. Fields no target can honour the same
// way everywhere (n > 1, audio, files) are refused here with a message naming them; other unknown
// fields (seed, penalties, logprobs, response_format, user, ...) are ignored.
import { jsonTooDeep, MAX_JSON_DEPTH } from '../providers/request.js'
import type { ChatMessage, ChatRequest, TextPart, ToolCall, ToolChoice, ToolDefinition, UserPart } from './types.js'

/** `tooDeep`: the refusal is a JSON string nested past MAX_JSON_DEPTH (SLUICE_ERR_REQUEST_TOO_DEEP). */
export type ParseResult =
  | { readonly ok: true; readonly request: ChatRequest }
  | { readonly ok: false; readonly message: string; readonly tooDeep?: boolean }

type Obj = Record<string, unknown>

const isObj = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value)

class Invalid extends Error {}
class TooDeep extends Invalid {}

function fail(message: string): never {
  throw new Invalid(message)
}

function optionalNumber(body: Obj, key: string, min: number, max: number): number | undefined {
  const value = body[key]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) fail(`\`${key}\` must be a number from ${min} to ${max}.`)
  return value
}

function optionalTokens(body: Obj, key: string): number | undefined {
  const value = optionalNumber(body, key, 1, Number.MAX_SAFE_INTEGER)
  if (value !== undefined && !Number.isInteger(value)) fail(`\`${key}\` must be a positive integer.`)
  return value
}

/** A tool message's content; translators may parse it as JSON (Gemini's functionResponse), so its nesting is bounded too. */
function toolResult(content: unknown, where: string): string | TextPart[] {
  const parts = textParts(content, where)
  const deep = typeof parts === 'string' ? jsonTooDeep(parts) : parts.some((part) => jsonTooDeep(part.text))
  if (deep) throw new TooDeep(`${where}: the tool result nests JSON more than ${MAX_JSON_DEPTH} levels deep.`)
  return parts
}

function textParts(content: unknown, where: string): string | TextPart[] {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) fail(`${where}: \`content\` must be a string or an array of parts.`)
  return content.map((part): TextPart => {
    if (isObj(part) && part.type === 'text' && typeof part.text === 'string') return { type: 'text', text: part.text }
    return fail(`${where}: only text parts are accepted here (got ${describePart(part)}).`)
  })
}

function describePart(part: unknown): string {
  return isObj(part) && typeof part.type === 'string' ? `a \`${part.type}\` part` : 'a malformed part'
}

function userParts(content: unknown, where: string): string | UserPart[] {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) fail(`${where}: \`content\` must be a string or an array of parts.`)
  return content.map((part): UserPart => {
    if (isObj(part) && part.type === 'text' && typeof part.text === 'string') return { type: 'text', text: part.text }
    if (isObj(part) && part.type === 'image_url' && isObj(part.image_url) && typeof part.image_url.url === 'string') {
      const detail = part.image_url.detail
      return { type: 'image_url', image_url: typeof detail === 'string' ? { url: part.image_url.url, detail } : { url: part.image_url.url } }
    }
    return fail(`${where}: ${describePart(part)} is not supported by the unified endpoint (text and image_url only).`)
  })
}

function toolCalls(value: unknown, where: string): ToolCall[] {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value)) fail(`${where}: \`tool_calls\` must be an array.`)
  return value.map((call, i): ToolCall => {
    const fn = isObj(call) ? call.function : undefined
    if (!isObj(call) || typeof call.id !== 'string' || !isObj(fn) || typeof fn.name !== 'string' || typeof fn.arguments !== 'string') {
      return fail(`${where}: \`tool_calls[${i}]\` needs \`id\` and \`function\` {name, arguments} strings.`)
    }
    if (jsonTooDeep(fn.arguments)) throw new TooDeep(`${where}: \`tool_calls[${i}].function.arguments\` nests JSON more than ${MAX_JSON_DEPTH} levels deep.`)
    return { id: call.id, type: 'function', function: { name: fn.name, arguments: fn.arguments } }
  })
}

function message(value: unknown, i: number): ChatMessage {
  const where = `messages[${i}]`
  if (!isObj(value)) return fail(`${where} must be an object.`)
  switch (value.role) {
    case 'system':
    case 'developer':
      return { role: value.role, content: textParts(value.content, where) }
    case 'user':
      return { role: 'user', content: userParts(value.content, where) }
    case 'assistant': {
      const calls = toolCalls(value.tool_calls, where)
      const content = value.content === undefined || value.content === null ? null : textParts(value.content, where)
      if (content === null && calls.length === 0) fail(`${where}: an assistant message needs \`content\` or \`tool_calls\`.`)
      return { role: 'assistant', content, tool_calls: calls }
    }
    case 'tool':
      if (typeof value.tool_call_id !== 'string') fail(`${where}: a tool message needs \`tool_call_id\`.`)
      return { role: 'tool', content: toolResult(value.content, where), tool_call_id: value.tool_call_id }
    default:
      return fail(`${where}: role ${JSON.stringify(value.role)} is not supported (system, developer, user, assistant, tool).`)
  }
}

function definition(value: unknown, where: string): ToolDefinition {
  if (!isObj(value) || typeof value.name !== 'string' || value.name === '') fail(`${where} needs a function \`name\`.`)
  const { name, description, parameters } = value
  if (parameters !== undefined && !isObj(parameters)) fail(`${where}: \`parameters\` must be a JSON Schema object.`)
  return {
    name,
    ...(typeof description === 'string' ? { description } : {}),
    ...(parameters !== undefined ? { parameters } : {}),
  }
}

function tools(body: Obj): ToolDefinition[] | undefined {
  if (Array.isArray(body.tools)) {
    return body.tools.map((tool, i) => {
      if (!isObj(tool) || tool.type !== 'function') return fail(`tools[${i}]: only \`function\` tools are supported.`)
      return definition(tool.function, `tools[${i}]`)
    })
  }
  if (body.tools !== undefined && body.tools !== null) fail('`tools` must be an array.')
  if (Array.isArray(body.functions)) return body.functions.map((fn, i) => definition(fn, `functions[${i}]`))
  return undefined
}

function toolChoice(body: Obj): ToolChoice | undefined {
  const value = body.tool_choice ?? body.function_call
  if (value === undefined || value === null) return undefined
  if (value === 'none' || value === 'auto' || value === 'required') return value
  if (isObj(value)) {
    const name = isObj(value.function) ? value.function.name : value.name
    if (typeof name === 'string') return { name }
  }
  return fail('`tool_choice` must be none, auto, required or {type: "function", function: {name}}.')
}

function stop(body: Obj): string[] | undefined {
  const value = body.stop
  if (value === undefined || value === null) return undefined
  if (typeof value === 'string') return [value]
  if (Array.isArray(value) && value.every((s): s is string => typeof s === 'string')) return value
  return fail('`stop` must be a string or an array of strings.')
}

/** A JSON answer format, for the targets that must refuse what they cannot honour; `text` and unknown types are left out. */
function responseFormat(body: Obj): 'json_object' | 'json_schema' | undefined {
  const type = isObj(body.response_format) ? body.response_format.type : undefined
  return type === 'json_object' || type === 'json_schema' ? type : undefined
}

function check(body: unknown): ChatRequest {
  if (!isObj(body)) fail('The body must be a JSON object.')
  if (typeof body.model !== 'string' || body.model === '') fail('`model` must be a non-empty string.')
  if (!Array.isArray(body.messages) || body.messages.length === 0) fail('`messages` must be a non-empty array.')
  const n = body.n
  if (n !== undefined && n !== null && n !== 1) fail('`n` other than 1 is not supported by the unified endpoint.')
  if (body.audio !== undefined && body.audio !== null) fail('`audio` output is not supported by the unified endpoint.')
  const streamOptions = body.stream_options
  const maxTokens = optionalTokens(body, 'max_completion_tokens') ?? optionalTokens(body, 'max_tokens')
  const temperature = optionalNumber(body, 'temperature', 0, 2)
  const topP = optionalNumber(body, 'top_p', 0, 1)
  const stopSequences = stop(body)
  const definitions = tools(body)
  const choice = toolChoice(body)
  const format = responseFormat(body)
  return {
    model: body.model,
    messages: body.messages.map(message),
    stream: body.stream === true,
    includeUsage: body.stream === true && isObj(streamOptions) && streamOptions.include_usage === true,
    ...(maxTokens !== undefined ? { maxTokens } : {}),
    ...(temperature !== undefined ? { temperature } : {}),
    ...(topP !== undefined ? { topP } : {}),
    ...(stopSequences !== undefined ? { stop: stopSequences } : {}),
    ...(definitions !== undefined && definitions.length > 0 ? { tools: definitions } : {}),
    ...(choice !== undefined ? { toolChoice: choice } : {}),
    ...(format !== undefined ? { responseFormat: format } : {}),
  }
}

export function parseChatRequest(body: unknown): ParseResult {
  try {
    return { ok: true, request: check(body) }
  } catch (error) {
    if (error instanceof TooDeep) return { ok: false, message: error.message, tooDeep: true }
    if (error instanceof Invalid) return { ok: false, message: error.message }
    throw error
  }
}

/** The text of a string-or-parts content, parts joined without separator as OpenAI does. */
export function contentText(content: string | readonly TextPart[] | null): string {
  if (content === null) return ''
  return typeof content === 'string' ? content : content.map((part) => part.text).join('')
}

/** Tool arguments are a JSON string on the OpenAI side and an object natively. */
export function parseArguments(call: ToolCall): Obj | undefined {
  try {
    const value: unknown = JSON.parse(call.function.arguments === '' ? '{}' : call.function.arguments)
    return isObj(value) ? value : undefined
  } catch {
    return undefined
  }
}

/** A `data:<mime>;base64,<data>` URL, the only image form Bedrock and Gemini take inline. */
export function dataUrl(url: string): { mimeType: string; data: string } | undefined {
  const match = /^data:([\w.+-]+\/[\w.+-]+);base64,(.*)$/s.exec(url)
  return match?.[1] !== undefined && match[2] !== undefined ? { mimeType: match[1], data: match[2] } : undefined
}
