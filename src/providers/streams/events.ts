// A streamed answer's events, split for response-side checks (output guardrails): each SSE `data:`
// payload and each element of a JSON-array stream as its text, each Bedrock event-stream message
// as its payload's text and its `:event-type` (or `:exception-type`). Nothing is parsed here: the
// reader knows which events it needs parsed, and how much of each. `pending` tells whether bytes
// of an event not yet complete are held, so a caller holding bytes back knows a chunk's text is
// not all known yet.
import type { StreamEventDecoder, StreamEventListener, StreamFormat } from '../../core/wire.js'
import { EventStreamDecoder } from './eventstream.js'
import { JsonArraySplitter } from './json-array.js'
import { SseParser } from './sse.js'

export function createEventDecoder(format: StreamFormat, onEvent: StreamEventListener): StreamEventDecoder | undefined {
  switch (format) {
    case 'sse':
      return new SseParser((data) => onEvent(data.toString('utf8'), ''))
    case 'json-array':
      return new JsonArraySplitter((element) => onEvent(element.toString('utf8'), ''))
    case 'eventstream':
      return new EventStreamDecoder((message) => {
        const type = message.headers[':event-type'] ?? message.headers[':exception-type']
        const body = Buffer.from(message.body.buffer, message.body.byteOffset, message.body.byteLength).toString('utf8')
        onEvent(body, typeof type?.value === 'string' ? type.value : '')
      })
    case 'none':
      return undefined
  }
}
