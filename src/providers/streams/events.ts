// A streamed answer's events, decoded for response-side checks (output guardrails): each SSE
// `data:` payload and each element of a JSON-array stream JSON-parsed (a payload that is not JSON,
// such as OpenAI's `[DONE]`, is passed as its text), each Bedrock event-stream message as
// `{eventType, payload}` with its JSON body parsed. `pending` tells whether bytes of an event not
// yet complete are held, so a caller holding bytes back knows a chunk's text is not all known yet.
import type { StreamEventDecoder, StreamFormat } from '../../core/wire.js'
import { EventStreamDecoder } from './eventstream.js'
import { JsonArraySplitter } from './json-array.js'
import { SseParser } from './sse.js'

function parsed(text: string): unknown {
  // Events are JSON objects (or arrays); anything else — `[DONE]` — is passed as text without
  // paying for a parse that throws.
  const first = text.charCodeAt(0)
  if (first !== 0x7b && !(first === 0x5b && text !== '[DONE]')) return text
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

export function createEventDecoder(format: StreamFormat, onEvent: (event: unknown) => void): StreamEventDecoder | undefined {
  switch (format) {
    case 'sse':
      return new SseParser((data) => onEvent(parsed(data.toString('utf8'))))
    case 'json-array':
      return new JsonArraySplitter((element) => onEvent(parsed(element.toString('utf8'))))
    case 'eventstream':
      return new EventStreamDecoder((message) => {
        const type = message.headers[':event-type'] ?? message.headers[':exception-type']
        const body = Buffer.from(message.body.buffer, message.body.byteOffset, message.body.byteLength).toString('utf8')
        onEvent({ eventType: typeof type?.value === 'string' ? type.value : '', payload: parsed(body) })
      })
    case 'none':
      return undefined
  }
}
