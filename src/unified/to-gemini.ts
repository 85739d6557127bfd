// OpenAI chat request → Gemini generateContent / streamGenerateContent body
// (https://ai.google.dev/api/generate-content). Roles become user/model; a tool result becomes a
// `functionResponse` part in a user turn, named after the call it answers (Gemini matches results
// by name, OpenAI by id, so the id is looked up in the earlier assistant turns). Consecutive turns
// of one role are merged so parallel results travel together, as Gemini expects.
import { contentText, dataUrl, parseArguments } from './parse-request.js'
import type { ChatMessage, ChatRequest, NativeRequestResult, ToolChoice, UserPart } from './types.js'

type Part = Record<string, unknown>
interface Content {
  role: 'user' | 'model'
  parts: Part[]
}

function userParts(content: string | readonly UserPart[]): Part[] | string {
  if (typeof content === 'string') return [{ text: content }]
  const parts: Part[] = []
  for (const part of content) {
    if (part.type === 'text') {
      parts.push({ text: part.text })
      continue
    }
    const image = dataUrl(part.image_url.url)
    if (image === undefined) return 'Gemini takes images here only as base64 data URLs; remote image URLs cannot be translated.'
    parts.push({ inlineData: { mimeType: image.mimeType, data: image.data } })
  }
  return parts
}

/** Gemini wants an object as the response; a JSON object result is passed as is, anything else wrapped. */
function functionResponse(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text)
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>
  } catch {
    // not JSON: wrapped below
  }
  return { content: text }
}

function callNames(messages: readonly ChatMessage[]): Map<string, string> {
  const names = new Map<string, string>()
  for (const message of messages) {
    if (message.role === 'assistant') for (const call of message.tool_calls) names.set(call.id, call.function.name)
  }
  return names
}

function toolConfig(choice: ToolChoice): Record<string, unknown> {
  if (typeof choice === 'object') return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [choice.name] } }
  return { functionCallingConfig: { mode: choice === 'required' ? 'ANY' : choice.toUpperCase() } }
}

/** `gemini-2.5-flash` → `models/gemini-2.5-flash`; `models/…` and `tunedModels/…` are kept. */
function resource(model: string): string {
  if (/^(models|tunedModels)\/[^/]+$/.test(model)) return model
  return `models/${encodeURIComponent(model)}`
}

export function toGemini(request: ChatRequest, model: string): NativeRequestResult {
  const system: Part[] = []
  const contents: Content[] = []
  const names = callNames(request.messages)
  const add = (role: Content['role'], parts: Part[]): void => {
    const last = contents.at(-1)
    if (last?.role === role) last.parts.push(...parts)
    else contents.push({ role, parts })
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
        const parts = userParts(message.content)
        if (typeof parts === 'string') return { ok: false, message: parts }
        add('user', parts)
        break
      }
      case 'assistant': {
        const text = contentText(message.content)
        const parts: Part[] = text === '' ? [] : [{ text }]
        for (const call of message.tool_calls) {
          const args = parseArguments(call)
          if (args === undefined) return { ok: false, message: `Tool call ${call.id} has arguments that are not a JSON object.` }
          parts.push({ functionCall: { name: call.function.name, args } })
        }
        add('model', parts)
        break
      }
      case 'tool': {
        const name = names.get(message.tool_call_id)
        if (name === undefined) return { ok: false, message: `Tool result ${message.tool_call_id} answers no earlier assistant tool call; Gemini needs the function name.` }
        add('user', [{ functionResponse: { name, response: functionResponse(contentText(message.content)) } }])
        break
      }
    }
  }

  const body: Record<string, unknown> = { contents }
  if (system.length > 0) body.systemInstruction = { parts: system }
  const generation: Record<string, unknown> = {}
  if (request.maxTokens !== undefined) generation.maxOutputTokens = request.maxTokens
  if (request.temperature !== undefined) generation.temperature = request.temperature
  if (request.topP !== undefined) generation.topP = request.topP
  if (request.stop !== undefined) generation.stopSequences = request.stop
  if (Object.keys(generation).length > 0) body.generationConfig = generation
  if (request.tools !== undefined) {
    // `parametersJsonSchema` takes full JSON Schema; `parameters` only an OpenAPI subset.
    const functionDeclarations = request.tools.map((tool) => ({
      name: tool.name,
      ...(tool.description !== undefined ? { description: tool.description } : {}),
      ...(tool.parameters !== undefined ? { parametersJsonSchema: tool.parameters } : {}),
    }))
    body.tools = [{ functionDeclarations }]
    if (request.toolChoice !== undefined) body.toolConfig = toolConfig(request.toolChoice)
  }
  const method = request.stream ? 'streamGenerateContent?alt=sse' : 'generateContent'
  return { ok: true, path: `/v1beta/${resource(model)}:${method}`, body }
}
