// A streamed OpenAI-style Chat Completions request carries no usage unless it sets
// `stream_options.include_usage`; without it every token of the call would go uncounted (budgets,
// token limits, cost metrics, experiments). So the request goes upstream asking for it, and the
// stream's extra bytes are taken out again on the way back (streams/usage-strip.ts).
import type { NativeRequest, Operation } from '../core/wire.js'
import { isObject, parseJsonObject } from './request.js'

const STREAM_OPTIONS = Buffer.from('"stream_options"')
const ASK = Buffer.from('"stream_options":{"include_usage":true},')

/**
 * The request asking for usage, or undefined when it already does (or its body is not a JSON
 * object). The client's bytes are kept: with no `stream_options` anywhere in the body (the usual
 * case) the member is spliced in after the opening brace; otherwise the body is re-serialised with
 * `include_usage` set and the other stream options kept.
 */
export function withStreamUsage(request: NativeRequest, operation: Operation): NativeRequest | undefined {
  // Most streamed requests that name stream_options ask for usage: recognition's parse says so
  // without parsing the body again.
  const recognised = operation.body?.stream_options
  if (isObject(recognised) && recognised.include_usage === true) return undefined
  const body = request.body
  if (body.indexOf(STREAM_OPTIONS) === -1) {
    let open = 0
    while (open < body.length && body[open] !== 0x7b) open++
    if (open === body.length) return undefined
    return { ...request, body: Buffer.concat([body.subarray(0, open + 1), ASK, body.subarray(open + 1)]) }
  }
  const json = parseJsonObject(body)
  if (json === undefined) return undefined
  const options = json.stream_options
  if (isObject(options) && options.include_usage === true) return undefined
  json.stream_options = { ...(isObject(options) ? options : {}), include_usage: true }
  return { ...request, body: Buffer.from(JSON.stringify(json)) }
}
