// Request text of the OpenAI-style dialects. Chat Completions (and the Llama API's native chat,
// the same message list with Llama's content items): system/developer, user, assistant and tool
// messages, assistant `tool_calls[].function.arguments` and the legacy `function_call`. Responses:
// `instructions`, `input` as a string or items (messages, function_call `arguments`, custom tool
// call `input`, their outputs' `output`) and a stored prompt's `variables`.
import { Collector, eachOf, isObject } from './collect.js'
import { chatRole, content } from './content.js'
import type { RequestText } from './types.js'

export function chatRequest(body: unknown): RequestText | undefined {
  if (!isObject(body) || !Array.isArray(body.messages)) return undefined
  const c = new Collector()
  let messages = 0
  // Plain loops and paths written out: this runs on every guarded chat request.
  const list: unknown[] = body.messages
  for (let i = 0; i < list.length; i++) {
    const message = list[i]
    if (!isObject(message)) continue
    const role = chatRole(message.role)
    if (role !== 'system') messages++
    content(c, ['messages', i, 'content'], message.content, role)
    const calls = message.tool_calls
    if (Array.isArray(calls)) {
      for (let j = 0; j < calls.length; j++) {
        const call: unknown = calls[j]
        if (isObject(call) && isObject(call.function)) c.text(['messages', i, 'tool_calls', j, 'function', 'arguments'], call.function.arguments, 'assistant')
      }
    }
    if (isObject(message.function_call)) c.text(['messages', i, 'function_call', 'arguments'], message.function_call.arguments, 'assistant')
  }
  return c.request(messages)
}

/** One Responses input item; true when it counts as a message (system and developer ones do not). */
function responsesItem(c: Collector, item: Record<string, unknown>, i: number): boolean {
  const at = ['input', i]
  switch (item.type) {
    case 'function_call':
      c.text([...at, 'arguments'], item.arguments, 'assistant')
      return true
    case 'custom_tool_call':
      c.text([...at, 'input'], item.input, 'assistant')
      return true
    case 'function_call_output':
    case 'custom_tool_call_output':
      content(c, [...at, 'output'], item.output, 'tool')
      return true
    case undefined:
    case 'message': {
      const role = chatRole(item.role)
      content(c, [...at, 'content'], item.content, role)
      return role !== 'system'
    }
    default:
      // Reasoning, references and hosted-tool items carry no client text.
      return true
  }
}

export function responsesRequest(body: unknown): RequestText | undefined {
  if (!isObject(body)) return undefined
  const { input, instructions, prompt } = body
  if (input !== undefined && typeof input !== 'string' && !Array.isArray(input)) return undefined
  if (input === undefined && instructions === undefined && prompt === undefined) return undefined
  const c = new Collector()
  c.text(['instructions'], instructions, 'system')
  let messages = 0
  if (typeof input === 'string') {
    c.text(['input'], input, 'user')
    messages = 1
  }
  eachOf(input, (item, i) => {
    if (responsesItem(c, item, i)) messages++
  })
  const variables = isObject(prompt) ? prompt.variables : undefined
  if (isObject(variables)) {
    for (const [name, value] of Object.entries(variables)) content(c, ['prompt', 'variables', name], value, 'user')
  }
  return c.request(messages)
}
