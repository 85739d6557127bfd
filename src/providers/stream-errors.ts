// Errors inside a stream that already started (docs/resilience.md "honest mid-stream failure"), in each
// stream format's own framing, so each official SDK raises rather than seeing a clean end.
import { EventStreamCodec } from '@smithy/eventstream-codec'
import { fromUtf8, toUtf8 } from '@smithy/util-utf8'
import type { SluiceError } from '../core/errors.js'
import { errorMessage } from './error-message.js'

const codec = new EventStreamCodec(toUtf8, fromUtf8)

/**
 * A Bedrock event-stream exception message. `serviceUnavailableException` is a modelled member of
 * both the ConverseStream and InvokeModelWithResponseStream unions, so the AWS SDK throws it typed.
 */
export function bedrockExceptionFrame(error: SluiceError): Buffer {
  const frame = codec.encode({
    headers: {
      ':message-type': { type: 'string', value: 'exception' },
      ':exception-type': { type: 'string', value: 'serviceUnavailableException' },
      ':content-type': { type: 'string', value: 'application/json' },
    },
    body: fromUtf8(JSON.stringify({ message: errorMessage(error), code: error.code })),
  })
  return Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength)
}

/**
 * One SSE `data:` event carrying `payload` (OpenAI's and Gemini's SDKs throw on a chunk with an
 * `error` member); a leading blank line closes any event the upstream left half-written.
 */
export function sseErrorEvent(payload: unknown): Buffer {
  return Buffer.from(`\n\ndata: ${JSON.stringify(payload)}\n\n`)
}
