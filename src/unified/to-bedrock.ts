// OpenAI chat request → Bedrock Converse / ConverseStream body
// (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html). Converse
// wants alternating user/assistant turns, so consecutive messages of one role (parallel tool
// results above all) are merged into one turn; system and developer messages, wherever they are,
// become `system` blocks in order.
import { contentText, dataUrl, parseArguments } from './parse-request.js'
import type { ChatRequest, NativeRequestResult, ToolChoice, UserPart } from './types.js'

type Block = Record<string, unknown>
interface Turn {
  role: 'user' | 'assistant'
  content: Block[]
}

// Converse takes these image formats as raw bytes only (base64 in the JSON wire form); no URLs.
const IMAGE_FORMATS: Readonly<Record<string, string>> = { 'image/png': 'png', 'image/jpeg': 'jpeg', 'image/gif': 'gif', 'image/webp': 'webp' }

function userBlocks(content: string | readonly UserPart[]): Block[] | string {
  if (typeof content === 'string') return content === '' ? [] : [{ text: content }]
  const blocks: Block[] = []
  for (const part of content) {
    if (part.type === 'text') {
      if (part.text !== '') blocks.push({ text: part.text })
      continue
    }
    const image = dataUrl(part.image_url.url)
    const format = image === undefined ? undefined : IMAGE_FORMATS[image.mimeType]
    if (image === undefined || format === undefined) {
      return 'Bedrock Converse takes images only as base64 data URLs (png, jpeg, gif, webp); remote image URLs cannot be translated.'
    }
    blocks.push({ image: { format, source: { bytes: image.data } } })
  }
  return blocks
}

function toolChoice(choice: ToolChoice | undefined): Block | undefined {
  if (choice === undefined || choice === 'none') return undefined
  if (choice === 'auto') return { auto: {} }
  if (choice === 'required') return { any: {} }
  return { tool: { name: choice.name } }
}

export function toBedrock(request: ChatRequest, modelId: string): NativeRequestResult {
  const system: Block[] = []
  const turns: Turn[] = []
  let usesTools = false
  const add = (role: Turn['role'], blocks: Block[]): void => {
    const last = turns.at(-1)
    if (last?.role === role) last.content.push(...blocks)
    else turns.push({ role, content: blocks })
  }
  for (const message of request.messages) {
    switch (message.role) {
      case 'system':
      case 'developer': {
        const text = contentText(message.content)
        if (text !== '') system.push({ text })
        break
      }
      case 'user': {
        const blocks = userBlocks(message.content)
        if (typeof blocks === 'string') return { ok: false, message: blocks }
        add('user', blocks)
        break
      }
      case 'assistant': {
        const text = contentText(message.content)
        const blocks: Block[] = text === '' ? [] : [{ text }]
        for (const call of message.tool_calls) {
          const input = parseArguments(call)
          if (input === undefined) return { ok: false, message: `Tool call ${call.id} has arguments that are not a JSON object.` }
          blocks.push({ toolUse: { toolUseId: call.id, name: call.function.name, input } })
          usesTools = true
        }
        add('assistant', blocks)
        break
      }
      case 'tool':
        usesTools = true
        add('user', [{ toolResult: { toolUseId: message.tool_call_id, content: [{ text: contentText(message.content) }] } }])
        break
    }
  }

  const body: Record<string, unknown> = { messages: turns }
  if (system.length > 0) body.system = system
  const inference: Record<string, unknown> = {}
  if (request.maxTokens !== undefined) inference.maxTokens = request.maxTokens
  if (request.temperature !== undefined) inference.temperature = request.temperature
  if (request.topP !== undefined) inference.topP = request.topP
  if (request.stop !== undefined) inference.stopSequences = request.stop
  if (Object.keys(inference).length > 0) body.inferenceConfig = inference
  // Converse has no "none" choice. Tools are dropped for it, unless the history holds tool blocks:
  // Converse then requires `toolConfig`, so the tools stay and the model is merely not forced.
  if (request.tools !== undefined && (request.toolChoice !== 'none' || usesTools)) {
    const tools = request.tools.map((tool) => ({
      toolSpec: {
        name: tool.name,
        ...(tool.description !== undefined ? { description: tool.description } : {}),
        inputSchema: { json: tool.parameters ?? { type: 'object', properties: {} } },
      },
    }))
    const choice = toolChoice(request.toolChoice)
    body.toolConfig = choice === undefined ? { tools } : { tools, toolChoice: choice }
  }
  const operation = request.stream ? 'converse-stream' : 'converse'
  return { ok: true, path: `/model/${encodeURIComponent(modelId)}/${operation}`, body }
}
