// Message content as the OpenAI-style dialects send it (Chat Completions, Responses, the Llama
// API): a string, an array of parts, or (Llama's assistant messages) one part. A part's `text`
// counts whatever its type (`text`, `input_text`, `output_text`), and so does a refusal; images,
// audio and files carry no `text` and are skipped.
import { type Collector, isObject } from './collect.js'
import type { Role, TextPath } from './types.js'

function part(c: Collector, path: TextPath, value: unknown, role: Role): void {
  if (!isObject(value)) return
  c.text([...path, 'text'], value.text, role)
  c.text([...path, 'refusal'], value.refusal, role)
}

export function content(c: Collector, path: TextPath, value: unknown, role: Role): void {
  if (typeof value === 'string') c.text(path, value, role)
  else if (Array.isArray(value)) value.forEach((item, i) => part(c, [...path, i], item, role))
  else part(c, path, value, role)
}

/** A chat message's role as guardrails group speakers; an unknown role is read as the user's. */
export function chatRole(role: unknown): Role {
  switch (role) {
    case 'system':
    case 'developer':
      return 'system'
    case 'assistant':
      return 'assistant'
    case 'tool':
    case 'function':
      return 'tool'
    default:
      return 'user'
  }
}
