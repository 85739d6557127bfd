// Unified `POST /v1/responses` (docs/unified.md#responses), the answer side, streamed: the
// translated Chat Completions SSE stream (`data: {chunk}` … `data: [DONE]`) rewritten, event by
// event as it arrives, into the Responses API's events — `response.created`,
// `response.in_progress`, per item `response.output_item.added`, text as
// `response.content_part.added` / `response.output_text.delta` / `.done` /
// `response.content_part.done`, tool calls as `response.function_call_arguments.delta` / `.done`,
// `response.output_item.done`, and last `response.completed` (or `response.incomplete`) with the
// whole Response and its usage. Each event has `event:` and `data:` lines and a
// `sequence_number`. A chat error event becomes an `error` event.
import type { CompletionUsage, FinishReason } from '../types.js'
import { isObject } from '../chunks.js'
import type { ResponsesEcho } from './request.js'
import { itemId, outputText, responseObject, responsesUsage, statusOf, type FunctionCallItem, type MessageItem, type OutputItem, type ResponseIdentity } from './respond.js'

interface OpenMessage {
  readonly outputIndex: number
  readonly item: MessageItem
  text: string
}

interface OpenCall {
  readonly outputIndex: number
  readonly item: FunctionCallItem
}

/** Bounds a chat event Sluice itself wrote (the translators' chunks); past it the stream is broken. */
const MAX_PENDING_CHARS = 8 * 1024 * 1024

export class ResponsesStream {
  #seq = 0
  #pending = ''
  #started = false
  #done = false
  readonly #output: OutputItem[] = []
  #message: OpenMessage | undefined
  /** Tool calls by the chat stream's `index`, still open. */
  readonly #calls = new Map<number, OpenCall>()
  #finish: FinishReason | null = null
  #usage: CompletionUsage | undefined

  constructor(
    private readonly identity: ResponseIdentity,
    private readonly echo: ResponsesEcho,
  ) {}

  /** Chat SSE text in (any split), Responses SSE text out ('' when nothing is complete yet). */
  write(text: string): string {
    if (this.#done) return ''
    this.#pending += text
    let out = ''
    for (let end = this.#pending.indexOf('\n\n'); end !== -1; end = this.#pending.indexOf('\n\n')) {
      const frame = this.#pending.slice(0, end)
      this.#pending = this.#pending.slice(end + 2)
      for (const line of frame.split('\n')) if (line.startsWith('data: ') && !this.#done) out += this.#data(line.slice(6))
      if (this.#done) {
        this.#pending = ''
        return out
      }
    }
    if (this.#pending.length > MAX_PENDING_CHARS) {
      this.#pending = ''
      out += this.#invalid('an event past its size bound')
    }
    return out
  }

  #event(type: string, data: Record<string, unknown>): string {
    return `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: this.#seq++, ...data })}\n\n`
  }

  #data(payload: string): string {
    if (payload === '[DONE]') return this.#end()
    let chunk: unknown
    try {
      chunk = JSON.parse(payload)
    } catch {
      return this.#invalid('an event that is not JSON')
    }
    // The chunks are Sluice's own translation; anything else is a bug to report, never a crash.
    if (!isObject(chunk)) return this.#invalid('an event that is not an object')
    if (isObject(chunk.error)) return this.#error(chunk.error)
    let out = this.#start()
    if (isObject(chunk.usage)) this.#usage = chunk.usage as unknown as CompletionUsage
    const choice: unknown = Array.isArray(chunk.choices) ? chunk.choices[0] : undefined
    if (!isObject(choice)) return out
    const delta: unknown = choice.delta
    if (!isObject(delta)) return out
    if (typeof delta.content === 'string' && delta.content !== '') out += this.#text(delta.content)
    for (const call of Array.isArray(delta.tool_calls) ? delta.tool_calls : []) {
      if (!isObject(call) || typeof call.index !== 'number' || !isObject(call.function)) return out + this.#invalid('a malformed tool call delta')
      const fn = call.function
      out += this.#call(call.index, typeof call.id === 'string' ? call.id : undefined, typeof fn.name === 'string' ? fn.name : undefined, typeof fn.arguments === 'string' ? fn.arguments : '')
    }
    if (typeof choice.finish_reason === 'string') this.#finish = choice.finish_reason as FinishReason
    return out
  }

