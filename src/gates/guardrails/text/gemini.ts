// Gemini's parts, shared by requests and answers: `text` (thought summaries included, as they
// carry the same field), `functionCall.args` and `functionResponse.response` (JSON values).
// Requests are proto JSON, where a field may also be spelled snake_case; answers are camelCase.
// Inline data and file references are skipped.
import { Collector, eachOf, isObject } from './collect.js'
import type { RequestText, Role, TextPath } from './types.js'

const CALL_KEYS = ['functionCall', 'function_call'] as const
const RESPONSE_KEYS = ['functionResponse', 'function_response'] as const
const SYSTEM_KEYS = ['systemInstruction', 'system_instruction'] as const

export function geminiPart(c: Collector, at: TextPath, part: Record<string, unknown>, role: Role): void {
  c.text([...at, 'text'], part.text, role)
  for (const key of CALL_KEYS) {
    const call = part[key]
    if (isObject(call)) c.leaves([...at, key, 'args'], call.args, 'assistant')
  }
  for (const key of RESPONSE_KEYS) {
    const response = part[key]
    if (isObject(response)) c.leaves([...at, key, 'response'], response.response, 'tool')
  }
}

function turnRole(role: unknown): Role {
  if (role === 'model') return 'assistant'
  return role === 'function' ? 'tool' : 'user'
}

export function geminiRequest(body: unknown): RequestText | undefined {
  if (!isObject(body) || !Array.isArray(body.contents)) return undefined
  const c = new Collector()
  for (const key of SYSTEM_KEYS) {
    const system = body[key]
    if (isObject(system)) eachOf(system.parts, (part, i) => geminiPart(c, [key, 'parts', i], part, 'system'))
  }
  let messages = 0
  eachOf(body.contents, (turn, i) => {
    messages++
    eachOf(turn.parts, (part, j) => geminiPart(c, ['contents', i, 'parts', j], part, turnRole(turn.role)))
  })
  return c.request(messages)
}
