// Tool-call answers, shared by Converse/ConverseStream, Gemini, Llama (native and compat), OpenAI
// chat and Anthropic on Vertex; each dialect renders the call in its own shape. A request is
// answered with a call instead of text when:
//   1. its dequeued Behaviour carries `toolCall` (whatever the request declares), or
//   2. without that, it declares tools and forces one:
//        OpenAI, Llama     `tool_choice: "required"` or `{type: "function", function: {name}}`
//        Bedrock Converse  `toolConfig.toolChoice: {any: {}}` or `{tool: {name}}`
//        Gemini            `toolConfig.functionCallingConfig.mode: "ANY"`, with optional
//                          `allowedFunctionNames` (snake_case spellings accepted too)
//        Anthropic         `tool_choice: {type: "any"}` or `{type: "tool", name}`
//      The call names the forced tool (`name`, or Gemini's first allowed name), else the first
//      declared tool, with arguments `{}`. `auto`, `none` or no choice still answer text.
// Output tokens of a call = ceil(characters of its compact JSON arguments / 4), at least 1, so
// `{}` counts 1; a request's max-tokens cap does not cut a call. Streams split the JSON arguments
// into max(2, chunks) pieces, at most one per character.
import { isRecord } from './content.js'
import type { Plan, ScriptedToolCall } from './script.js'

export interface ToolCallReply {
  readonly name: string
  readonly arguments: Readonly<Record<string, unknown>>
  /** The arguments as compact JSON. */
  readonly json: string
  /** `json` split into stream deltas whose concatenation is `json`. */
  readonly pieces: readonly string[]
  readonly outputTokens: number
}

export function buildToolCall(call: ScriptedToolCall, chunks: number): ToolCallReply {
  const json = JSON.stringify(call.arguments)
  // Split by code point so no piece ends inside a surrogate pair.
  const chars = Array.from(json)
  const n = Math.max(1, Math.min(Math.max(2, chunks), chars.length))
  const pieces: string[] = []
  for (let i = 0; i < n; i++) pieces.push(chars.slice(Math.floor((i * chars.length) / n), Math.floor(((i + 1) * chars.length) / n)).join(''))
  return { name: call.name, arguments: call.arguments, json, pieces, outputTokens: Math.max(1, Math.ceil(json.length / 4)) }
}

/**
 * The call a request is answered with, if any: the scripted one, else the forced one.
 * @param forced the forced tool's name, as the dialect's reader below found it in the request
 */
export function toolCallFor(plan: Plan, forced: string | undefined): ToolCallReply | undefined {
  const call = plan.toolCall ?? (forced === undefined ? undefined : { name: forced, arguments: {} })
  return call === undefined ? undefined : buildToolCall(call, plan.chunks)
}

function names(items: unknown, nameOf: (item: Record<string, unknown>) => unknown): string[] {
  if (!Array.isArray(items)) return []
  return items.flatMap((item) => {
    const name = isRecord(item) ? nameOf(item) : undefined
    return typeof name === 'string' && name !== '' ? [name] : []
  })
}

/** OpenAI chat and Llama native bodies: `tools: [{type: 'function', function: {name}}]`. */
export function openaiForcedTool(body: Record<string, unknown>): string | undefined {
  const declared = names(body.tools, (tool) => (isRecord(tool.function) ? tool.function.name : undefined))
  if (declared.length === 0) return undefined
  const choice = body.tool_choice
  if (choice === 'required') return declared[0]
  if (isRecord(choice) && choice.type === 'function' && isRecord(choice.function) && typeof choice.function.name === 'string') return choice.function.name
  return undefined
}

/** Converse bodies: `toolConfig: {tools: [{toolSpec: {name}}], toolChoice}`. */
export function bedrockForcedTool(body: Record<string, unknown>): string | undefined {
  const config = body.toolConfig
  if (!isRecord(config)) return undefined
  const declared = names(config.tools, (tool) => (isRecord(tool.toolSpec) ? tool.toolSpec.name : undefined))
  const choice = config.toolChoice
  if (declared.length === 0 || !isRecord(choice)) return undefined
  if (isRecord(choice.tool) && typeof choice.tool.name === 'string') return choice.tool.name
  return isRecord(choice.any) ? declared[0] : undefined
}

/** Anthropic Messages bodies: `tools: [{name}]`, `tool_choice: {type: "any"}` or `{type: "tool", name}`. */
export function anthropicForcedTool(body: Record<string, unknown>): string | undefined {
  const declared = names(body.tools, (tool) => tool.name)
  const choice = body.tool_choice
  if (declared.length === 0 || !isRecord(choice)) return undefined
  if (choice.type === 'tool' && typeof choice.name === 'string') return choice.name
  return choice.type === 'any' ? declared[0] : undefined
}

/** Gemini takes proto JSON, where either spelling of a field name is accepted. */
function field(record: Record<string, unknown>, camel: string, snake: string): unknown {
  return record[camel] ?? record[snake]
}

/** Gemini bodies: `tools: [{functionDeclarations: [{name}]}]`, `toolConfig: {functionCallingConfig: {mode, allowedFunctionNames}}`. */
export function geminiForcedTool(body: Record<string, unknown>): string | undefined {
  const tools = Array.isArray(body.tools) ? body.tools : []
  const declared = tools.flatMap((tool) => (isRecord(tool) ? names(field(tool, 'functionDeclarations', 'function_declarations'), (fn) => fn.name) : []))
  const config = field(body, 'toolConfig', 'tool_config')
  const calling = isRecord(config) ? field(config, 'functionCallingConfig', 'function_calling_config') : undefined
  if (declared.length === 0 || !isRecord(calling) || calling.mode !== 'ANY') return undefined
  const allowed = field(calling, 'allowedFunctionNames', 'allowed_function_names')
  const first = Array.isArray(allowed) ? allowed.find((name): name is string => typeof name === 'string' && name !== '') : undefined
  return first ?? declared[0]
}