  #start(): string {
    if (this.#started) return ''
    this.#started = true
    const response = responseObject(this.identity, this.echo, 'in_progress', null, [], null)
    return this.#event('response.created', { response }) + this.#event('response.in_progress', { response })
  }

  #text(delta: string): string {
    let out = ''
    let open = this.#message
    if (open === undefined) {
      out += this.#closeCalls()
      const outputIndex = this.#output.length
      const item: MessageItem = { id: itemId(this.identity, 'msg', outputIndex), type: 'message', status: 'in_progress', role: 'assistant', content: [] }
      this.#output.push(item)
      open = this.#message = { outputIndex, item, text: '' }
      out += this.#event('response.output_item.added', { output_index: outputIndex, item })
      out += this.#event('response.content_part.added', { item_id: item.id, output_index: outputIndex, content_index: 0, part: outputText('') })
    }
    open.text += delta
    return out + this.#event('response.output_text.delta', { item_id: open.item.id, output_index: open.outputIndex, content_index: 0, delta, logprobs: [] })
  }

  #call(index: number, id: string | undefined, name: string | undefined, args: string): string {
    let out = ''
    let open = this.#calls.get(index)
    if (open === undefined) {
      out += this.#closeMessage()
      const outputIndex = this.#output.length
      const item: FunctionCallItem = { id: itemId(this.identity, 'fc', outputIndex), type: 'function_call', status: 'in_progress', call_id: id ?? '', name: name ?? '', arguments: '' }
      this.#output.push(item)
      open = { outputIndex, item }
      this.#calls.set(index, open)
      out += this.#event('response.output_item.added', { output_index: outputIndex, item: { ...item } })
    }
    if (args === '') return out
    open.item.arguments += args
    return out + this.#event('response.function_call_arguments.delta', { item_id: open.item.id, output_index: open.outputIndex, delta: args })
  }

  #closeMessage(): string {
    const open = this.#message
    if (open === undefined) return ''
    this.#message = undefined
    const at = { item_id: open.item.id, output_index: open.outputIndex, content_index: 0 }
    const part = outputText(open.text)
    open.item.content.push(part)
    open.item.status = 'completed'
    return (
      this.#event('response.output_text.done', { ...at, text: open.text, logprobs: [] }) +
      this.#event('response.content_part.done', { ...at, part }) +
      this.#event('response.output_item.done', { output_index: open.outputIndex, item: open.item })
    )
  }

  #closeCalls(): string {
    let out = ''
    for (const { outputIndex, item } of this.#calls.values()) {
      item.status = 'completed'
      out += this.#event('response.function_call_arguments.done', { item_id: item.id, output_index: outputIndex, name: item.name, arguments: item.arguments })
      out += this.#event('response.output_item.done', { output_index: outputIndex, item })
    }
    this.#calls.clear()
    return out
  }

  #end(): string {
    this.#done = true
    let out = this.#start() + this.#closeMessage() + this.#closeCalls()
    const { status, incomplete } = statusOf(this.#finish)
    const response = responseObject(this.identity, this.echo, status, incomplete, this.#output, responsesUsage(this.#usage))
    out += this.#event(status === 'completed' ? 'response.completed' : 'response.incomplete', { response })
    return out
  }

  #invalid(what: string): string {
    return this.#error({ message: `the translated stream has ${what}.`, code: 'SLUICE_ERR_UPSTREAM_INVALID' })
  }

  /** The Responses API's stream error event; the caller cuts the stream after it. */
  #error(error: Record<string, unknown>): string {
    this.#done = true
    const message = typeof error.message === 'string' ? error.message : 'the stream failed.'
    return this.#event('error', { code: error.code ?? null, message, param: error.param ?? null })
  }
}
