// Content blocks of the Bedrock dialects, shared by requests and answers. Converse's (which Amazon
// Nova's InvokeModel body uses too) are keyed by kind: `text`, `guardContent.text.text`,
// `toolUse.input` (a JSON value) and `toolResult.content[]` (`text`, `json`). Anthropic's are
// typed: `text`, `tool_use` `input` and `tool_result` `content` (a string or text blocks). Images,
// documents, video and reasoning blocks are skipped.
import { type Collector, eachOf, isObject } from './collect.js'
import type { Role, TextPath } from './types.js'

export function converseBlock(c: Collector, at: TextPath, block: Record<string, unknown>, role: Role): void {
  c.text([...at, 'text'], block.text, role)
  const guarded = isObject(block.guardContent) ? block.guardContent.text : undefined
  if (isObject(guarded)) c.text([...at, 'guardContent', 'text', 'text'], guarded.text, role)
  if (isObject(block.toolUse)) c.leaves([...at, 'toolUse', 'input'], block.toolUse.input, 'assistant')
  if (isObject(block.toolResult)) {
    eachOf(block.toolResult.content, (item, i) => {
      const path = [...at, 'toolResult', 'content', i]
      c.text([...path, 'text'], item.text, 'tool')
      c.leaves([...path, 'json'], item.json, 'tool')
    })
  }
}

/** Anthropic content: a string or blocks (a system prompt, a message, a tool result). */
export function anthropicContent(c: Collector, path: TextPath, value: unknown, role: Role, visit = anthropicBlock): void {
  if (typeof value === 'string') c.text(path, value, role)
  else eachOf(value, (block, i) => visit(c, [...path, i], block, role))
}

/** A block's own `text` only: a tool result's blocks hold no further tool calls. */
function textBlock(c: Collector, at: TextPath, block: Record<string, unknown>, role: Role): void {
  c.text([...at, 'text'], block.text, role)
}

export function anthropicBlock(c: Collector, at: TextPath, block: Record<string, unknown>, role: Role): void {
  c.text([...at, 'text'], block.text, role)
  if (block.type === 'tool_use') c.leaves([...at, 'input'], block.input, 'assistant')
  if (block.type === 'tool_result') anthropicContent(c, [...at, 'content'], block.content, 'tool', textBlock)
}
