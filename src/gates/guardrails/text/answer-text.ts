// The text of a complete (non-streamed) answer, by body kind: what the model said and the
// arguments of the tools it called, as the assistant's segments. Undefined when the body is not
// of the kind's shape, so the caller applies its fail mode; an answer of the shape with no text
// (a Gemini prompt blocked before any candidate) is an empty list.
import { anthropicBlock, converseBlock } from './blocks.js'
import { Collector, eachOf, isObject } from './collect.js'
import { content } from './content.js'
import { geminiPart } from './gemini.js'
import type { BodyKind, TextPath, TextSegment } from './types.js'

type Read = (c: Collector, body: Record<string, unknown>) => boolean

/** OpenAI-style `tool_calls[].function.arguments` strings (Chat Completions, Llama native). */
function toolCalls(c: Collector, at: TextPath, calls: unknown): void {
  eachOf(calls, (call, i) => {
    if (isObject(call.function)) c.text([...at, i, 'function', 'arguments'], call.function.arguments, 'assistant')
  })
}

const chat: Read = (c, body) => {
  if (!Array.isArray(body.choices)) return false
  eachOf(body.choices, (choice, i) => {
    const message = choice.message
    if (!isObject(message)) return
    content(c, ['choices', i, 'message', 'content'], message.content, 'assistant')
    c.text(['choices', i, 'message', 'refusal'], message.refusal, 'assistant')
    toolCalls(c, ['choices', i, 'message', 'tool_calls'], message.tool_calls)
    if (isObject(message.function_call)) c.text(['choices', i, 'message', 'function_call', 'arguments'], message.function_call.arguments, 'assistant')
  })
  return true
}

const responses: Read = (c, body) => {
  if (!Array.isArray(body.output)) return false
  eachOf(body.output, (item, i) => {
    if (item.type === 'message') content(c, ['output', i, 'content'], item.content, 'assistant')
    else if (item.type === 'function_call') c.text(['output', i, 'arguments'], item.arguments, 'assistant')
    else if (item.type === 'custom_tool_call') c.text(['output', i, 'input'], item.input, 'assistant')
  })
  return true
}

/** Converse and Amazon Nova: `output.message.content[]` blocks. */
const converse: Read = (c, body) => {
  const message = isObject(body.output) ? body.output.message : undefined
  if (!isObject(message) || !Array.isArray(message.content)) return false
  eachOf(message.content, (block, i) => converseBlock(c, ['output', 'message', 'content', i], block, 'assistant'))
  return true
}

function stringField(field: string): Read {
  return (c, body) => {
    if (typeof body[field] !== 'string') return false
    c.text([field], body[field], 'assistant')
    return true
  }
}

const completion = stringField('completion')

/** A messages answer's `content[]`, or a legacy text completion's `completion`. */
const anthropic: Read = (c, body) => {
  if (body.content === undefined) return completion(c, body)
  if (!Array.isArray(body.content)) return false
  eachOf(body.content, (block, i) => anthropicBlock(c, ['content', i], block, 'assistant'))
  return true
}

const titan: Read = (c, body) => {
  if (!Array.isArray(body.results)) return false
  eachOf(body.results, (result, i) => c.text(['results', i, 'outputText'], result.outputText, 'assistant'))
  return true
}

/** `candidates` is absent when the prompt itself was blocked; `promptFeedback` then says why. */
const gemini: Read = (c, body) => {
  if (!Array.isArray(body.candidates)) return body.candidates === undefined && isObject(body.promptFeedback)
  eachOf(body.candidates, (candidate, i) => {
    const parts = isObject(candidate.content) ? candidate.content.parts : undefined
    eachOf(parts, (part, j) => geminiPart(c, ['candidates', i, 'content', 'parts', j], part, 'assistant'))
  })
  return true
}

const llama: Read = (c, body) => {
  const message = body.completion_message
  if (!isObject(message)) return false
  content(c, ['completion_message', 'content'], message.content, 'assistant')
  toolCalls(c, ['completion_message', 'tool_calls'], message.tool_calls)
  return true
}

const READERS: Readonly<Record<BodyKind, Read>> = {
  'openai-chat': chat,
  'openai-responses': responses,
  'bedrock-converse': converse,
  'bedrock-anthropic': anthropic,
  anthropic,
  'bedrock-llama': stringField('generation'),
  'bedrock-nova': converse,
  'bedrock-titan': titan,
  gemini,
  llama,
}

export function answerText(kind: BodyKind, body: unknown): readonly TextSegment[] | undefined {
  const read = Object.hasOwn(READERS, kind) ? READERS[kind] : undefined
  if (read === undefined || !isObject(body)) return undefined
  const c = new Collector()
  return read(c, body) ? c.answer() : undefined
}
