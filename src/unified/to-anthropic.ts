// OpenAI chat request → Anthropic Messages body as Vertex AI's rawPredict takes it
// (https://docs.anthropic.com/en/api/claude-on-vertex-ai): `anthropic_version: vertex-2023-10-16`,
// no `model` (it is in the path), `max_tokens` required. Anthropic wants alternating user and
// assistant turns, so consecutive messages of one role (parallel tool results above all) merge
// into one turn; system and developer messages, wherever they are, become `system` blocks in order.
import { contentText, dataUrl, parseArguments } from './parse-request.js'
import type { ChatRequest, ToolChoice, UserPart } from './types.js'

type Block = Record<string, unknown>
interface Turn {
  role: 'user' | 'assistant'
  content: Block[]
}

export const ANTHROPIC_VERTEX_VERSION = 'vertex-2023-10-16'

/**
 * `max_tokens` when neither the client nor the target's params state one: Anthropic requires it,
 * and 4096 is the smallest output limit among Claude 3 and later models, so every one accepts it.
 */
export const DEFAULT_ANTHROPIC_MAX_TOKENS = 4096

// Anthropic takes these image types as base64 sources.
const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp'])

export type AnthropicBodyResult = { readonly ok: true; readonly body: Record<string, unknown> } | { readonly ok: false; readonly message: string }

function userBlocks(content: string | readonly UserPart[]): Block[] | string {
  // Anthropic refuses empty text blocks, so empty text is left out.
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }]
  const blocks: Block[] = []
  for (const part of content) {
    if (part.type === 'text') {
      if (part.text !== '') blocks.push({ type: 'text', text: part.text })
      continue
    }
    const image = dataUrl(part.image_url.url)
    if (image === undefined) return 'Claude on Vertex AI takes images here only as base64 data URLs; remote image URLs cannot be translated.'
    // Media types are case-insensitive; `image/jpg` is a common misspelling of `image/jpeg`.
    const type = image.mimeType.toLowerCase()
    const mediaType = type === 'image/jpg' ? 'image/jpeg' : type
    if (!IMAGE_TYPES.has(mediaType)) return `Claude takes png, jpeg, gif and webp images; ${image.mimeType} cannot be translated.`
    blocks.push({ type: 'image', source: { type: 'base64', media_type: mediaType, data: image.data } })
  }
  return blocks
}

function toolChoice(choice: ToolChoice): Block {
  if (choice === 'none') return { type: 'none' }
  if (choice === 'auto') return { type: 'auto' }
  if (choice === 'required') return { type: 'any' }
  return { type: 'tool', name: choice.name }
}

function turnsOf(request: ChatRequest): { system: Block[]; turns: Turn[] } | string {
  const system: Block[] = []
  const turns: Turn[] = []
  const add = (role: Turn['role'], blocks: Block[]): void => {
    if (blocks.length === 0) return
    const last = turns.at(-1)
    if (last?.role === role) last.content.push(...blocks)
    else turns.push({ role, content: blocks })
  }
  for (const message of request.messages) {
    switch (message.role) {
      case 'system':
      case 'developer': {
        const text = contentText(message.content)
        if (text !== '') system.push({ type: 'text', text })
        break
      }
      case 'user': {
        const blocks = userBlocks(message.content)
        if (typeof blocks === 'string') return blocks
        add('user', blocks)
        break
      }
      case 'assistant': {
        const text = contentText(message.content)
        const blocks: Block[] = text === '' ? [] : [{ type: 'text', text }]
        for (const call of message.tool_calls) {
          const input = parseArguments(call)
          if (input === undefined) return `Tool call ${call.id} has arguments that are not a JSON object.`
          blocks.push({ type: 'tool_use', id: call.id, name: call.function.name, input })
        }
        add('assistant', blocks)
        break
      }
      case 'tool': {
        const text = contentText(message.content)
        add('user', [{ type: 'tool_result', tool_use_id: message.tool_call_id, ...(text === '' ? {} : { content: text }) }])
        break
      }
    }
  }
  return { system, turns }
}

/** The Messages body for `request` (the model goes in the path, not here). */
export function toAnthropicMessages(request: ChatRequest): AnthropicBodyResult {
  const built = turnsOf(request)
  if (typeof built === 'string') return { ok: false, message: built }
  if (built.turns.length === 0) return { ok: false, message: "Anthropic's Messages API needs at least one user or assistant message with content." }
  // OpenAI's range is 0–2, Anthropic's 0–1: a higher temperature has no equivalent.
  if (request.temperature !== undefined && request.temperature > 1) {
    return { ok: false, message: `Claude takes temperature from 0 to 1; ${request.temperature} cannot be translated.` }
  }
  // Claude on Vertex AI has no JSON mode: an answer in prose is not what the client asked for.
  if (request.responseFormat !== undefined) {
    return { ok: false, message: `Claude on Vertex AI has no structured output mode; response_format ${request.responseFormat} cannot be translated.` }
  }
  const body: Record<string, unknown> = {
    anthropic_version: ANTHROPIC_VERTEX_VERSION,
    max_tokens: request.maxTokens ?? DEFAULT_ANTHROPIC_MAX_TOKENS,
    messages: built.turns,
  }
  if (built.system.length > 0) body.system = built.system
  if (request.temperature !== undefined) body.temperature = request.temperature
  if (request.topP !== undefined) body.top_p = request.topP
  if (request.stop !== undefined) body.stop_sequences = request.stop
  if (request.tools !== undefined) {
    body.tools = request.tools.map((tool) => ({
      name: tool.name,
      ...(tool.description !== undefined ? { description: tool.description } : {}),
      // Anthropic requires an object schema; OpenAI's `parameters` is one, and absent means none.
      input_schema: { type: 'object', ...(tool.parameters ?? { properties: {} }) },
    }))
    // `none` keeps the tools declared: Anthropic requires them when the history holds tool blocks.
    if (request.toolChoice !== undefined) body.tool_choice = toolChoice(request.toolChoice)
  } else {
    // OpenAI takes a tool history without tools; Anthropic refuses it. The tools the history
    // called are declared, and none may be called: as the client asked, no tools this turn.
    const called = new Set(request.messages.flatMap((message) => (message.role === 'assistant' ? message.tool_calls.map((call) => call.function.name) : [])))
    if (called.size > 0) {
      body.tools = [...called].map((name) => ({ name, input_schema: { type: 'object' } }))
      body.tool_choice = { type: 'none' }
    }
  }
  if (request.stream) body.stream = true
  return { ok: true, body }
}
