// The checks Anthropic's Messages API makes on a rawPredict / streamRawPredict body before it
// answers (https://docs.anthropic.com/en/api/messages), so a translation that Claude would refuse
// is refused by the emulator too: the version, no `model`, `max_tokens`, roles, non-empty text,
// temperature 0–1, declared tools whenever tool blocks appear, and every `tool_use` answered by a
// `tool_result` in the very next user turn (and no result answering anything else). Consecutive
// messages of one role are allowed: Anthropic combines them into one turn.
import { isRecord } from './content.js'

const TOOL_CHOICES = new Set(['auto', 'any', 'tool', 'none'])

function blocksOf(content: unknown): Record<string, unknown>[] | string {
  if (typeof content === 'string') return content === '' ? 'text content blocks must be non-empty' : []
  if (!Array.isArray(content) || content.length === 0) return 'content must be a non-empty string or array'
  const blocks: Record<string, unknown>[] = []
  for (const block of content) {
    if (!isRecord(block) || typeof block.type !== 'string') return 'each content block needs a type'
    if (block.type === 'text' && (typeof block.text !== 'string' || block.text === '')) return 'text content blocks must be non-empty'
    blocks.push(block)
  }
  return blocks
}

interface Turn {
  readonly role: unknown
  readonly blocks: Record<string, unknown>[]
}

/** Each assistant turn's tool_use ids answered by tool_result blocks in the next (user) turn, and only those. */
function checkTools(turns: readonly Turn[]): string | undefined {
  let asked = new Set<string>()
  for (const [i, turn] of turns.entries()) {
    if (turn.role === 'user') {
      for (const block of turn.blocks) {
        if (block.type === 'tool_result' && !asked.delete(String(block.tool_use_id))) return `unexpected tool_use_id found in tool_result blocks: ${String(block.tool_use_id)}`
      }
    }
    if (asked.size > 0) return `tool_use ids were found without tool_result blocks immediately after: ${[...asked].join(', ')}`
    asked = new Set(turn.role === 'assistant' ? turn.blocks.filter((block) => block.type === 'tool_use').map((block) => String(block.id)) : [])
    // A last assistant turn's calls are still open: the model is not asked to go on from them.
    if (i === turns.length - 1) asked.clear()
  }
  return undefined
}

const isTool = (tool: unknown): boolean => isRecord(tool) && typeof tool.name === 'string' && isRecord(tool.input_schema) && tool.input_schema.type === 'object'
const isStrings = (value: unknown): boolean => Array.isArray(value) && value.every((s) => typeof s === 'string')

/** The problem with the body's fields other than `messages`, if any. */
function fieldProblem(body: Record<string, unknown>): string | undefined {
  const { max_tokens: maxTokens, temperature, system, tool_choice: choice, tools } = body
  if (body.anthropic_version !== 'vertex-2023-10-16') return 'anthropic_version: vertex-2023-10-16 is required'
  if (body.model !== undefined) return 'model: Extra inputs are not permitted'
  if (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 1) return 'max_tokens: Field required (a positive integer)'
  if (temperature !== undefined && (typeof temperature !== 'number' || temperature < 0 || temperature > 1)) return 'temperature: must be from 0 to 1'
  if (body.stop_sequences !== undefined && !isStrings(body.stop_sequences)) return 'stop_sequences: must be a list of strings'
  if (system !== undefined && typeof system !== 'string' && typeof blocksOf(system) === 'string') return 'system: must be a string or non-empty text blocks'
  if (choice !== undefined && !(isRecord(choice) && TOOL_CHOICES.has(String(choice.type)))) return 'tool_choice: type must be auto, any, tool or none'
  if (tools !== undefined && !(Array.isArray(tools) && tools.every(isTool))) return 'tools: each tool needs a name and an input_schema of type object'
  return undefined
}

/** Why Anthropic would refuse `body` with 400 invalid_request_error; undefined when it would not. */
export function anthropicRequestProblem(body: Record<string, unknown>): string | undefined {
  const problem = fieldProblem(body)
  if (problem !== undefined) return problem
  const messages = body.messages
  if (!Array.isArray(messages) || messages.length === 0) return 'messages: at least one message is required'
  const turns: Turn[] = []
  for (const [i, message] of messages.entries()) {
    if (!isRecord(message) || (message.role !== 'user' && message.role !== 'assistant')) return `messages.${i}.role: must be user or assistant`
    const blocks = blocksOf(message.content)
    if (typeof blocks === 'string') return `messages.${i}: ${blocks}`
    const last = turns.at(-1)
    if (last?.role === message.role) last.blocks.push(...blocks)
    else turns.push({ role: message.role, blocks })
  }
  const usesTools = turns.some((turn) => turn.blocks.some((block) => block.type === 'tool_use' || block.type === 'tool_result'))
  if (usesTools && body.tools === undefined) return 'Requests which include `tool_use` or `tool_result` blocks must define tools.'
  return checkTools(turns)
}
