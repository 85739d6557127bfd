// Request text of the Bedrock dialects: Converse (and Amazon Nova's InvokeModel body, the same
// `system` / `messages` blocks), InvokeModel's Anthropic messages body (and Claude's legacy text
// completion `prompt`), Meta Llama's `prompt` and Amazon Titan's `inputText`. A Llama or Titan
// prompt is one string holding the whole conversation, so it is one user turn.
import { anthropicContent, converseBlock } from './blocks.js'
import { Collector, eachOf, isObject } from './collect.js'
import type { RequestText, Role } from './types.js'

const turnRole = (role: unknown): Role => (role === 'assistant' ? 'assistant' : 'user')

function converseMessages(c: Collector, body: Record<string, unknown>): number {
  eachOf(body.system, (block, i) => converseBlock(c, ['system', i], block, 'system'))
  let messages = 0
  eachOf(body.messages, (message, i) => {
    messages++
    eachOf(message.content, (block, j) => converseBlock(c, ['messages', i, 'content', j], block, turnRole(message.role)))
  })
  return messages
}

/** Converse; a prompt-management model takes `promptVariables` (`{name: {text}}`) instead of messages. */
export function converseRequest(body: unknown): RequestText | undefined {
  if (!isObject(body)) return undefined
  const { messages, promptVariables } = body
  if (messages === undefined ? !isObject(promptVariables) : !Array.isArray(messages)) return undefined
  const c = new Collector()
  const count = converseMessages(c, body)
  if (isObject(promptVariables)) {
    for (const [name, value] of Object.entries(promptVariables)) {
      if (isObject(value)) c.text(['promptVariables', name, 'text'], value.text, 'user')
    }
  }
  return c.request(count)
}

export function novaRequest(body: unknown): RequestText | undefined {
  if (!isObject(body) || !Array.isArray(body.messages)) return undefined
  const c = new Collector()
  return c.request(converseMessages(c, body))
}

export function anthropicRequest(body: unknown): RequestText | undefined {
  if (!isObject(body)) return undefined
  if (!Array.isArray(body.messages)) return promptRequest(body, 'prompt')
  const c = new Collector()
  anthropicContent(c, ['system'], body.system, 'system')
  let messages = 0
  eachOf(body.messages, (message, i) => {
    messages++
    anthropicContent(c, ['messages', i, 'content'], message.content, turnRole(message.role))
  })
  return c.request(messages)
}

/** A body whose whole prompt is the string at `field` (Llama `prompt`, Titan `inputText`). */
export function promptRequest(body: unknown, field: string): RequestText | undefined {
  if (!isObject(body) || typeof body[field] !== 'string') return undefined
  const c = new Collector()
  c.text([field], body[field], 'user')
  return c.request(1)
}
